package org.cardstack.pcsc;

/** The resource manager is not running or has been closed (SCARD_E_NO_SERVICE). */
public class NoServiceException extends PcscException {
    private static final long serialVersionUID = 1L;

    public NoServiceException(ScardError error, String detail) { super(error, detail); }

    public NoServiceException(ScardError error, String detail, Throwable cause) { super(error, detail, cause); }
}
