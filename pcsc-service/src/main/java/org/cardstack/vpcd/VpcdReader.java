package org.cardstack.vpcd;

import java.io.IOException;
import java.net.Socket;
import java.util.HexFormat;
import java.util.concurrent.ScheduledExecutorService;
import org.cardstack.iso7816.atr.Atr;
import org.cardstack.reader.CardAbsentException;
import org.cardstack.reader.CardUnpoweredException;
import org.cardstack.reader.NotSupportedException;
import org.cardstack.reader.Reader;
import org.cardstack.reader.ReaderException;
import org.cardstack.reader.ReaderGoneException;
import org.cardstack.reader.ReaderInfo;
import org.cardstack.reader.SlotState;
import org.cardstack.vpcd.wire.VpcdCommand;
import org.cardstack.vpcd.wire.VpcdWire;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One vpcd reader: one slot, holding a card while a vicc peer is connected to its port (or, in reverse
 * mode, while cardstack is connected to the peer). A peer is a card only after it answered the ATR
 * request with a well-formed ATR; until then nobody sees it.
 */
final class VpcdReader implements Reader {
    private static final Logger LOG = LoggerFactory.getLogger(VpcdReader.class);
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    /** Called by the reader when its card comes or goes. */
    interface Events {
        void slotChanged(VpcdReader reader, SlotState state);
    }

    private final ReaderInfo info;
    private final VpcdOptions options;
    private final ScheduledExecutorService timer;
    private final Events events;
    private final Object op = new Object();     // one operation at a time
    private final Object state = new Object();  // peer, powered, atr change together (no I/O under it)
    private volatile VpcdPeer peer;
    private volatile boolean powered;
    private volatile byte[] atr;
    private volatile boolean gone;
    private volatile boolean forcedOut;

    VpcdReader(String name, String where, VpcdOptions options, ScheduledExecutorService timer, Events events) {
        this.info = new ReaderInfo(name, "cardstack", "vpcd " + where, "", 0, 0, 0x0100, 1, VpcdWire.MAX_PAYLOAD,
                0, "Extended APDU");
        this.options = options;
        this.timer = timer;
        this.events = events;
    }

    @Override
    public ReaderInfo info() { return info; }

    @Override
    public boolean isGone() { return gone; }

    /** True while a card (an accepted peer) is connected. */
    boolean hasCard() { return peer != null; }

    /** Where the current card connected from, or null. */
    String peerLabel() {
        VpcdPeer p = peer;
        return p == null ? null : p.label();
    }

    /**
     * Takes a new connection: asks for the ATR and, if a well-formed one comes in time, makes it this
     * reader's card. Otherwise the connection is closed with a log line. Called on the accepting (or
     * connecting) thread; returns when the peer was accepted or refused.
     *
     * @return true if the peer became the card
     */
    boolean offer(Socket socket) {
        VpcdPeer p;
        try {
            p = new VpcdPeer(socket, options.maxResponse(), timer);
        } catch (IOException e) {
            LOG.warn("vpcd {}: connection failed at once: {}", info.name(), e.getMessage());
            close(socket);
            return false;
        }
        if (gone) {
            close(socket);
            return false;
        }
        if (peer != null) {
            LOG.warn("vpcd {}: peer {} refused: a card is already connected ({})", info.name(), p.label(), peerLabel());
            close(socket);
            return false;
        }
        p.start("cardstack-vpcd-" + p.label(), reason -> peerEnded(p, reason));
        byte[] a;
        try {
            a = p.exchange(VpcdWire.encode(VpcdCommand.Control.ATR), VpcdPeer.ATR, options.handshakeMillis());
        } catch (VpcdPeer.PeerGoneException | VpcdPeer.PeerTimeoutException e) {
            LOG.warn("vpcd {}: peer {} dropped before it was a card: {}", info.name(), p.label(), e.getMessage());
            return false;
        }
        try {
            Atr.parse(a);
        } catch (IllegalArgumentException e) {
            p.end("answered the ATR request with " + HEX.formatHex(a) + ", which is no ATR");
            LOG.warn("vpcd {}: peer {} dropped: its ATR {} does not parse: {}", info.name(), p.label(), HEX.formatHex(a),
                    e.getMessage());
            return false;
        }
        synchronized (state) {
            if (gone || peer != null || p.isGone()) {
                p.end(gone ? "reader closed" : "another card came first");
                return false;
            }
            peer = p;
            atr = null;
            powered = false;
            forcedOut = false;
        }
        LOG.info("vpcd {}: card inserted: peer {}, ATR {}", info.name(), p.label(), HEX.formatHex(a));
        events.slotChanged(this, SlotState.PRESENT);
        return true;
    }

    private void peerEnded(VpcdPeer p, String reason) {
        boolean wasCard;
        synchronized (state) {
            wasCard = peer == p;
            if (wasCard) {
                peer = null;
                powered = false;
                atr = null;
            }
        }
        if (wasCard) {
            if (forcedOut) {
                LOG.info("vpcd {}: card removed: peer {} ({})", info.name(), p.label(), reason);
            } else if ("disconnected".equals(reason)) {
                LOG.info("vpcd {}: card removed: peer {} disconnected", info.name(), p.label());
            } else {
                LOG.warn("vpcd {}: card removed: peer {} dropped: {}", info.name(), p.label(), reason);
            }
            events.slotChanged(this, SlotState.ABSENT);
        }
    }

