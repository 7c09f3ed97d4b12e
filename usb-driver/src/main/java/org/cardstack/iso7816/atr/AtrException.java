package org.cardstack.iso7816.atr;

/**
 * A malformed ATR, or an RFU / invalid value requested through a strict accessor of {@link Atr}.
 *
 * <p>The message names the byte at fault by offset and spec name, e.g.
 * {@code "byte 4 (TD1): ATR ends before TD1 (announced by T0 = 0xD5)"}.
 */
public final class AtrException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** Offset of the byte at fault, or -1. */

    private final int offset;

    /**
     * @param offset offset of the byte at fault in the ATR, or -1 when no single byte is at fault
     * @param message human-readable description
     */
    public AtrException(int offset, String message) {
        super(message);
        this.offset = offset;
    }

    /** @return offset of the byte at fault, or -1 when the problem is not tied to one byte */
    public int offset() {
        return offset;
    }
}
