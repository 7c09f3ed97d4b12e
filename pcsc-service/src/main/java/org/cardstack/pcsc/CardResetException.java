package org.cardstack.pcsc;

/** The card was reset by another handle (SCARD_W_RESET_CARD): state on the card is lost; reconnect to go on. */
public class CardResetException extends PcscException {
    private static final long serialVersionUID = 1L;

    public CardResetException(String detail) { super(ScardError.W_RESET_CARD, detail); }

    public CardResetException(String detail, Throwable cause) { super(ScardError.W_RESET_CARD, detail, cause); }
}
