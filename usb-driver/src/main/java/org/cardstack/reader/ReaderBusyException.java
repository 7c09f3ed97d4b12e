package org.cardstack.reader;

/** The slot is busy with another command (CCID bError CMD_SLOT_BUSY, 0xE0). */
public class ReaderBusyException extends ReaderException {
    public ReaderBusyException(String message) { super(message); }

    public ReaderBusyException(String message, Throwable cause) { super(message, cause); }
}
