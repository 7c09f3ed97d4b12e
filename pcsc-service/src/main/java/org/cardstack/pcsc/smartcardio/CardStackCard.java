package org.cardstack.pcsc.smartcardio;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.locks.ReentrantLock;
import javax.smartcardio.ATR;
import javax.smartcardio.Card;
import javax.smartcardio.CardChannel;
import javax.smartcardio.CardException;
import org.cardstack.iso7816.apdu.ApduFormatException;
import org.cardstack.iso7816.apdu.CommandApdu;
import org.cardstack.pcsc.CardResetException;
import org.cardstack.pcsc.CardUnavailableException;
import org.cardstack.pcsc.Disposition;
import org.cardstack.pcsc.PcscException;
import org.cardstack.pcsc.Protocol;
import org.cardstack.pcsc.ReaderUnavailableException;
import org.cardstack.pcsc.ScardError;
import org.cardstack.pcsc.SharingViolationException;
import org.cardstack.pcsc.manager.CardHandle;

/**
 * A connected card. Thread-safe: APDU exchanges (with their GET RESPONSE / Le-correction rounds) are
 * atomic per card. While another application holds a transaction on the reader, exchanges wait for
 * it to end, as pcsc-lite's client library does.
 *
 * <p>T=0 / T=1 response handling as SunPCSC, with its system properties, read at connect:
 * {@code sun.security.smartcardio.t0GetResponse} (default true: 61xx is followed by GET RESPONSE and
 * 6Cxx repeats the command with Le = xx on T=0), {@code sun.security.smartcardio.t1GetResponse}
 * (default true: the same on T=1), {@code sun.security.smartcardio.t1StripLe} (default false: strip
 * Le from case 4 commands on T=1).
 */
public final class CardStackCard extends Card {
    private static final int MAX_ROUNDS = 256;
    private static final int MAX_RESPONSE = 65_538;

    private enum State { OK, REMOVED, DISCONNECTED }

    private final CardStackTerminal terminal;
    private final CardHandle handle;
    private final ATR atr;
    private final String protocolName;
    private final int pci;
    private final CardStackChannel basic;
    private final ReentrantLock io = new ReentrantLock();
    final boolean getResponse;
    final boolean stripLe;
    private volatile State state = State.OK;
    private volatile Thread exclusiveThread;

    CardStackCard(CardStackTerminal terminal, CardHandle handle) throws CardException {
        this.terminal = terminal;
        this.handle = handle;
        int p = handle.activeProtocol();
        this.pci = p == Protocol.UNDEFINED ? Protocol.ANY_OLD : p;
        this.protocolName = switch (p) {
            case Protocol.T0 -> "T=0";
            case Protocol.T1 -> "T=1";
            case Protocol.RAW -> "RAW";
            default -> "DIRECT";
        };
        byte[] atrBytes;
        try {
            atrBytes = p == Protocol.UNDEFINED ? handle.getAttrib(org.cardstack.pcsc.Attributes.ATR_STRING)
                    : handle.status().atr();
        } catch (PcscException e) {
            atrBytes = new byte[0];
        }
        this.atr = new ATR(atrBytes);
        this.getResponse = p == Protocol.T0 ? property("sun.security.smartcardio.t0GetResponse", true)
                : p == Protocol.T1 && property("sun.security.smartcardio.t1GetResponse", true);
        this.stripLe = p == Protocol.T1 && property("sun.security.smartcardio.t1StripLe", false);
        this.basic = new CardStackChannel(this, 0);
    }

    private static boolean property(String name, boolean dflt) {
        String v = System.getProperty(name);
        return v == null ? dflt : Boolean.parseBoolean(v.trim());
    }

    /** The manager's handle behind this card (for attributes, reconnect, or the daemon's view). */
    public CardHandle handle() { return handle; }

    /**
     * True while this card can be used: connected, and its card neither removed nor its reader gone.
     * A card found removed is disconnected here, so the terminal makes a new one.
     */
    boolean isValid() {
        if (state == State.OK && handle.pendingEvent() == ScardError.W_REMOVED_CARD) {
            state = State.REMOVED;
            exclusiveThread = null;
            try {
                handle.disconnect(Disposition.LEAVE);
            } catch (PcscException ignored) {
                // gone with its card
            }
        }
        return state == State.OK && !handle.isDisconnected();
    }

