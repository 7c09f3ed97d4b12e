package org.cardstack.vpcd.wire;

import java.io.IOException;

/** The peer broke the vpcd framing: a zero or over-long length, an unknown control byte, a message out of turn. */
public class VpcdFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public VpcdFormatException(String message) { super(message); }
}
