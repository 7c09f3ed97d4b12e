package org.cardstack.pcsc.smartcardio;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import javax.smartcardio.CardException;
import javax.smartcardio.CardTerminal;
import javax.smartcardio.CardTerminals;
import org.cardstack.pcsc.NoServiceException;
import org.cardstack.pcsc.PcscException;
import org.cardstack.pcsc.ScardError;
import org.cardstack.pcsc.StateFlags;
import org.cardstack.pcsc.manager.Context;
import org.cardstack.pcsc.manager.ReaderState;
import org.cardstack.pcsc.manager.ReaderStateQuery;
import org.cardstack.pcsc.manager.ResourceManager;

/**
 * The terminals of one {@link javax.smartcardio.TerminalFactory}. Thread-safe.
 *
 * <p>Unlike SunPCSC: the context is re-established when the manager behind it was closed and
 * replaced (no permanent SCARD_E_NO_SERVICE); {@link #waitForChange(long)} also returns for readers
 * coming and going (through the PnP pseudo-reader), works with no reader at all, blocks on its first
 * call as the API says, and can be ended from another thread with {@link #cancelWait()} or by
 * interrupting the waiting thread.
 */
public final class CardStackTerminals extends CardTerminals {
    private final Supplier<ResourceManager> managers;
    private final Map<String, CardStackTerminal> terminals = new ConcurrentHashMap<>();
    private final ReentrantLock waitLock = new ReentrantLock();
    private final Object contextLock = new Object();
    private Context context;
    // guarded by waitLock (written) and this (read by list)
    private Map<String, Integer> previous;
    private Map<String, Integer> current;
    private int pnpState;

    CardStackTerminals(Supplier<ResourceManager> managers) {
        this.managers = managers;
    }

    /** This object's PC/SC context, established again if the manager behind the old one was closed. */
    Context context() throws CardException {
        synchronized (contextLock) {
            if (context == null || !context.isValid()) {
                ResourceManager rm = managers.get();
                try {
                    if (rm == null) {
                        throw new NoServiceException(ScardError.E_NO_SERVICE, "no resource manager");
                    }
                    context = rm.establishContext("javax.smartcardio");
                } catch (PcscException e) {
                    throw Errors.cardException("establishing a PC/SC context", e);
                }
            }
            return context;
        }
    }

    /** The manager in use now. */
    public ResourceManager manager() throws CardException { return context().manager(); }

    @Override
    public List<CardTerminal> list(State state) throws CardException {
        if (state == null) {
            throw new NullPointerException("state");
        }
        ResourceManager rm = manager();
        List<ReaderState> states = rm.readerStates();
        Map<String, Integer> prev;
        Map<String, Integer> cur;
        synchronized (this) {
            prev = previous;
            cur = current;
        }
        if (cur == null) {
            if (state == State.CARD_INSERTION) {
                state = State.CARD_PRESENT;
            } else if (state == State.CARD_REMOVAL) {
                state = State.CARD_ABSENT;
            }
        }
        List<CardTerminal> out = new ArrayList<>();
        for (ReaderState r : states) {
            boolean present = (r.readerState() & org.cardstack.pcsc.ReaderStates.PRESENT) != 0;
            boolean add = switch (state) {
                case ALL -> true;
                case CARD_PRESENT -> present;
                case CARD_ABSENT -> !present;
                case CARD_INSERTION -> isInsertion(prev.get(r.name()), cur.get(r.name()));
                case CARD_REMOVAL -> isRemoval(prev.get(r.name()), cur.get(r.name()));
            };
            if (add) {
                out.add(getTerminal(r.name()));
            }
        }
        return Collections.unmodifiableList(out);
    }

    private static boolean present(int state) { return (state & StateFlags.PRESENT) != 0; }

    /** A card arrived between the last two waitForChange calls (also a swap: the counter moved by 2). */
    static boolean isInsertion(Integer before, Integer after) {
        if (before == null || after == null) {
            return false;
        }
        int moved = (StateFlags.counter(after) - StateFlags.counter(before)) & 0xFFFF;
        return present(after) && (!present(before) || moved >= 2);
    }

    static boolean isRemoval(Integer before, Integer after) {
        if (before == null || after == null) {
            return false;
        }
        int moved = (StateFlags.counter(after) - StateFlags.counter(before)) & 0xFFFF;
        return present(before) && (!present(after) || moved >= 2);
    }

    @Override
    public CardTerminal getTerminal(String name) {
        return terminals.computeIfAbsent(name, n -> new CardStackTerminal(this, n));
    }

