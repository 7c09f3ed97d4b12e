package org.cardstack.iso7816.t1;

import java.io.IOException;

/** No block came from the card within the waiting time, or it came with parity errors. */
public final class BlockReceiveException extends IOException {
    private static final long serialVersionUID = 1L;
    private final boolean parityError;

    public BlockReceiveException(String message, boolean parityError) {
        super(message);
        this.parityError = parityError;
    }

    /** @return true for a parity error (R-block error "EDC and/or parity"), false for BWT exceeded */
    public boolean parityError() { return parityError; }
}
