package org.cardstack.reader;

/** The reader or this driver does not support the operation or the reader's configuration. */
public class NotSupportedException extends ReaderException {
    public NotSupportedException(String message) { super(message); }

    public NotSupportedException(String message, Throwable cause) { super(message, cause); }
}
