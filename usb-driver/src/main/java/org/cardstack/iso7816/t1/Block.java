package org.cardstack.iso7816.t1;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A T=1 block, ISO/IEC 7816-3 §11.3: prologue (NAD, PCB, LEN), information field, epilogue. The
 * three kinds differ in their PCB (§11.3.2.2): I-blocks carry application data, R-blocks
 * acknowledge, S-blocks control the protocol. Blocks are values; {@link BlockCodec} turns them into
 * bytes with the epilogue and back.
 */
public sealed interface Block permits Block.I, Block.R, Block.S {
    /** Largest information field, §11.4.2 (LEN = FF is RFU). */
    int MAX_INF = 254;

    /** @return the node address byte: DAD in bits 7-5, SAD in bits 3-1 (§11.3.2.1) */
    int nad();

    /** @return the protocol control byte */
    int pcb();

    /** @return a copy of the information field */
    byte[] inf();

    /**
     * Information block, PCB {@code 0 N(S) M 00000}.
     *
     * @param ns the send-sequence number N(S), 0 or 1
     * @param more the more-data bit M: the block is part of a chain and not its last
     */
    record I(int nad, int ns, boolean more, byte[] data) implements Block {
        public I {
            check(ns);
            if (data.length > MAX_INF) {
                throw new IllegalArgumentException("I-block INF of " + data.length + " bytes exceeds 254");
            }
            data = Arrays.copyOf(data, data.length);
        }

        public int pcb() { return ns << 6 | (more ? 0x20 : 0); }

        public byte[] inf() { return Arrays.copyOf(data, data.length); }

        /** @return the length of the information field without copying it */
        public int length() { return data.length; }

        @Override
        public boolean equals(Object o) {
            return o instanceof I b && b.nad == nad && b.ns == ns && b.more == more && java.util.Arrays.equals(b.data, data);
        }

        @Override
        public int hashCode() { return java.util.Objects.hash(nad, ns, more) * 31 + java.util.Arrays.hashCode(data); }

        @Override
        public String toString() {
            return "I(" + ns + (more ? ",M" : "") + ")" + (data.length == 0 ? "" : " " + HexFormat.of().formatHex(data));
        }
    }

    /**
     * Receive-ready block, PCB {@code 100 N(R) error}.
     *
     * @param nr the N(S) of the I-block the sender expects next
     */
    record R(int nad, int nr, RError error) implements Block {
        public R {
            check(nr);
        }

        public int pcb() { return 0x80 | nr << 4 | error.code(); }

        public byte[] inf() { return new byte[0]; }

        @Override
        public String toString() { return "R(" + nr + ")" + (error == RError.NONE ? "" : " " + error); }
    }

    /**
     * Supervisory block, PCB {@code 11 response type}.
     *
     * @param value the one-byte INF of IFS and WTX (IFSC/IFSD, multiplier), -1 for RESYNCH and ABORT
     */
    record S(int nad, SType type, boolean response, int value) implements Block {
        public S {
            if (type.hasValue() != (value >= 0) || value > 0xFF) {
                throw new IllegalArgumentException("S(" + type + ") with INF value " + value);
            }
        }

        public int pcb() { return 0xC0 | (response ? 0x20 : 0) | type.code(); }

        public byte[] inf() { return value < 0 ? new byte[0] : new byte[] {(byte) value}; }

        @Override
        public String toString() {
            return "S(" + type + " " + (response ? "response" : "request") + ")" + (value < 0 ? "" : String.format(" %02X", value));
        }
    }

    private static void check(int seq) {
        if (seq != 0 && seq != 1) {
            throw new IllegalArgumentException("sequence number " + seq + " is not 0 or 1");
        }
    }
}
