package org.cardstack.iso7816.apdu;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A command APDU, ISO/IEC 7816-4 §5.1: header CLA INS P1 P2, Nc data bytes, and Ne, the maximum number
 * of response data bytes expected (0 = none, up to 256 short / 65536 extended). Immutable.
 *
 * <p>The length-field form (short or extended) is part of the value: a parsed APDU keeps the form it
 * was encoded in; {@link #of} picks the short form whenever Nc and Ne allow it.
 */
public final class CommandApdu {
    /** Largest Nc. */
    public static final int MAX_NC = 65535;
    /** Largest Ne (extended Le = 0000). */
    public static final int MAX_NE = 65536;

    private final int cla;
    private final int ins;
    private final int p1;
    private final int p2;
    private final byte[] data;
    private final int ne;
    private final boolean extended;

    private CommandApdu(int cla, int ins, int p1, int p2, byte[] data, int ne, boolean extended) {
        this.cla = cla;
        this.ins = ins;
        this.p1 = p1;
        this.p2 = p2;
        this.data = data;
        this.ne = ne;
        this.extended = extended;
    }

    /**
     * @param cla class byte, 0..255
     * @param ins instruction byte, 0..255
     * @param p1 parameter 1, 0..255
     * @param p2 parameter 2, 0..255
     * @param data command data (copied), 0..65535 bytes
     * @param ne maximum response data length, 0..65536
     * @return the APDU, in short form if Nc &lt;= 255 and Ne &lt;= 256, else extended
     * @throws ApduFormatException if a value is out of range
     */
    public static CommandApdu of(int cla, int ins, int p1, int p2, byte[] data, int ne) {
        Objects.requireNonNull(data, "data");
        checkByte("CLA", cla);
        checkByte("INS", ins);
        checkByte("P1", p1);
        checkByte("P2", p2);
        if (data.length > MAX_NC) {
            throw new ApduFormatException("Nc = " + data.length + " exceeds 65535 (§5.1)");
        }
        if (ne < 0 || ne > MAX_NE) {
            throw new ApduFormatException("Ne = " + ne + " is outside 0..65536 (§5.1)");
        }
        return new CommandApdu(cla, ins, p1, p2, Arrays.copyOf(data, data.length), ne, data.length > 255 || ne > 256);
    }

    /**
     * @param cla class byte
     * @param ins instruction byte
     * @param p1 parameter 1
     * @param p2 parameter 2
     * @return a case 1 APDU (no data, no response data)
     */
    public static CommandApdu of(int cla, int ins, int p1, int p2) {
        return of(cla, ins, p1, p2, new byte[0], 0);
    }

    /**
     * Parses any of the cases 1, 2S, 3S, 4S, 2E, 3E, 4E of ISO/IEC 7816-4 §5.1.
     *
     * @param apdu the encoded command APDU (not retained)
     * @return the APDU
     * @throws ApduFormatException if the length fields do not match the length of {@code apdu}
     */
    public static CommandApdu parse(byte[] apdu) {
        Objects.requireNonNull(apdu, "apdu");
        int len = apdu.length;
        if (len < 4) {
            throw new ApduFormatException("APDU of " + len + " bytes is shorter than the 4-byte header CLA INS P1 P2");
        }
        int b4 = len > 4 ? u(apdu, 4) : 0;
        if (len == 4) {
            return make(apdu, 0, 0, 0, false);                             // case 1
        }
        if (len == 5) {
            return make(apdu, 0, 0, b4 == 0 ? 256 : b4, false);          // case 2S
        }
        if (b4 != 0) {
            int lc = b4;                                                   // short Lc
            if (len == 5 + lc) {
                return make(apdu, 5, lc, 0, false);                        // case 3S
            }
            if (len == 6 + lc) {
                int le = u(apdu, len - 1);
                return make(apdu, 5, lc, le == 0 ? 256 : le, false);      // case 4S
            }
            throw new ApduFormatException(String.format("byte 4 (Lc) = 0x%02X announces %d data bytes, so the APDU"
                    + " must be %d (case 3S) or %d (case 4S) bytes long, got %d", lc, lc, 5 + lc, 6 + lc, len));
        }
        // Byte 4 = 00 with more bytes following: extended length fields (§5.1).
        if (len == 6) {
            throw new ApduFormatException("APDU of 6 bytes with byte 4 = 0x00: neither case 2S (5 bytes) nor an"
                    + " extended case (at least 7 bytes)");
        }
        int n = (u(apdu, 5) << 8) | u(apdu, 6);
        if (len == 7) {
            return make(apdu, 0, 0, n == 0 ? 65536 : n, true);            // case 2E
        }
        if (n == 0) {
            throw new ApduFormatException("bytes 5-6 (extended Lc) = 0x0000: Nc must be 1..65535 when data follow");
        }
        if (len == 7 + n) {
            return make(apdu, 7, n, 0, true);                              // case 3E
        }
        if (len == 9 + n) {
            int le = (u(apdu, len - 2) << 8) | u(apdu, len - 1);
            return make(apdu, 7, n, le == 0 ? 65536 : le, true);          // case 4E
        }
        throw new ApduFormatException(String.format("bytes 5-6 (extended Lc) = 0x%04X announce %d data bytes, so"
                + " the APDU must be %d (case 3E) or %d (case 4E) bytes long, got %d", n, n, 7 + n, 9 + n, len));
    }

    private static CommandApdu make(byte[] a, int off, int nc, int ne, boolean extended) {
        return new CommandApdu(u(a, 0), u(a, 1), u(a, 2), u(a, 3), Arrays.copyOfRange(a, off, off + nc), ne, extended);
    }

    /** @return CLA */
    public int cla() {
        return cla;
    }

    /** @return INS */
    public int ins() {
        return ins;
    }

    /** @return P1 */
    public int p1() {
        return p1;
    }

    /** @return P2 */
    public int p2() {
        return p2;
    }

    /** @return a copy of the command data field */
    public byte[] data() {
        return Arrays.copyOf(data, data.length);
    }

    /** @return Nc, the number of command data bytes */
    public int nc() {
        return data.length;
    }

    /** @return Ne, the maximum number of response data bytes expected; 0 if none */
    public int ne() {
        return ne;
    }

    /** @return whether the length fields are in extended form (cases 2E, 3E, 4E) */
    public boolean isExtended() {
        return extended;
    }

    /** @return 1 (no data, no Le), 2 (Le only), 3 (data only) or 4 (data and Le) */
    public int caseNumber() {
        return data.length == 0 ? (ne == 0 ? 1 : 2) : (ne == 0 ? 3 : 4);
    }

    /** @return the encoded APDU in its length-field form */
    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length + 9);
        out.write(cla);
        out.write(ins);
        out.write(p1);
        out.write(p2);
        if (extended) {
            out.write(0);
            if (data.length > 0) {
                out.write(data.length >> 8);
                out.write(data.length);
                out.writeBytes(data);
            }
            if (ne > 0) {
                out.write(ne >> 8);  // 65536 encodes as 0000
                out.write(ne);
            }
        } else {
            if (data.length > 0) {
                out.write(data.length);
                out.writeBytes(data);
            }
            if (ne > 0) {
                out.write(ne);       // 256 encodes as 00
            }
        }
        return out.toByteArray();
    }

    private static void checkByte(String name, int v) {
        if (v < 0 || v > 255) {
            throw new ApduFormatException(name + " = " + v + " is not a byte value");
        }
    }

    private static int u(byte[] a, int i) {
        return a[i] & 0xFF;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CommandApdu c && c.cla == cla && c.ins == ins && c.p1 == p1 && c.p2 == p2
                && c.ne == ne && c.extended == extended && Arrays.equals(c.data, data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(cla, ins, p1, p2, ne, extended) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return String.format("CommandApdu[case %d%s, %02X %02X %02X %02X, Nc=%d, Ne=%d]", caseNumber(),
                caseNumber() == 1 ? "" : extended ? "E" : "S", cla, ins, p1, p2, data.length, ne);
    }

    /** @return the encoding as upper-case hex */
    public String toHex() {
        return HexFormat.of().withUpperCase().formatHex(toBytes());
    }
}
