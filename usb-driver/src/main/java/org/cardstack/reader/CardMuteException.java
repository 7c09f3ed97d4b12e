package org.cardstack.reader;

/** The card did not answer (CCID bError ICC_MUTE, 0xFE): no ATR, or no answer within the waiting time. */
public class CardMuteException extends ReaderException {
    public CardMuteException(String message) { super(message); }

    public CardMuteException(String message, Throwable cause) { super(message, cause); }
}
