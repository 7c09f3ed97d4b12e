package org.cardstack.iso7816.pps;

/** A PPS message is malformed, or the card's response does not confirm the request (ISO/IEC 7816-3 §9.3). */
public final class PpsException extends Exception {
    private static final long serialVersionUID = 1L;

    public PpsException(String message) { super(message); }
}
