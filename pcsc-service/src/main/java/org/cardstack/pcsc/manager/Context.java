package org.cardstack.pcsc.manager;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicLong;
import org.cardstack.iso7816.atr.Atr;
import org.cardstack.pcsc.CardUnavailableException;
import org.cardstack.pcsc.Disposition;
import org.cardstack.pcsc.PcscException;
import org.cardstack.pcsc.PcscTimeoutException;
import org.cardstack.pcsc.Protocol;
import org.cardstack.pcsc.ReaderStates;
import org.cardstack.pcsc.ScardError;
import org.cardstack.pcsc.ShareMode;
import org.cardstack.pcsc.StateFlags;

/**
 * An application context (SCardEstablishContext): owns the card handles made through it, and can
 * cancel its own waits. Thread-safe; unlike pcsc-lite, calls on one context need not be serialised
 * by the caller.
 */
public final class Context {
    private final ResourceManager rm;
    private final int id;
    private final String clientLabel;
    private final Set<CardHandle> handles = new CopyOnWriteArraySet<>();
    private final AtomicLong cancels = new AtomicLong();
    private volatile boolean valid = true;

    Context(ResourceManager rm, int id, String clientLabel) {
        this.rm = rm;
        this.id = id;
        this.clientLabel = clientLabel;
    }

    /** hContext: unique, positive, 31-bit. */
    public int id() { return id; }

    public String clientLabel() { return clientLabel; }

    public ResourceManager manager() { return rm; }

    /** SCardIsValidContext. */
    public boolean isValid() { return valid && !rm.isClosed(); }

    long cancels() { return cancels.get(); }

    /** This context's handle with that id, or null (a daemon checks that a client uses its own handles). */
    public CardHandle handle(int handleId) {
        for (CardHandle h : handles) {
            if (h.id() == handleId) {
                return h;
            }
        }
        return null;
    }

    /** The live handles of this context. */
    public List<CardHandle> handles() { return List.copyOf(handles); }

    void check() throws PcscException {
        rm.checkOpen();
        if (!valid) {
            throw PcscException.of(ScardError.E_INVALID_HANDLE, "context 0x" + Integer.toHexString(id) + " was released");
        }
    }

    /** SCardListReaders; none → SCARD_E_NO_READERS_AVAILABLE. */
    public List<String> listReaders() throws PcscException {
        check();
        List<String> names = rm.readerNames();
        if (names.isEmpty()) {
            throw PcscException.of(ScardError.E_NO_READERS_AVAILABLE, "no readers");
        }
        return names;
    }

    /**
     * SCardCancel: the waits of this context in progress now (status change, transaction, connect
     * behind a transaction) end with SCARD_E_CANCELLED. Later waits are not affected.
     */
    public void cancel() {
        cancels.incrementAndGet();
        rm.lock.lock();
        try {
            rm.changed.signalAll();
        } finally {
            rm.lock.unlock();
        }
    }

    /**
     * SCardReleaseContext: disconnects the handles (resetting the card for a handle that holds a
     * transaction on an unchanged card, as pcscd does), ends the waits. Idempotent.
     */
    public void release() {
        if (!valid) {
            return;
        }
        valid = false;
        cancel();
        for (CardHandle h : handles) {
            h.releaseWithContext();
        }
        handles.clear();
        rm.contextReleased(this);
    }

    void removed(CardHandle h) { handles.remove(h); }

    // ------------------------------------------------------------------ connect

    /** SCardConnect, waiting without limit (but cancellably) for another handle's transaction to end. */
    public CardHandle connect(String readerName, ShareMode mode, int preferredProtocols) throws PcscException {
        return connect(readerName, mode, preferredProtocols, -1);
    }