    /**
     * Waits for a card insertion or removal in any terminal, or a terminal being added or removed.
     * The first call blocks too (it does not report the state found at that moment as a change).
     *
     * @param timeout milliseconds, 0 for no limit
     * @return false on timeout
     * @throws CardException with a {@link org.cardstack.pcsc.PcscCancelledException} cause after
     *     {@link #cancelWait()} or an interrupt (the interrupt flag is kept)
     */
    @Override
    public boolean waitForChange(long timeout) throws CardException {
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout is negative: " + timeout);
        }
        long deadline = timeout == 0 ? Long.MAX_VALUE : System.nanoTime() + timeout * 1_000_000L;
        try {
            waitLock.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CardException("interrupted");
        }
        try {
            Context ctx = context();
            if (current == null) {
                Map<String, Integer> base = new HashMap<>();
                pnpState = look(ctx, base);
                synchronized (this) {
                    previous = base;
                    current = base;
                }
            }
            Map<String, Integer> known = new HashMap<>(current);
            while (true) {
                List<ReaderStateQuery> queries = new ArrayList<>();
                for (String name : ctx.manager().readerNames()) {
                    Integer st = known.get(name);
                    queries.add(new ReaderStateQuery(name, st == null ? StateFlags.UNAWARE : st));
                }
                ReaderStateQuery pnp = ReaderStateQuery.pnp(pnpState);
                queries.add(pnp);
                long left = deadline == Long.MAX_VALUE ? -1 : Math.max(0, (deadline - System.nanoTime()) / 1_000_000L);
                if (deadline != Long.MAX_VALUE && left == 0) {
                    return false;
                }
                try {
                    ctx.getStatusChange(left, queries);
                } catch (PcscException e) {
                    if (e.error() == ScardError.E_TIMEOUT) {
                        return false;
                    }
                    if (e.error() == ScardError.E_UNKNOWN_READER) {
                        continue; // a reader left between listing and waiting: look again
                    }
                    throw Errors.cardException("waitForChange", e);
                }
                boolean cardOrReader = (pnp.eventState() >>> 16) != (pnpState >>> 16) || pnp.changed();
                pnpState = pnp.eventState() & ~StateFlags.CHANGED;
                Map<String, Integer> next = new HashMap<>();
                for (ReaderStateQuery q : queries) {
                    if (q.isPnp()) {
                        continue;
                    }
                    int ev = q.eventState() & ~StateFlags.CHANGED;
                    if ((ev & StateFlags.UNKNOWN) != 0) {
                        cardOrReader = true;
                        continue;
                    }
                    next.put(q.readerName(), ev);
                    Integer before = known.get(q.readerName());
                    if (before == null || present(before) != present(ev)
                            || StateFlags.counter(before) != StateFlags.counter(ev)) {
                        cardOrReader = true;
                    }
                }
                if (!next.keySet().equals(known.keySet())) {
                    cardOrReader = true;
                }
                if (cardOrReader) {
                    // Readers that arrived are not in the queries: take the state of all of them now,
                    // so that the next call starts from here (a change meanwhile is part of this one).
                    Map<String, Integer> fresh = new HashMap<>();
                    pnpState = look(ctx, fresh);
                    next.forEach(fresh::putIfAbsent);
                    fresh.keySet().retainAll(ctx.manager().readerNames());
                    synchronized (this) {
                        previous = current;
                        current = fresh;
                    }
                    return true;
                }
                known = next; // only sharing or mute bits moved: keep waiting
            }
        } finally {
            waitLock.unlock();
        }
    }

    /** One look at every reader and the PnP entry; fills {@code states}, returns the PnP state. */
    private static int look(Context ctx, Map<String, Integer> states) throws CardException {
        List<ReaderStateQuery> queries = new ArrayList<>();
        for (String name : ctx.manager().readerNames()) {
            queries.add(ReaderStateQuery.unaware(name));
        }
        ReaderStateQuery pnp = ReaderStateQuery.pnp(StateFlags.UNAWARE);
        queries.add(pnp);
        try {
            ctx.getStatusChange(0, queries);
        } catch (PcscException e) {
            if (e.error() != ScardError.E_TIMEOUT && e.error() != ScardError.E_UNKNOWN_READER) {
                throw Errors.cardException("waitForChange", e);
            }
        }
        for (ReaderStateQuery q : queries) {
            if (!q.isPnp() && (q.eventState() & StateFlags.UNKNOWN) == 0) {
                states.put(q.readerName(), q.eventState() & ~StateFlags.CHANGED);
            }
        }
        return pnp.eventState() & ~StateFlags.CHANGED;
    }

    /** Ends a {@link #waitForChange(long)} (and terminal waits) in progress on this object. */
    public void cancelWait() {
        Context c;
        synchronized (contextLock) {
            c = context;
        }
        if (c != null) {
            c.cancel();
        }
    }

    @Override
    public String toString() { return "CardStackTerminals"; }
}
