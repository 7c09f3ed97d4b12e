package org.cardstack.reader;

import java.io.IOException;

/**
 * Base of every failure a {@link Reader} reports. Subclasses are grouped by what the caller can do:
 * the card is absent or mute, the reader is gone, a timeout, the peer broke the protocol, or the
 * operation is not supported.
 */
public class ReaderException extends IOException {
    public ReaderException(String message) { super(message); }

    public ReaderException(String message, Throwable cause) { super(message, cause); }
}
