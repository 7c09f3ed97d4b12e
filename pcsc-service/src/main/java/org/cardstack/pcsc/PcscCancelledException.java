package org.cardstack.pcsc;

/** A wait was cancelled (SCARD_E_CANCELLED): by the context's cancel, its release, or an interrupt. */
public class PcscCancelledException extends PcscException {
    private static final long serialVersionUID = 1L;

    public PcscCancelledException(String detail) { super(ScardError.E_CANCELLED, detail); }

    public PcscCancelledException(String detail, Throwable cause) { super(ScardError.E_CANCELLED, detail, cause); }
}