    /**
     * SCardConnect. While another handle holds a transaction on the reader the connect waits, as pcscd
     * does, up to {@code lockWaitMillis} (negative: no limit), then answers SCARD_E_SHARING_VIOLATION.
     *
     * @return the handle; its {@link CardHandle#activeProtocol()} is dwActiveProtocol
     */
    public CardHandle connect(String readerName, ShareMode mode, int preferredProtocols, long lockWaitMillis)
            throws PcscException {
        check();
        if (mode == null) {
            throw PcscException.of(ScardError.E_INVALID_VALUE, "share mode");
        }
        if (readerName == null) {
            throw PcscException.of(ScardError.E_UNKNOWN_READER, "no reader name");
        }
        if (readerName.length() >= ResourceManager.MAX_READERNAME) {
            throw PcscException.of(ScardError.E_INVALID_VALUE, "reader name longer than 127 characters");
        }
        int wanted = Protocol.T0 | Protocol.T1 | Protocol.RAW | Protocol.ANY_OLD;
        if (mode != ShareMode.DIRECT && (preferredProtocols & wanted) == 0) {
            throw PcscException.of(ScardError.E_PROTO_MISMATCH, "preferred protocols 0x"
                    + Integer.toHexString(preferredProtocols));
        }
        if (handles.size() >= ResourceManager.MAX_HANDLES_PER_CONTEXT) {
            throw PcscException.of(ScardError.E_NO_MEMORY, "more than " + ResourceManager.MAX_HANDLES_PER_CONTEXT
                    + " handles on one context");
        }
        long cancelSeen = cancels();
        long deadline = ResourceManager.deadline(lockWaitMillis);
        Slot slot;
        rm.lock.lock();
        try {
            slot = rm.slot(readerName);
            if (slot == null) {
                throw PcscException.of(ScardError.E_UNKNOWN_READER, readerName);
            }
            while (true) {
                if (slot.gone) {
                    throw PcscException.of(ScardError.E_UNKNOWN_READER, readerName + " was removed");
                }
                if (slot.exclusive || mode == ShareMode.EXCLUSIVE && !slot.handles.isEmpty()) {
                    throw PcscException.of(ScardError.E_SHARING_VIOLATION, readerName + " is in use"
                            + (slot.exclusive ? " exclusively" : ""));
                }
                if (slot.lockOwner == null) {
                    break;
                }
                try {
                    rm.await(this, cancelSeen, deadline);
                } catch (PcscTimeoutException e) {
                    throw PcscException.of(ScardError.E_SHARING_VIOLATION, readerName + " is in a transaction");
                }
            }
        } finally {
            rm.lock.unlock();
        }
        CardHandle handle;
        slot.io.lock();
        try {
            rm.lock.lock();
            try {
                if (slot.gone) {
                    throw PcscException.of(ScardError.E_UNKNOWN_READER, readerName + " was removed");
                }
                if (slot.lockOwner != null || slot.exclusive
                        || mode == ShareMode.EXCLUSIVE && !slot.handles.isEmpty()) {
                    throw PcscException.of(ScardError.E_SHARING_VIOLATION, readerName + " is in use");
                }
            } finally {
                rm.lock.unlock();
            }
            int active = prepareCard(slot, mode, preferredProtocols);
            rm.lock.lock();
            try {
                if (slot.gone) {
                    throw PcscException.of(ScardError.E_UNKNOWN_READER, readerName + " was removed");
                }
                if (slot.exclusive || mode == ShareMode.EXCLUSIVE && !slot.handles.isEmpty()) {
                    throw PcscException.of(ScardError.E_SHARING_VIOLATION, readerName + " is in use");
                }
                handle = new CardHandle(rm, this, slot, rm.newId(), mode, active);
                slot.handles.add(handle);
                if (mode == ShareMode.EXCLUSIVE) {
                    slot.exclusive = true;
                    slot.lockOwner = handle;
                    slot.lockCount = 1;
                }
                handles.add(handle);
                rm.registerHandle(handle);
                rm.changedLocked();
            } finally {
                rm.lock.unlock();
            }
        } finally {
            slot.io.unlock();
        }
        rm.publish();
        if (!valid) {
            handle.releaseWithContext();
            throw PcscException.of(ScardError.E_INVALID_HANDLE, "context released during connect");
        }
        return handle;
    }

