package org.cardstack.pcsc;

import java.util.Objects;

/**
 * A PC/SC call failed with an {@link ScardError}. Callers switch on {@link #error()}, never on the
 * message. Subclasses group the codes by what the caller can do about them; {@link #of} picks the
 * right one.
 */
public class PcscException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient ScardError error;

    public PcscException(ScardError error, String detail) {
        super(error.scardName() + ": " + detail);
        this.error = Objects.requireNonNull(error);
    }

    public PcscException(ScardError error, String detail, Throwable cause) {
        super(error.scardName() + ": " + detail, cause);
        this.error = Objects.requireNonNull(error);
    }

    public ScardError error() { return error; }

    /** The 32-bit SCARD_* code. */
    public int code() { return error.code(); }

    /** The exception type that fits {@code error}. */
    public static PcscException of(ScardError error, String detail) {
        return of(error, detail, null);
    }

    public static PcscException of(ScardError error, String detail, Throwable cause) {
        return switch (error) {
            case W_RESET_CARD -> new CardResetException(detail, cause);
            case W_REMOVED_CARD, E_NO_SMARTCARD, W_UNRESPONSIVE_CARD, W_UNPOWERED_CARD, W_UNSUPPORTED_CARD ->
                    new CardUnavailableException(error, detail, cause);
            case E_SHARING_VIOLATION -> new SharingViolationException(detail, cause);
            case E_READER_UNAVAILABLE, E_UNKNOWN_READER, E_NO_READERS_AVAILABLE ->
                    new ReaderUnavailableException(error, detail, cause);
            case E_CANCELLED -> new PcscCancelledException(detail, cause);
            case E_TIMEOUT -> new PcscTimeoutException(detail, cause);
            case E_NO_SERVICE, E_SERVICE_STOPPED -> new NoServiceException(error, detail, cause);
            default -> new PcscException(error, detail, cause);
        };
    }
}
