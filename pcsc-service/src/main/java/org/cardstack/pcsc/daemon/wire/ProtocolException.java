package org.cardstack.pcsc.daemon.wire;

/** A client broke the wire protocol (unknown command, wrong size, oversized data): its connection is closed. */
public final class ProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) { super(message); }
}