    void checkState() {
        State s = state;
        if (s == State.DISCONNECTED || handle.isDisconnected() && s == State.OK) {
            throw new IllegalStateException("Card has been disconnected");
        }
        if (s == State.REMOVED) {
            throw new IllegalStateException("Card has been removed");
        }
    }

    void checkExclusive() throws CardException {
        Thread t = exclusiveThread;
        if (t != null && t != Thread.currentThread()) {
            throw new CardException("Exclusive access established by another Thread");
        }
    }

    @Override
    public ATR getATR() { return atr; }

    /** "T=0", "T=1", or "DIRECT" for a direct connection. */
    @Override
    public String getProtocol() { return protocolName; }

    @Override
    public CardChannel getBasicChannel() {
        checkState();
        return basic;
    }

    /** Opens a logical channel with MANAGE CHANNEL open (00 70 00 00 01, ISO/IEC 7816-4 §11.1.2). */
    @Override
    public CardChannel openLogicalChannel() throws CardException {
        checkState();
        checkExclusive();
        byte[] r = exchange(new byte[] {0x00, 0x70, 0x00, 0x00, 0x01}, false);
        if (r.length != 3 || r[1] != (byte) 0x90 || r[2] != 0x00) {
            throw new CardException("openLogicalChannel() failed, card response: " + hex(r));
        }
        return new CardStackChannel(this, r[0] & 0xFF);
    }

    @Override
    public void beginExclusive() throws CardException {
        checkState();
        if (exclusiveThread != null) {
            throw new CardException("Exclusive access has already been assigned to Thread " + exclusiveThread.getName());
        }
        try {
            handle.beginTransaction();
        } catch (PcscException e) {
            throw failure("beginExclusive() failed", e);
        }
        exclusiveThread = Thread.currentThread();
    }

    @Override
    public void endExclusive() throws CardException {
        checkState();
        if (exclusiveThread != Thread.currentThread()) {
            throw new IllegalStateException("Exclusive access not assigned to current Thread");
        }
        try {
            handle.endTransaction(Disposition.LEAVE);
        } catch (PcscException e) {
            throw failure("endExclusive() failed", e);
        } finally {
            exclusiveThread = null;
        }
    }

    @Override
    public byte[] transmitControlCommand(int controlCode, byte[] command) throws CardException {
        checkState();
        checkExclusive();
        if (command == null) {
            throw new NullPointerException("command");
        }
        try {
            return handle.control(controlCode, command);
        } catch (PcscException e) {
            throw failure("transmitControlCommand() failed", e);
        }
    }

    /** SCardGetAttrib, which javax.smartcardio has no method for. */
    public byte[] getAttrib(int attribute) throws CardException {
        checkState();
        try {
            return handle.getAttrib(attribute);
        } catch (PcscException e) {
            throw failure("getAttrib() failed", e);
        }
    }

    @Override
    public void disconnect(boolean reset) throws CardException {
        if (state != State.OK) {
            return;
        }
        checkExclusive();
        try {
            handle.disconnect(reset ? Disposition.RESET : Disposition.LEAVE);
        } catch (PcscException e) {
            if (e.error() != ScardError.E_INVALID_HANDLE) {
                throw new CardException("disconnect() failed: " + e.getMessage(), e);
            }
        } finally {
            state = State.DISCONNECTED;
            exclusiveThread = null;
        }
    }

