package org.cardstack.sim.card;

import java.util.HexFormat;

/**
 * The ATRs the simulator offers (ISO/IEC 7816-3 §8), and a helper that sets TCK. Parsing and checking
 * ATRs is {@link org.cardstack.iso7816.atr.Atr}'s job.
 */
public final class CardAtrs {
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    /**
     * The default ATR: direct convention, TD1 = 80 (T=0, TD2 follows), TD2 = 01 (T=1), the historical
     * bytes "JCOP31V232" as in jCardSim's own ATR, and TCK (present because T=1 is offered). Offers T=0
     * first, then T=1: {@code 3B 8A 80 01 4A 43 4F 50 33 31 56 32 33 32 7A}.
     */
    public static final String DEFAULT_HEX = "3B8A80014A434F503331563233327A";

    /** The usb-rig's T=0-only ATR (no TD1, so T=0 and no TCK): {@code 3B 0A 4A 43 4F 50 33 31 56 32 33 32}. */
    public static final String RIG_T0_HEX = "3B0A4A434F50333156323332";

    private CardAtrs() {
    }

    public static byte[] defaultAtr() { return HEX.parseHex(DEFAULT_HEX); }

    public static byte[] rigT0Atr() { return HEX.parseHex(RIG_T0_HEX); }

    /** Returns the ATR with its last byte replaced by the right TCK (XOR of T0 up to the byte before, §8.2.5). */
    public static byte[] withTck(byte[] atrWithPlaceholder) {
        byte[] a = atrWithPlaceholder.clone();
        int x = 0;
        for (int j = 1; j < a.length - 1; j++) x ^= a[j] & 0xFF;
        a[a.length - 1] = (byte) x;
        return a;
    }
}
