package org.cardstack.iso7816.pps;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.OptionalInt;

/**
 * A PPS request or response, ISO/IEC 7816-3 §9.2: PPSS (FF), PPS0 (bits 7-5 say whether PPS3, PPS2,
 * PPS1 follow; bits 4-1 the protocol T), PPS1 (Fi and Di, coded as TA1), PPS2, PPS3, and PCK (the
 * exclusive-or of all bytes from PPSS to PCK is 00).
 *
 * @param protocol T, 0..14
 * @param pps1 Fi/Di byte, when present
 * @param pps2 PPS2 (SPU use, §9.2), when present
 * @param pps3 PPS3 (RFU), when present
 */
public record Pps(int protocol, OptionalInt pps1, OptionalInt pps2, OptionalInt pps3) {
    public static final int PPSS = 0xFF;
    private static final int MAX_LENGTH = 6;

    public Pps {
        if (protocol < 0 || protocol > 14) {
            throw new IllegalArgumentException("PPS0 protocol T=" + protocol + " outside 0..14");
        }
        check(pps1);
        check(pps2);
        check(pps3);
    }

    /** @return a request for protocol T with Fi/Di byte {@code fiDi} (PPS1) and no PPS2, PPS3 */
    public static Pps request(int protocol, int fiDi) {
        return new Pps(protocol, OptionalInt.of(fiDi), OptionalInt.empty(), OptionalInt.empty());
    }

    /** @return a request for protocol T without PPS1: the default Fd, Dd */
    public static Pps request(int protocol) {
        return new Pps(protocol, OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty());
    }

    /** @return PPS0 */
    public int pps0() {
        return (pps1.isPresent() ? 0x10 : 0) | (pps2.isPresent() ? 0x20 : 0) | (pps3.isPresent() ? 0x40 : 0) | protocol;
    }

    /** @return the bytes PPSS PPS0 [PPS1] [PPS2] [PPS3] PCK */
    public byte[] toBytes() {
        byte[] b = new byte[MAX_LENGTH];
        int n = 0;
        b[n++] = (byte) PPSS;
        b[n++] = (byte) pps0();
        for (OptionalInt o : new OptionalInt[] {pps1, pps2, pps3}) {
            if (o.isPresent()) {
                b[n++] = (byte) o.getAsInt();
            }
        }
        int pck = 0;
        for (int i = 0; i < n; i++) {
            pck ^= b[i];
        }
        b[n++] = (byte) pck;
        return Arrays.copyOf(b, n);
    }

    /**
     * Parses a PPS message.
     *
     * @throws PpsException on a wrong PPSS, a length that does not match PPS0, PPS0 bit 8 set, or a wrong PCK
     */
    public static Pps parse(byte[] b) throws PpsException {
        if (b.length < 3 || (b[0] & 0xFF) != PPSS) {
            throw new PpsException("not a PPS message: " + hex(b));
        }
        int pps0 = b[1] & 0xFF;
        if ((pps0 & 0x80) != 0) {
            throw new PpsException(String.format("PPS0 %02X: bit 8 is reserved", pps0));
        }
        int expected = 3 + Integer.bitCount(pps0 & 0x70);
        if (b.length != expected) {
            throw new PpsException("PPS0 " + String.format("%02X", pps0) + " announces " + expected + " bytes, got " + b.length);
        }
        int x = 0;
        for (byte v : b) {
            x ^= v;
        }
        if ((x & 0xFF) != 0) {
            throw new PpsException("wrong PCK in " + hex(b));
        }
        if ((pps0 & 0x0F) == 15) {
            throw new PpsException("PPS0 selects T=15");
        }
        int i = 2;
        OptionalInt p1 = (pps0 & 0x10) != 0 ? OptionalInt.of(b[i++] & 0xFF) : OptionalInt.empty();
        OptionalInt p2 = (pps0 & 0x20) != 0 ? OptionalInt.of(b[i++] & 0xFF) : OptionalInt.empty();
        OptionalInt p3 = (pps0 & 0x40) != 0 ? OptionalInt.of(b[i] & 0xFF) : OptionalInt.empty();
        return new Pps(pps0 & 0x0F, p1, p2, p3);
    }

    /**
     * Checks a card's response against this request, §9.3: the same protocol; PPS1, PPS2, PPS3 either
     * echoed or absent (absent PPS1 means Fd and Dd).
     *
     * @return the Fi/Di byte now in force (0x11 when the card left PPS1 out)
     * @throws PpsException when the response does not confirm the request (the exchange failed)
     */
    public int confirmedBy(Pps response) throws PpsException {
        if (response.protocol != protocol) {
            throw new PpsException("card answered PPS for T=" + protocol + " with T=" + response.protocol);
        }
        echoed("PPS1", pps1, response.pps1);
        echoed("PPS2", pps2, response.pps2);
        if (!pps3.equals(response.pps3)) {
            throw new PpsException("card answered PPS3 " + pps3 + " with " + response.pps3);
        }
        return response.pps1.orElse(0x11);
    }

    private static void echoed(String name, OptionalInt asked, OptionalInt answered) throws PpsException {
        if (answered.isPresent() && !asked.equals(answered)) {
            throw new PpsException("card answered " + name + " " + asked + " with " + answered);
        }
    }

    private static void check(OptionalInt v) {
        if (v.isPresent() && (v.getAsInt() < 0 || v.getAsInt() > 0xFF)) {
            throw new IllegalArgumentException("PPS byte " + v.getAsInt());
        }
    }

    @Override
    public String toString() { return "PPS " + hex(toBytes()); }

    private static String hex(byte[] b) { return HexFormat.ofDelimiter(" ").withUpperCase().formatHex(b); }
}
