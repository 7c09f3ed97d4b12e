package org.cardstack.reader;

/** The reader was unplugged or has failed for good; this Reader object will never work again. */
public class ReaderGoneException extends ReaderException {
    public ReaderGoneException(String message) { super(message); }

    public ReaderGoneException(String message, Throwable cause) { super(message, cause); }
}