    /**
     * One command and its GET RESPONSE / 6Cxx rounds, atomically. {@code rounds} false: the
     * exchange is sent as it is (MANAGE CHANNEL).
     */
    byte[] exchange(byte[] command, boolean rounds) throws CardException {
        io.lock();
        try {
            if (!rounds || !getResponse && !stripLe) {
                return send(command);
            }
            CommandApdu apdu = null; // parsed only when needed: Le stripping or a 6Cxx answer
            if (stripLe) {
                apdu = parse(command);
                if (apdu.nc() > 0 && apdu.ne() > 0) {
                    apdu = CommandApdu.of(apdu.cla(), apdu.ins(), apdu.p1(), apdu.p2(), apdu.data(), 0);
                    command = apdu.toBytes();
                }
            }
            ByteArrayOutputStream data = null;
            byte[] next = command;
            for (int round = 0; round < MAX_ROUNDS; round++) {
                byte[] r = send(next);
                int n = r.length;
                if (getResponse && n >= 2) {
                    int sw1 = r[n - 2] & 0xFF;
                    int sw2 = r[n - 1] & 0xFF;
                    if (n == 2 && sw1 == 0x6C) {
                        // ISO/IEC 7816-3 §12.2.2 / 7816-4 §5.1.3: wrong Le, repeat with Le = SW2.
                        if (apdu == null) {
                            apdu = parse(command);
                        }
                        next = CommandApdu.of(apdu.cla(), apdu.ins(), apdu.p1(), apdu.p2(), apdu.data(),
                                sw2 == 0 ? 256 : sw2).toBytes();
                        continue;
                    }
                    if (sw1 == 0x61) {
                        if (data == null) {
                            data = new ByteArrayOutputStream();
                        }
                        data.write(r, 0, n - 2);
                        if (data.size() > MAX_RESPONSE) {
                            throw new CardException("response longer than " + MAX_RESPONSE + " bytes");
                        }
                        next = new byte[] {(byte) getResponseCla(command[0] & 0xFF), (byte) 0xC0, 0, 0, (byte) sw2};
                        continue;
                    }
                }
                if (data == null) {
                    return r;
                }
                data.write(r, 0, n);
                return data.toByteArray();
            }
            throw new CardException("more than " + MAX_ROUNDS + " GET RESPONSE / 6Cxx rounds");
        } finally {
            io.unlock();
        }
    }

    private static CommandApdu parse(byte[] command) {
        try {
            return CommandApdu.parse(command);
        } catch (ApduFormatException e) {
            throw new IllegalArgumentException("not a command APDU: " + e.getMessage(), e);
        }
    }

    /**
     * CLA of GET RESPONSE: the command's logical channel without secure messaging or chaining bits
     * (ISO/IEC 7816-4 §5.4.1); 00 after a proprietary class (as EMV cards require).
     */
    static int getResponseCla(int cla) {
        if ((cla & 0x80) != 0) {
            return 0x00;
        }
        return (cla & 0x40) != 0 ? cla & 0x4F : cla & 0x03;
    }

    /** One SCardTransmit, waiting while another application holds a transaction. */
    private byte[] send(byte[] command) throws CardException {
        while (true) {
            try {
                return handle.transmit(pci, command);
            } catch (SharingViolationException e) {
                try {
                    handle.awaitAccess(-1);
                } catch (PcscException e2) {
                    throw failure("transmit() failed", e2);
                }
            } catch (PcscException e) {
                throw failure("transmit() failed", e);
            }
        }
    }

    /**
     * The CardException for a failed call. A removed card or reader makes this card invalid (later
     * calls: IllegalStateException, as SunPCSC); a reset by another application reconnects at once,
     * so only the call that meets the reset fails.
     */
    CardException failure(String what, PcscException e) {
        if (e instanceof CardUnavailableException && (e.error() == ScardError.W_REMOVED_CARD
                || e.error() == ScardError.E_NO_SMARTCARD) || e instanceof ReaderUnavailableException) {
            state = State.REMOVED;
            exclusiveThread = null;
            try {
                handle.disconnect(Disposition.LEAVE);
            } catch (PcscException ignored) {
                // the handle is gone with its card or reader
            }
        } else if (e instanceof CardResetException) {
            try {
                handle.reconnect(handle.shareMode(), handle.activeProtocol() == 0 ? Protocol.ANY : handle.activeProtocol(),
                        Disposition.LEAVE);
            } catch (PcscException ignored) {
                // the next call reports what is wrong
            }
        }
        return Errors.cardException(what, e);
    }

    static String hex(byte[] b) { return java.util.HexFormat.of().withUpperCase().formatHex(b); }

    @Override
    public String toString() {
        return "PC/SC card in " + terminal.getName() + ", protocol " + protocolName + ", state " + state;
    }
}