    /**
     * Checks presence, powers the card if needed and negotiates the protocol (pcsc-lite's
     * SCardConnect / SCardReconnect middle part). Caller holds slot.io, not the state lock.
     * Returns the active protocol.
     */
    int prepareCard(Slot slot, ShareMode mode, int preferred) throws PcscException {
        if (mode != ShareMode.DIRECT) {
            boolean needPower;
            rm.lock.lock();
            try {
                if (!slot.present()) {
                    throw new CardUnavailableException(ScardError.E_NO_SMARTCARD, "no card in " + slot.name);
                }
                needPower = !slot.powered();
            } finally {
                rm.lock.unlock();
            }
            if (needPower) {
                ScardError e = rm.powerUp(slot, false);
                if (e != null) {
                    throw PcscException.of(e, "powering the card in " + slot.name);
                }
            }
        }
        rm.lock.lock();
        try {
            if (mode != ShareMode.DIRECT) {
                if (!slot.present()) {
                    throw new CardUnavailableException(ScardError.E_NO_SMARTCARD, "no card in " + slot.name);
                }
                if (slot.mute()) {
                    throw new CardUnavailableException(ScardError.W_UNRESPONSIVE_CARD, "the card in " + slot.name
                            + " does not answer");
                }
            }
            if ((preferred & Protocol.RAW) != 0) {
                slot.protocol = Protocol.RAW;
                return Protocol.RAW;
            }
            if (mode == ShareMode.DIRECT) {
                return Protocol.UNDEFINED;
            }
            if (slot.protocol == Protocol.UNDEFINED) {
                slot.protocol = negotiate(slot, preferred);
                rm.changedLocked();
            } else if ((preferred & slot.protocol) == 0 && (preferred & Protocol.ANY_OLD) == 0) {
                throw PcscException.of(ScardError.E_PROTO_MISMATCH, "card in " + slot.name + " already uses "
                        + Protocol.toString(slot.protocol));
            }
            return slot.protocol;
        } finally {
            rm.lock.unlock();
        }
    }

    /**
     * pcsc-lite's PHSetProtocol: the card's default protocol (TA2's in specific mode, else the first
     * offered) if requested; otherwise another offered and requested one, which needs PPS. Readers at
     * TPDU level leave PPS to the host, which the driver does not do yet: there it is a PPS failure
     * (SCARD_W_UNRESPONSIVE_CARD); readers at APDU level negotiate themselves.
     */
    private static int negotiate(Slot slot, int preferred) throws PcscException {
        if ((preferred & Protocol.ANY_OLD) != 0) {
            preferred |= Protocol.ANY;
        }
        int available = Protocol.T0;
        int deflt = Protocol.T0;
        boolean specific = false;
        try {
            Atr atr = Atr.parse(slot.atr);
            available = 0;
            for (int t : atr.protocols()) {
                available |= t == 0 ? Protocol.T0 : t == 1 ? Protocol.T1 : 0;
            }
            int first = atr.specificMode().map(m -> m.protocol()).orElse(atr.firstProtocol());
            specific = atr.specificMode().isPresent();
            deflt = first == 1 ? Protocol.T1 : Protocol.T0;
            available |= deflt;
        } catch (IllegalArgumentException e) {
            // An ATR that does not parse: T=0, as pcsc-lite's ATR handler defaults.
        }
        if ((preferred & deflt) != 0) {
            return deflt;
        }
        if (specific) {
            throw PcscException.of(ScardError.E_PROTO_MISMATCH, "card in specific mode "
                    + Protocol.toString(deflt) + ", requested 0x" + Integer.toHexString(preferred));
        }
        int other = (preferred & Protocol.T1 & available) != 0 ? Protocol.T1
                : (preferred & Protocol.T0 & available) != 0 ? Protocol.T0 : 0;
        if (other == 0) {
            throw PcscException.of(ScardError.E_PROTO_MISMATCH, "card offers 0x" + Integer.toHexString(available)
                    + ", requested 0x" + Integer.toHexString(preferred));
        }
        if ("TPDU".equalsIgnoreCase(slot.reader.info().exchangeLevel())) {
            throw PcscException.of(ScardError.W_UNRESPONSIVE_CARD, "PPS to " + Protocol.toString(other)
                    + " on TPDU-level reader " + slot.name + " is not supported");
        }
        return other;
    }

