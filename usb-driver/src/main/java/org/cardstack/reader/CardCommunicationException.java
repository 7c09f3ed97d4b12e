package org.cardstack.reader;

/** The exchange with the card failed: parity error, overrun, bad ATR, procedure byte conflict (CCID bError 0xF4..0xFD). */
public class CardCommunicationException extends ReaderException {
    public CardCommunicationException(String message) { super(message); }

    public CardCommunicationException(String message, Throwable cause) { super(message, cause); }
}
