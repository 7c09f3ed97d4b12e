package org.cardstack.sim.card;

import java.util.HexFormat;

/**
 * Answer-to-reset helpers (ISO/IEC 7816-3 §8): the ATRs the simulator offers, and a small parser for
 * the interface bytes a reader needs (protocols offered, TA1, TC1, T=0's WI, T=1's IFSC, BWI/CWI).
 */
public final class Atr {
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    /**
     * The default ATR: direct convention, TD1 = 80 (T=0, TD2 follows), TD2 = 01 (T=1), the historical
     * bytes "JCOP31V232" as in jCardSim's own ATR, and TCK (present because T=1 is offered). Offers T=0
     * first, then T=1: {@code 3B 8A 80 01 4A 43 4F 50 33 31 56 32 33 32 7A}.
     */
    public static final String DEFAULT_HEX = "3B8A80014A434F503331563233327A";

    /** The usb-rig's T=0-only ATR (no TD1, so T=0 and no TCK): {@code 3B 0A 4A 43 4F 50 33 31 56 32 33 32}. */
    public static final String RIG_T0_HEX = "3B0A4A434F50333156323332";

    private Atr() {
    }

    public static byte[] defaultAtr() { return HEX.parseHex(DEFAULT_HEX); }

    public static byte[] rigT0Atr() { return HEX.parseHex(RIG_T0_HEX); }

    /** What the reader needs from an ATR. Absent bytes are -1. */
    public record Info(boolean inverseConvention, int protocols, int ta1, int tc1, int t0WaitingInteger,
                       int ifsc, int tb3, int firstProtocol, int historicalLength, boolean tckPresent) {
        public boolean offersT0() { return (protocols & 1) != 0; }

        public boolean offersT1() { return (protocols & 2) != 0; }
    }

    /**
     * Parses and checks an ATR: TS is 3B or 3F, the interface bytes and K historical bytes fit, TCK is
     * present exactly when a protocol other than T=0 is indicated and makes T0..TCK XOR to 0, and nothing
     * follows. At most 33 bytes.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static Info parse(byte[] atr) {
        if (atr.length < 2 || atr.length > 33) {
            throw new IllegalArgumentException("ATR of " + atr.length + " bytes (2 to 33)");
        }
        int ts = atr[0] & 0xFF;
        if (ts != 0x3B && ts != 0x3F) {
            throw new IllegalArgumentException(String.format("ATR TS %02X (3B or 3F)", ts));
        }
        int t0 = atr[1] & 0xFF;
        int k = t0 & 0x0F;
        int y = t0 >> 4;
        int pos = 2;
        int i = 1;
        int protocols = 0;
        int first = -1;
        boolean onlyT0 = true;
        int ta1 = -1, tc1 = -1, wi = -1, ifsc = -1, tb3 = -1;
        int lastT = 0;
        while (true) {
            int ta = -1, tb = -1, tc = -1, td = -1;
            if ((y & 1) != 0) ta = at(atr, pos++, "TA" + i);
            if ((y & 2) != 0) tb = at(atr, pos++, "TB" + i);
            if ((y & 4) != 0) tc = at(atr, pos++, "TC" + i);
            if ((y & 8) != 0) td = at(atr, pos++, "TD" + i);
            if (i == 1) {
                ta1 = ta;
                tc1 = tc;
            } else if (i == 2 && lastT == 0) {
                wi = tc;
            } else if (i >= 3 && lastT == 1) {
                if (ifsc < 0) ifsc = ta;
                if (tb3 < 0) tb3 = tb;
            }
            if (td < 0) break;
            int t = td & 0x0F;
            if (t != 15) {
                protocols |= t < 15 ? 1 << t : 0;
                if (first < 0) first = t;
            }
            if (t != 0) onlyT0 = false;
            lastT = t;
            y = td >> 4;
            i++;
        }
        if (first < 0) {
            first = 0;
            protocols |= 1;
        }
        pos += k;
        if (pos > atr.length) {
            throw new IllegalArgumentException("ATR too short for its " + k + " historical bytes");
        }
        boolean tck = !onlyT0;
        if (tck) {
            if (pos + 1 != atr.length) {
                throw new IllegalArgumentException("ATR: TCK " + (pos + 1 > atr.length ? "missing" : "followed by extra bytes"));
            }
            int x = 0;
            for (int j = 1; j < atr.length; j++) x ^= atr[j] & 0xFF;
            if (x != 0) {
                throw new IllegalArgumentException(String.format("ATR: wrong TCK %02X", atr[atr.length - 1] & 0xFF));
            }
        } else if (pos != atr.length) {
            throw new IllegalArgumentException("ATR: " + (atr.length - pos) + " extra bytes after the historical bytes");
        }
        return new Info(ts == 0x3F, protocols, ta1, tc1, wi, ifsc, tb3, first, k, tck);
    }

    /** Returns the ATR with its last byte replaced by the right TCK (XOR of T0 up to the byte before). */
    public static byte[] withTck(byte[] atrWithPlaceholder) {
        byte[] a = atrWithPlaceholder.clone();
        int x = 0;
        for (int j = 1; j < a.length - 1; j++) x ^= a[j] & 0xFF;
        a[a.length - 1] = (byte) x;
        return a;
    }

    static int at(byte[] atr, int pos, String name) {
        if (pos >= atr.length) {
            throw new IllegalArgumentException("ATR too short: " + name + " missing");
        }
        return atr[pos] & 0xFF;
    }

    public static String hex(byte[] b) { return HEX.formatHex(b); }
}
