package org.cardstack.pcsc;

/** A wait ran out of time (SCARD_E_TIMEOUT). */
public class PcscTimeoutException extends PcscException {
    private static final long serialVersionUID = 1L;

    public PcscTimeoutException(String detail) { super(ScardError.E_TIMEOUT, detail); }

    public PcscTimeoutException(String detail, Throwable cause) { super(ScardError.E_TIMEOUT, detail, cause); }
}
