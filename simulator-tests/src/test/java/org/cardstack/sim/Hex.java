package org.cardstack.sim;

import java.util.HexFormat;

/** Test helper: hex with spaces and any separators ignored, and back with single spaces. */
public final class Hex {
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    private Hex() {
    }

    public static byte[] b(String s) {
        return HEX.parseHex(s.replaceAll("[^0-9A-Fa-f]", ""));
    }

    public static String s(byte[] b) {
        return HexFormat.ofDelimiter(" ").withUpperCase().formatHex(b);
    }

    /** Normalises a hex string to the format of {@link #s}. */
    public static String n(String s) {
        return s(b(s));
    }

    public static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) i;
        return b;
    }

    public static byte[] concat(byte[]... parts) {
        int len = 0;
        for (byte[] p : parts) len += p.length;
        byte[] out = new byte[len];
        int o = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }
}