    // ------------------------------------------------------------------ status change

    /**
     * SCardGetStatusChange, computed as pcsc-lite's client does (pcscd-protocol §8.2, §8.4): fills each
     * query's event state and ATR and returns when one of them has CHANGED.
     *
     * @param timeoutMillis 0 for one look, negative or {@link StateFlags#INFINITE} for no limit
     * @throws PcscException SCARD_E_TIMEOUT, SCARD_E_CANCELLED ({@link #cancel()}, release, interrupt),
     *     SCARD_E_UNKNOWN_READER for a name unknown at the start, SCARD_E_INVALID_VALUE for a null name
     */
    public void getStatusChange(long timeoutMillis, List<ReaderStateQuery> queries) throws PcscException {
        check();
        long cancelSeen = cancels();
        long deadline = timeoutMillis == StateFlags.INFINITE ? Long.MAX_VALUE : ResourceManager.deadline(timeoutMillis);
        List<ReaderStateQuery> active = new ArrayList<>();
        for (ReaderStateQuery q : queries) {
            if (q.readerName() == null) {
                throw PcscException.of(ScardError.E_INVALID_VALUE, "null reader name");
            }
            q.setEventState(0);
            if ((q.currentState() & StateFlags.IGNORE) == 0) {
                active.add(q);
            }
        }
        if (active.isEmpty()) {
            return;
        }
        rm.lock.lock();
        try {
            for (ReaderStateQuery q : active) {
                if (rm.slot(q.readerName()) == null && !isPnp(q)) {
                    throw PcscException.of(ScardError.E_UNKNOWN_READER, q.readerName());
                }
            }
            int readerCountAtStart = rm.readerNames().size();
            while (true) {
                boolean changed = false;
                for (ReaderStateQuery q : active) {
                    changed |= evaluate(q, readerCountAtStart);
                }
                if (changed) {
                    return;
                }
                if (timeoutMillis == 0) {
                    throw new PcscTimeoutException("no change");
                }
                rm.await(this, cancelSeen, deadline);
            }
        } finally {
            rm.lock.unlock();
        }
    }

    private boolean isPnp(ReaderStateQuery q) {
        return q.isPnp() && rm.slot(q.readerName()) == null;
    }

