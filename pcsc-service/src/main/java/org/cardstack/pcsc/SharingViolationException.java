package org.cardstack.pcsc;

/** Another handle holds the card exclusively or in a transaction (SCARD_E_SHARING_VIOLATION); waiting may help. */
public class SharingViolationException extends PcscException {
    private static final long serialVersionUID = 1L;

    public SharingViolationException(String detail) { super(ScardError.E_SHARING_VIOLATION, detail); }

    public SharingViolationException(String detail, Throwable cause) { super(ScardError.E_SHARING_VIOLATION, detail, cause); }
}
