package org.cardstack.iso7816.t1;

import java.util.Arrays;
import org.cardstack.iso7816.atr.T1ErrorDetection;

/**
 * Bytes of T=1 blocks, ISO/IEC 7816-3 §11.3: {@code NAD PCB LEN INF... EDC}. The epilogue is LRC
 * or CRC as the ATR says (first TC for T=1, §11.4.4). Used by both sides: the interface device's
 * {@link T1Protocol} and the card side of simulators.
 */
public final class BlockCodec {
    /** Prologue length. */
    public static final int PROLOGUE = 3;

    private final T1ErrorDetection edc;

    public BlockCodec(T1ErrorDetection edc) {
        this.edc = java.util.Objects.requireNonNull(edc, "edc");
    }

    public T1ErrorDetection errorDetection() { return edc; }

    /** @return the bytes of a block, epilogue included */
    public byte[] encode(Block block) {
        byte[] inf = block.inf();
        byte[] b = new byte[PROLOGUE + inf.length + ErrorDetectionCode.length(edc)];
        b[0] = (byte) block.nad();
        b[1] = (byte) block.pcb();
        b[2] = (byte) inf.length;
        System.arraycopy(inf, 0, b, PROLOGUE, inf.length);
        ErrorDetectionCode.write(edc, b, PROLOGUE + inf.length);
        return b;
    }

    /**
     * Decodes and checks a received block.
     *
     * @throws BlockFormatException when the block is invalid in the sense of §11.6.3.1
     */
    public Block decode(byte[] b) throws BlockFormatException {
        int epilogue = ErrorDetectionCode.length(edc);
        if (b.length < PROLOGUE + epilogue) {
            throw new BlockFormatException("block of " + b.length + " bytes is shorter than prologue and epilogue", false);
        }
        int len = b[2] & 0xFF;
        if (len == 0xFF) {
            throw new BlockFormatException("LEN = FF is RFU", false);
        }
        if (b.length != PROLOGUE + len + epilogue) {
            throw new BlockFormatException("LEN " + len + " but " + (b.length - PROLOGUE - epilogue) + " INF bytes", false);
        }
        if (!ErrorDetectionCode.check(edc, b, PROLOGUE + len)) {
            throw new BlockFormatException("wrong " + edc + " in " + hex(b), true);
        }
        int nad = b[0] & 0xFF;
        int pcb = b[1] & 0xFF;
        byte[] inf = Arrays.copyOfRange(b, PROLOGUE, PROLOGUE + len);
        if ((pcb & 0x80) == 0) {
            if ((pcb & 0x1F) != 0) {
                throw new BlockFormatException(String.format("I-block PCB %02X has RFU bits set", pcb), false);
            }
            return new Block.I(nad, pcb >> 6 & 1, (pcb & 0x20) != 0, inf);
        }
        if ((pcb & 0x40) == 0) {
            RError error = RError.of(pcb & 0x0F);
            if (error == null || (pcb & 0x20) != 0 || len != 0) {
                throw new BlockFormatException(String.format("invalid R-block PCB %02X LEN %d", pcb, len), false);
            }
            return new Block.R(nad, pcb >> 4 & 1, error);
        }
        SType type = SType.of(pcb & 0x1F);
        if (type == null || len != (type.hasValue() ? 1 : 0)) {
            throw new BlockFormatException(String.format("invalid S-block PCB %02X LEN %d", pcb, len), false);
        }
        return new Block.S(nad, type, (pcb & 0x20) != 0, type.hasValue() ? inf[0] & 0xFF : -1);
    }

    static String hex(byte[] b) {
        return java.util.HexFormat.ofDelimiter(" ").withUpperCase().formatHex(b);
    }
}
