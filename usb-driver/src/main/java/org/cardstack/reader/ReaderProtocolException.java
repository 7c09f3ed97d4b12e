package org.cardstack.reader;

/** The reader sent something that breaks the CCID protocol (malformed message, wrong bSeq, bad length). */
public class ReaderProtocolException extends ReaderException {
    public ReaderProtocolException(String message) { super(message); }

    public ReaderProtocolException(String message, Throwable cause) { super(message, cause); }
}
