package org.cardstack.pcsc;

/** {@code dwDisposition} of SCardDisconnect / SCardEndTransaction and {@code dwInitialization} of SCardReconnect. */
public enum Disposition {
    LEAVE(0),
    /** Warm reset. */
    RESET(1),
    /** Power down (and, for END and RECONNECT, up again). */
    UNPOWER(2),
    /** Eject where the reader can; like LEAVE otherwise. Refused by RECONNECT. */
    EJECT(3);

    private final int code;

    Disposition(int code) { this.code = code; }

    public int code() { return code; }

    /** The disposition with this code, or null (the caller answers SCARD_E_INVALID_VALUE). */
    public static Disposition of(int code) {
        for (Disposition d : values()) {
            if (d.code == code) {
                return d;
            }
        }
        return null;
    }
}
