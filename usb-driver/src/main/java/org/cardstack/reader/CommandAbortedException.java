package org.cardstack.reader;

/** The command was aborted (CCID bError CMD_ABORTED, 0xFF). */
public class CommandAbortedException extends ReaderException {
    public CommandAbortedException(String message) { super(message); }

    public CommandAbortedException(String message, Throwable cause) { super(message, cause); }
}