    /** Removes the card: disconnects its peer (a vicc then exits or reconnects, as it does with vpcd). */
    boolean eject(String why) {
        VpcdPeer p = peer;
        if (p == null) {
            return false;
        }
        forcedOut = true;
        p.end(why);
        return true;
    }

    /** Ends the reader for good: its card (if any) is disconnected. */
    void markGone() {
        gone = true;
        eject("reader closed");
    }

    @Override
    public SlotState slotState(int slot) throws ReaderException {
        checkSlot(slot);
        checkGone();
        return peer == null ? SlotState.ABSENT : powered ? SlotState.POWERED : SlotState.PRESENT;
    }

    @Override
    public byte[] powerOn(int slot) throws ReaderException {
        checkSlot(slot);
        synchronized (op) {
            VpcdPeer p = card();
            try {
                p.send(VpcdWire.encode(powered ? VpcdCommand.Control.RESET : VpcdCommand.Control.POWER_ON),
                        options.responseMillis());
                byte[] a = p.exchange(VpcdWire.encode(VpcdCommand.Control.ATR), VpcdPeer.ATR, options.responseMillis());
                try {
                    Atr.parse(a);
                } catch (IllegalArgumentException e) {
                    p.end("its ATR does not parse: " + e.getMessage());
                    throw new CardAbsentException(info.name() + ": card dropped: its ATR " + HEX.formatHex(a)
                            + " does not parse: " + e.getMessage());
                }
                synchronized (state) {
                    if (peer != p) {
                        throw absent(p.endReason());
                    }
                    atr = a;
                    powered = true;
                }
                return a.clone();
            } catch (VpcdPeer.PeerGoneException e) {
                throw absent(e.getMessage());
            } catch (VpcdPeer.PeerTimeoutException e) {
                throw dropped(e.getMessage());
            }
        }
    }

    @Override
    public void powerOff(int slot) throws ReaderException {
        checkSlot(slot);
        synchronized (op) {
            VpcdPeer p = card();
            try {
                p.send(VpcdWire.encode(VpcdCommand.Control.POWER_OFF), options.responseMillis());
            } catch (VpcdPeer.PeerGoneException e) {
                throw absent(e.getMessage());
            }
            synchronized (state) {
                powered = false;
                atr = null;
            }
        }
    }

    @Override
    public byte[] atr(int slot) {
        checkSlot(slot);
        byte[] a = atr;
        return powered && a != null ? a.clone() : null;
    }

    @Override
    public byte[] transmit(int slot, byte[] commandApdu) throws ReaderException {
        checkSlot(slot);
        if (commandApdu.length < 4 || commandApdu.length > VpcdWire.MAX_PAYLOAD) {
            throw new NotSupportedException(info.name() + ": command APDU of " + commandApdu.length
                    + " bytes (vpcd carries 4 to 65535)");
        }
        synchronized (op) {
            VpcdPeer p = card();
            if (!powered) {
                throw new CardUnpoweredException(info.name() + ": card not powered");
            }
            byte[] r;
            try {
                r = p.exchange(VpcdWire.encode(new VpcdCommand.Apdu(commandApdu)), VpcdPeer.RESPONSE,
                        options.responseMillis());
            } catch (VpcdPeer.PeerGoneException e) {
                throw absent(e.getMessage());
            } catch (VpcdPeer.PeerTimeoutException e) {
                throw dropped(e.getMessage());
            }
            if (r.length < 2) {
                p.end("answered an APDU with " + r.length + " byte(s), no status word");
                throw absent("card dropped: its answer has no status word");
            }
            return r;
        }
    }

    @Override
    public byte[] escape(int slot, byte[] command) throws ReaderException {
        checkSlot(slot);
        throw new NotSupportedException(info.name() + ": the vpcd protocol has no escape commands");
    }

    private VpcdPeer card() throws ReaderException {
        checkGone();
        VpcdPeer p = peer;
        if (p == null) {
            throw new CardAbsentException(info.name() + ": no card (no vicc connected)");
        }
        return p;
    }

    /**
     * A card that does not answer in time is disconnected, so it is a removed card: PC/SC clients get
     * SCARD_W_REMOVED_CARD rather than a transmit error followed by a removal.
     */
    private CardAbsentException dropped(String reason) {
        return new CardAbsentException(info.name() + ": card dropped: " + reason);
    }

    private CardAbsentException absent(String reason) {
        return new CardAbsentException(info.name() + ": card removed during the command (" + reason + ")");
    }

    private void checkGone() throws ReaderGoneException {
        if (gone) {
            throw new ReaderGoneException(info.name() + ": reader closed");
        }
    }

    private static void checkSlot(int slot) {
        if (slot != 0) {
            throw new IllegalArgumentException("slot " + slot + " out of range 0..0");
        }
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public String toString() { return info.name(); }
}
