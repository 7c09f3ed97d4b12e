package org.cardstack.pcsc;

/**
 * Reader state bits of the pcscd readers-state record and of SCardStatus's {@code pdwState} low word
 * ({@code SCARD_ABSENT} ... {@code SCARD_SPECIFIC}; pcsc-lite {@code pcsclite.h}).
 */
public final class ReaderStates {
    /** Reader failing (driver error). */
    public static final int UNKNOWN = 0x0001;
    public static final int ABSENT = 0x0002;
    public static final int PRESENT = 0x0004;
    /** With PRESENT: the card did not answer power-up (shown as SCARD_STATE_MUTE). */
    public static final int SWALLOWED = 0x0008;
    public static final int POWERED = 0x0010;
    public static final int NEGOTIABLE = 0x0020;
    /** Defined, never set by pcscd. */
    public static final int SPECIFIC = 0x0040;

    /** readerSharing value of a reader held by an EXCLUSIVE handle. */
    public static final int SHARING_EXCLUSIVE = -1;

    private ReaderStates() {
    }
}
