package org.cardstack.iso7816.t1;

/**
 * The bytes received are not a valid T=1 block (ISO/IEC 7816-3 §11.6.3.1): a wrong epilogue, a
 * length that does not match LEN, LEN = FF, an undefined PCB or an INF the PCB does not allow.
 */
public final class BlockFormatException extends Exception {
    private static final long serialVersionUID = 1L;
    private final boolean edcError;

    public BlockFormatException(String message, boolean edcError) {
        super(message);
        this.edcError = edcError;
    }

    /** @return true when the epilogue (LRC/CRC) was wrong: the R-block to send says EDC error, not other error */
    public boolean edcError() { return edcError; }

    /** @return the error bits an R-block answering this block carries (rule 7.1) */
    public RError rError() { return edcError ? RError.EDC : RError.OTHER; }
}
