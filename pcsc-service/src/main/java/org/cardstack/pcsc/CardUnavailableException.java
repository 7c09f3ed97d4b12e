package org.cardstack.pcsc;

/** No usable card: absent (SCARD_E_NO_SMARTCARD), removed since the handle was made (SCARD_W_REMOVED_CARD), mute or unpowered. */
public class CardUnavailableException extends PcscException {
    private static final long serialVersionUID = 1L;

    public CardUnavailableException(ScardError error, String detail) { super(error, detail); }

    public CardUnavailableException(ScardError error, String detail, Throwable cause) { super(error, detail, cause); }
}