    /** One pass of pcsc-lite's loop for one entry; caller holds the lock. Returns true if CHANGED. */
    private boolean evaluate(ReaderStateQuery q, int readerCountAtStart) {
        int cur = q.currentState();
        int ev = q.eventState();
        boolean brk = false;
        Slot s = rm.slot(q.readerName());
        if (s == null) {
            if (q.isPnp()) {
                int counter = rm.readerEventCounter();
                if (rm.readerNames().size() != readerCountAtStart) {
                    ev |= StateFlags.CHANGED;
                    brk = true;
                }
                if ((cur & 0xFFFF0000) != 0 && (cur >>> 16) != counter) {
                    ev |= StateFlags.CHANGED;
                    brk = true;
                }
                ev = (ev & 0xFFFF) | counter << 16;
            } else {
                ev = StateFlags.UNKNOWN | StateFlags.UNAVAILABLE | (ev & StateFlags.CHANGED);
                if ((cur & StateFlags.UNKNOWN) == 0) {
                    ev |= StateFlags.CHANGED;
                    brk = true;
                }
            }
            q.setEventState(ev);
            q.setAtr(new byte[0]);
            return brk;
        }
        if ((cur & StateFlags.UNKNOWN) != 0) {
            ev |= StateFlags.CHANGED;
            ev &= ~StateFlags.UNKNOWN;
            brk = true;
        }
        int rs = s.readerState;
        if ((cur & 0xFFFF0000) != 0 && (cur >>> 16) != s.eventCounter) {
            ev |= StateFlags.CHANGED;
            brk = true;
        }
        ev = (ev & 0xFFFF) | s.eventCounter << 16;
        if ((rs & ReaderStates.UNKNOWN) != 0) {
            ev = StateFlags.UNAVAILABLE | (ev & StateFlags.CHANGED);
            if ((cur & StateFlags.UNAVAILABLE) == 0) {
                ev |= StateFlags.CHANGED;
                brk = true;
            }
        } else if ((cur & StateFlags.UNAVAILABLE) != 0) {
            ev &= ~StateFlags.UNAVAILABLE;
            ev |= StateFlags.CHANGED;
            brk = true;
        }
        q.setAtr((rs & ReaderStates.PRESENT) != 0 ? s.atr.clone() : new byte[0]);
        if ((rs & ReaderStates.ABSENT) != 0) {
            ev |= StateFlags.EMPTY;
            ev &= ~(StateFlags.PRESENT | StateFlags.IGNORE | StateFlags.UNKNOWN | StateFlags.UNAVAILABLE
                    | StateFlags.ATRMATCH | StateFlags.MUTE | StateFlags.INUSE);
            if ((cur & StateFlags.PRESENT) != 0) {
                ev |= StateFlags.CHANGED;
                brk = true;
            }
        } else if ((rs & ReaderStates.PRESENT) != 0) {
            ev |= StateFlags.PRESENT;
            ev &= ~(StateFlags.EMPTY | StateFlags.IGNORE | StateFlags.UNKNOWN | StateFlags.UNAVAILABLE | StateFlags.MUTE);
            if ((cur & StateFlags.EMPTY) != 0) {
                ev |= StateFlags.CHANGED;
                brk = true;
            }
            if ((rs & ReaderStates.SWALLOWED) != 0) {
                ev |= StateFlags.MUTE;
                if ((cur & StateFlags.MUTE) == 0) {
                    ev |= StateFlags.CHANGED;
                    brk = true;
                }
            } else if ((cur & StateFlags.MUTE) != 0) {
                ev |= StateFlags.CHANGED;
                brk = true;
            }
        }
        int sharing = s.sharing();
        if (sharing == ReaderStates.SHARING_EXCLUSIVE) {
            ev |= StateFlags.EXCLUSIVE;
            ev &= ~StateFlags.INUSE;
            if ((cur & StateFlags.INUSE) != 0) {
                ev |= StateFlags.CHANGED;
                brk = true;
            }
        } else if (sharing >= 1) {
            if ((rs & ReaderStates.PRESENT) != 0) {
                ev |= StateFlags.INUSE;
                ev &= ~StateFlags.EXCLUSIVE;
                if ((cur & StateFlags.EXCLUSIVE) != 0) {
                    ev |= StateFlags.CHANGED;
                    brk = true;
                }
            }
        } else {
            ev &= ~(StateFlags.INUSE | StateFlags.EXCLUSIVE);
            if ((cur & (StateFlags.INUSE | StateFlags.EXCLUSIVE)) != 0) {
                ev |= StateFlags.CHANGED;
                brk = true;
            }
        }
        if (cur == StateFlags.UNAWARE) {
            ev |= StateFlags.CHANGED;
            brk = true;
        }
        q.setEventState(ev);
        return brk;
    }

    @Override
    public String toString() {
        return String.format("Context[0x%08X %s%s]", id, clientLabel, valid ? "" : " released");
    }

    static Disposition disposition(int code) throws PcscException {
        Disposition d = Disposition.of(code);
        if (d == null) {
            throw PcscException.of(ScardError.E_INVALID_VALUE, "disposition " + code);
        }
        return d;
    }
}
