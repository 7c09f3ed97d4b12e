package org.cardstack.pcsc.manager;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.cardstack.reader.Reader;
import org.cardstack.reader.ReaderListener;
import org.cardstack.reader.ReaderSession;
import org.cardstack.reader.SlotState;

/** A reader session whose events the test fires by hand. */
final class FakeSession implements ReaderSession {
    final List<Reader> readers = new CopyOnWriteArrayList<>();
    final List<ReaderListener> listeners = new CopyOnWriteArrayList<>();

    @Override
    public String clientLabel() { return "test"; }

    @Override
    public List<Reader> readers() { return List.copyOf(readers); }

    @Override
    public AutoCloseable addListener(ReaderListener listener) {
        listeners.add(listener);
        readers.forEach(listener::readerAdded);
        return () -> listeners.remove(listener);
    }

    void plug(FakeReader r) {
        readers.add(r);
        listeners.forEach(l -> l.readerAdded(r));
    }

    void unplug(FakeReader r) {
        r.gone = true;
        readers.remove(r);
        listeners.forEach(l -> l.readerRemoved(r));
    }

    void insert(FakeReader r, int slot, byte[] atr) {
        r.insert(slot, atr);
        listeners.forEach(l -> l.slotChanged(r, slot, SlotState.PRESENT));
    }

    void remove(FakeReader r, int slot) {
        r.remove(slot);
        listeners.forEach(l -> l.slotChanged(r, slot, SlotState.ABSENT));
    }

    @Override
    public void close() { listeners.clear(); }
}
