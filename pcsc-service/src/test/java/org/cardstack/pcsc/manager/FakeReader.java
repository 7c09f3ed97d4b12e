package org.cardstack.pcsc.manager;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.cardstack.reader.CardAbsentException;
import org.cardstack.reader.CardUnpoweredException;
import org.cardstack.reader.Reader;
import org.cardstack.reader.ReaderException;
import org.cardstack.reader.ReaderGoneException;
import org.cardstack.reader.ReaderInfo;
import org.cardstack.reader.SlotState;

/** A reader whose cards answer with a function (default: echo the APDU + 9000). */
final class FakeReader implements Reader {
    /** T=0 and T=1 offered, T=0 first. */
    static final byte[] ATR_T0_T1 = HexFormat.of().parseHex("3B8A80014A434F503331563233327A");
    static final byte[] ATR_T0 = HexFormat.of().parseHex("3B0A4A434F50333156323332");

    final ReaderInfo info;
    final SlotState[] states;
    final byte[][] atrs;
    final byte[][] cardAtr;
    volatile boolean gone;
    volatile UnaryOperator<byte[]> card = apdu -> {
        byte[] r = Arrays.copyOf(apdu, apdu.length + 2);
        r[apdu.length] = (byte) 0x90;
        return r;
    };
    final AtomicInteger powerOns = new AtomicInteger();
    final AtomicInteger transmits = new AtomicInteger();

    FakeReader(String name, int slots, String level) {
        info = new ReaderInfo(name, "Fake Vendor", "Fake Product", "SN1", 0x1209, 0x0001, 0x0102, slots, 261,
                0x00200102, level);
        states = new SlotState[slots];
        atrs = new byte[slots][];
        cardAtr = new byte[slots][];
        Arrays.fill(states, SlotState.ABSENT);
    }

    FakeReader(String name) { this(name, 1, "Short APDU"); }

    synchronized FakeReader insert(int slot, byte[] atr) {
        states[slot] = SlotState.PRESENT;
        cardAtr[slot] = atr.clone();
        atrs[slot] = null;
        return this;
    }

    synchronized void remove(int slot) {
        states[slot] = SlotState.ABSENT;
        cardAtr[slot] = null;
        atrs[slot] = null;
    }

    @Override
    public ReaderInfo info() { return info; }

    @Override
    public boolean isGone() { return gone; }

    private void check() throws ReaderGoneException {
        if (gone) {
            throw new ReaderGoneException("gone");
        }
    }

    @Override
    public synchronized SlotState slotState(int slot) throws ReaderException {
        check();
        return states[slot];
    }

    @Override
    public synchronized byte[] powerOn(int slot) throws ReaderException {
        check();
        if (states[slot] == SlotState.ABSENT) {
            throw new CardAbsentException("absent");
        }
        powerOns.incrementAndGet();
        states[slot] = SlotState.POWERED;
        atrs[slot] = cardAtr[slot];
        return atrs[slot].clone();
    }

    @Override
    public synchronized void powerOff(int slot) throws ReaderException {
        check();
        if (states[slot] == SlotState.POWERED) {
            states[slot] = SlotState.PRESENT;
        }
        atrs[slot] = null;
    }

    @Override
    public synchronized byte[] atr(int slot) { return atrs[slot] == null ? null : atrs[slot].clone(); }

    @Override
    public byte[] transmit(int slot, byte[] commandApdu) throws ReaderException {
        check();
        synchronized (this) {
            if (states[slot] == SlotState.ABSENT) {
                throw new CardAbsentException("absent");
            }
            if (states[slot] != SlotState.POWERED) {
                throw new CardUnpoweredException("unpowered");
            }
        }
        transmits.incrementAndGet();
        return card.apply(commandApdu);
    }

    @Override
    public byte[] escape(int slot, byte[] command) throws ReaderException {
        check();
        byte[] r = command.clone();
        for (int i = 0; i < r.length; i++) {
            r[i] ^= (byte) 0xFF;
        }
        return r;
    }

    @Override
    public String toString() { return info.name(); }
}
