package org.cardstack.reader;

/** The card is present but not powered (CCID bmICCStatus 1): power it on first. */
public class CardUnpoweredException extends ReaderException {
    public CardUnpoweredException(String message) { super(message); }
}
