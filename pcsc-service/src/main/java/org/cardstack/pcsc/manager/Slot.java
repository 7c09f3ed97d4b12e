package org.cardstack.pcsc.manager;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.cardstack.pcsc.ReaderStates;
import org.cardstack.reader.Reader;

/**
 * One PC/SC reader: a slot of a driver's reader (pcsc-lite's READER_CONTEXT). Fields are guarded by
 * the manager's state lock; {@link #io} serialises card I/O sequences on the slot and is always taken
 * before the state lock.
 */
final class Slot {
    final Reader reader;
    final int slotNumber;
    final int readerNumber;
    final String name;
    final int index;
    final Object source;
    final ReentrantLock io = new ReentrantLock();

    int eventCounter;
    int readerState = ReaderStates.ABSENT;
    byte[] atr = new byte[0];
    int protocol;
    boolean gone;
    final List<CardHandle> handles = new ArrayList<>();
    boolean exclusive;
    CardHandle lockOwner;
    int lockCount;

    Slot(Reader reader, int slotNumber, int readerNumber, String name, int index, Object source) {
        this.reader = reader;
        this.slotNumber = slotNumber;
        this.readerNumber = readerNumber;
        this.name = name;
        this.index = index;
        this.source = source;
    }

    boolean present() { return (readerState & ReaderStates.PRESENT) != 0; }

    boolean powered() { return (readerState & ReaderStates.POWERED) != 0; }

    boolean mute() { return (readerState & ReaderStates.SWALLOWED) != 0; }

    int sharing() { return exclusive ? ReaderStates.SHARING_EXCLUSIVE : handles.size(); }

    ReaderState snapshot() {
        return new ReaderState(index, name, eventCounter, readerState, sharing(), present() ? atr : new byte[0], protocol);
    }

    void bumpCounter() { eventCounter = (eventCounter + 1) & 0xFFFF; }

    @Override
    public String toString() { return name; }
}
