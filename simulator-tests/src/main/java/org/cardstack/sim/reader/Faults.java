package org.cardstack.sim.reader;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The fault queue of one reader. Each entry is used once, by the first command message that matches it,
 * in queue order; a command takes at most one fault. Thread-safe.
 */
public final class Faults {
    /** Matches any bMessageType. */
    public static final int ANY = -1;

    private record Entry(int messageType, Fault fault) {
    }

    private final List<Entry> queue = new ArrayList<>();
    private int applied;

    /** Queues a fault for the next command message of any type. */
    public synchronized Faults next(Fault fault) {
        return next(ANY, fault);
    }

    /** Queues a fault for the next command message with this bMessageType (e.g. 0x6F XfrBlock). */
    public synchronized Faults next(int bMessageType, Fault fault) {
        queue.add(new Entry(bMessageType, java.util.Objects.requireNonNull(fault)));
        return this;
    }

    public synchronized void clear() {
        queue.clear();
    }

    /** Faults queued and not yet used. */
    public synchronized int pending() {
        return queue.size();
    }

    /** Faults used so far. */
    public synchronized int applied() {
        return applied;
    }

    synchronized Fault take(int messageType) {
        for (Iterator<Entry> it = queue.iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (e.messageType == ANY || e.messageType == messageType) {
                it.remove();
                applied++;
                return e.fault;
            }
        }
        return null;
    }
}
