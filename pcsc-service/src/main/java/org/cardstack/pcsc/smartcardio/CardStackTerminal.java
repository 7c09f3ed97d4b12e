package org.cardstack.pcsc.smartcardio;

import java.util.List;
import javax.smartcardio.Card;
import javax.smartcardio.CardException;
import javax.smartcardio.CardTerminal;
import org.cardstack.pcsc.PcscException;
import org.cardstack.pcsc.Protocol;
import org.cardstack.pcsc.ReaderStates;
import org.cardstack.pcsc.ScardError;
import org.cardstack.pcsc.ShareMode;
import org.cardstack.pcsc.StateFlags;
import org.cardstack.pcsc.manager.CardHandle;
import org.cardstack.pcsc.manager.Context;
import org.cardstack.pcsc.manager.ReaderState;
import org.cardstack.pcsc.manager.ReaderStateQuery;

/**
 * A terminal, found by name: the object stays usable when its reader is unplugged and plugged again
 * under the same name. Thread-safe.
 */
public final class CardStackTerminal extends CardTerminal {
    private final CardStackTerminals terminals;
    private final String name;
    private CardStackCard card;

    CardStackTerminal(CardStackTerminals terminals, String name) {
        this.terminals = terminals;
        this.name = name;
    }

    @Override
    public String getName() { return name; }

    /**
     * Connects: "T=0", "T=1", "*" (T=0 or T=1) share the card; "DIRECT" talks to the reader (no card
     * needed). An "EXCLUSIVE;" prefix (jnasmartcardio's convention) connects exclusively. As in SunPCSC,
     * a card still connected through this terminal is returned again for "*" or its own protocol.
     */
    @Override
    public synchronized Card connect(String protocol) throws CardException {
        if (protocol == null) {
            throw new NullPointerException("protocol");
        }
        String p = protocol.trim();
        ShareMode mode = ShareMode.SHARED;
        if (p.regionMatches(true, 0, "EXCLUSIVE;", 0, 10)) {
            mode = ShareMode.EXCLUSIVE;
            p = p.substring(10).trim();
        }
        int preferred;
        if (p.equals("*")) {
            preferred = Protocol.T0 | Protocol.T1;
        } else if (p.equalsIgnoreCase("T=0")) {
            preferred = Protocol.T0;
        } else if (p.equalsIgnoreCase("T=1")) {
            preferred = Protocol.T1;
        } else if (p.equalsIgnoreCase("DIRECT")) {
            preferred = 0;
            if (mode == ShareMode.SHARED) {
                mode = ShareMode.DIRECT;
            }
        } else {
            throw new IllegalArgumentException("Unsupported protocol " + protocol);
        }
        if (card != null) {
            if (card.isValid()) {
                if (p.equals("*") || p.equalsIgnoreCase(card.getProtocol())) {
                    return card;
                }
                throw new CardException("Cannot connect using " + protocol + ", connection already established using "
                        + card.getProtocol());
            }
            card = null;
        }
        Context ctx = terminals.context();
        CardHandle h;
        try {
            h = ctx.connect(name, mode, preferred);
        } catch (PcscException e) {
            throw Errors.cardException("connect() failed", e);
        }
        card = new CardStackCard(this, h);
        return card;
    }

    Context context() throws CardException { return terminals.context(); }

    @Override
    public boolean isCardPresent() throws CardException {
        ReaderState st = terminals.manager().readerState(name);
        return st != null && (st.readerState() & ReaderStates.PRESENT) != 0;
    }

    @Override
    public boolean waitForCardPresent(long timeout) throws CardException {
        return waitFor(true, timeout);
    }

    @Override
    public boolean waitForCardAbsent(long timeout) throws CardException {
        return waitFor(false, timeout);
    }

    /**
     * Waits for presence (or absence) of a card. An unplugged reader has no card (absent); waiting
     * for a card waits for the reader to come back with one.
     */
    private boolean waitFor(boolean present, long timeout) throws CardException {
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout is negative");
        }
        long deadline = timeout == 0 ? Long.MAX_VALUE : System.nanoTime() + timeout * 1_000_000L;
        Context ctx = terminals.context();
        int pnp = 0;
        int known = StateFlags.UNAWARE;
        while (true) {
            ReaderState st = ctx.manager().readerState(name);
            if ((st != null && (st.readerState() & ReaderStates.PRESENT) != 0) == present) {
                return true;
            }
            long left = deadline == Long.MAX_VALUE ? -1 : (deadline - System.nanoTime()) / 1_000_000L;
            if (deadline != Long.MAX_VALUE && left <= 0) {
                return false;
            }
            ReaderStateQuery pnpQuery = ReaderStateQuery.pnp(pnp);
            List<ReaderStateQuery> queries = st == null ? List.of(pnpQuery)
                    : List.of(new ReaderStateQuery(name, known == StateFlags.UNAWARE
                            ? (st.eventCounter() << 16) | ((st.readerState() & ReaderStates.PRESENT) != 0
                            ? StateFlags.PRESENT : StateFlags.EMPTY) : known), pnpQuery);
            try {
                ctx.getStatusChange(left, queries);
            } catch (PcscException e) {
                if (e.error() == ScardError.E_TIMEOUT) {
                    return false;
                }
                if (e.error() == ScardError.E_UNKNOWN_READER) {
                    continue;
                }
                throw Errors.cardException("waiting for the card", e);
            }
            pnp = pnpQuery.eventState() & ~StateFlags.CHANGED;
            known = StateFlags.UNAWARE;
        }
    }

    @Override
    public String toString() { return "PC/SC terminal " + name; }
}
