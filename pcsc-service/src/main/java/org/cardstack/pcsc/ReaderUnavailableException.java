package org.cardstack.pcsc;

/** The reader is not there (any more), or is failing (SCARD_E_READER_UNAVAILABLE, SCARD_E_UNKNOWN_READER, and SCARD_E_INVALID_VALUE for a handle whose reader was removed, as pcsc-lite answers). */
public class ReaderUnavailableException extends PcscException {
    private static final long serialVersionUID = 1L;

    public ReaderUnavailableException(ScardError error, String detail) { super(error, detail); }

    public ReaderUnavailableException(ScardError error, String detail, Throwable cause) { super(error, detail, cause); }
}
