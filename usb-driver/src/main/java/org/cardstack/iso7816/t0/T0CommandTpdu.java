package org.cardstack.iso7816.t0;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A T=0 command TPDU, ISO/IEC 7816-3 §10.3.2: the 5-byte header CLA INS P1 P2 P3, plus the data sent
 * to the card when P3 counts outgoing bytes. Immutable.
 */
public final class T0CommandTpdu {
    /** What P3 counts (§12.2). */
    public enum Transfer {
        /** Case 1: P3 = 00, no data either way. */
        NONE,
        /** Case 2: P3 = Le, data come from the card (P3 = 00 means 256). */
        FROM_CARD,
        /** Case 3: P3 = Lc, the data field goes to the card. */
        TO_CARD
    }

    private final byte[] header;
    private final byte[] data;
    private final Transfer transfer;

    T0CommandTpdu(int cla, int ins, int p1, int p2, int p3, byte[] data, Transfer transfer) {
        this.header = new byte[] {(byte) cla, (byte) ins, (byte) p1, (byte) p2, (byte) p3};
        this.data = data;
        this.transfer = transfer;
    }

    /** @return a copy of CLA INS P1 P2 P3 */
    public byte[] header() {
        return Arrays.copyOf(header, header.length);
    }

    /** @return INS, echoed by the card as procedure byte ACK (§10.3.3) */
    public int ins() {
        return header[1] & 0xFF;
    }

    /** @return P3 as sent */
    public int p3() {
        return header[4] & 0xFF;
    }

    /** @return a copy of the data sent to the card (empty unless {@link Transfer#TO_CARD}) */
    public byte[] data() {
        return Arrays.copyOf(data, data.length);
    }

    /** @return what P3 counts */
    public Transfer transfer() {
        return transfer;
    }

    /** @return number of data bytes to move after the header: P3, with 00 read as 256 for case 2 */
    public int transferLength() {
        return switch (transfer) {
            case NONE -> 0;
            case FROM_CARD -> p3() == 0 ? 256 : p3();
            case TO_CARD -> data.length;
        };
    }

    /** @return header followed by data */
    public byte[] toBytes() {
        byte[] b = Arrays.copyOf(header, 5 + data.length);
        System.arraycopy(data, 0, b, 5, data.length);
        return b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof T0CommandTpdu t && t.transfer == transfer
                && Arrays.equals(t.header, header) && Arrays.equals(t.data, data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(header) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "T0CommandTpdu[" + transfer + ", " + HexFormat.of().withUpperCase().formatHex(toBytes()) + "]";
    }
}
