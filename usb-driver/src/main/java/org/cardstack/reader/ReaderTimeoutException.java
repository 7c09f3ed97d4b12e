package org.cardstack.reader;

/** The reader did not answer in time (after any time extensions, up to the overall bound). */
public class ReaderTimeoutException extends ReaderException {
    public ReaderTimeoutException(String message) { super(message); }

    public ReaderTimeoutException(String message, Throwable cause) { super(message, cause); }
}
