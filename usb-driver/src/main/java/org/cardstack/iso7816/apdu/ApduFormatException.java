package org.cardstack.iso7816.apdu;

/** An APDU whose length fields or values do not match ISO/IEC 7816-4 §5.1; the message names the problem. */
public final class ApduFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** @param message description of the problem */
    public ApduFormatException(String message) {
        super(message);
    }
}
