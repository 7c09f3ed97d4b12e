package org.cardstack.ccid;

import org.cardstack.reader.ReaderProtocolException;

/** A CCID message that does not parse: names the field, its offset, and what was expected. */
public final class CcidFormatException extends ReaderProtocolException {
    private final String field;
    private final int offset;

    public CcidFormatException(String field, int offset, String problem) {
        super("malformed CCID message: " + field + " (offset " + offset + "): " + problem);
        this.field = field;
        this.offset = offset;
    }

    public String field() { return field; }

    public int offset() { return offset; }
}
