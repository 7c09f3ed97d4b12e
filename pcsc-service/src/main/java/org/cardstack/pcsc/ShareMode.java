package org.cardstack.pcsc;

/** {@code dwShareMode} of SCardConnect / SCardReconnect (PC/SC part 5; values as in pcsc-lite). */
public enum ShareMode {
    /** No other handle may exist on the reader; the connect counts as one transaction level. */
    EXCLUSIVE(1),
    /** Other SHARED and DIRECT handles may exist. */
    SHARED(2),
    /** Talk to the reader, not the card: no card needed; pcsc-lite counts it as a shared handle. */
    DIRECT(3);

    private final int code;

    ShareMode(int code) { this.code = code; }

    public int code() { return code; }

    /** The mode with this code, or null (the caller answers SCARD_E_INVALID_VALUE). */
    public static ShareMode of(int code) {
        for (ShareMode m : values()) {
            if (m.code == code) {
                return m;
            }
        }
        return null;
    }
}
