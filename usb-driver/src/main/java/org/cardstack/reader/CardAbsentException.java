package org.cardstack.reader;

/** No card in the slot (CCID bmICCStatus 2), or it was removed during the command. */
public class CardAbsentException extends ReaderException {
    public CardAbsentException(String message) { super(message); }

    public CardAbsentException(String message, Throwable cause) { super(message, cause); }
}
