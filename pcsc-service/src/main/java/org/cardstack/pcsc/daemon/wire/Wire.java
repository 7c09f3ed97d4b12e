package org.cardstack.pcsc.daemon.wire;

import java.nio.ByteOrder;

/**
 * pcsc-lite's client protocol constants (shared/docs/pcscd-protocol.md §3.3, §4): command codes,
 * structure sizes and limits. Every integer on the wire is 32 bits in the host's byte order.
 */
public final class Wire {
    private Wire() { }

    /** Host order, as pcsc-lite uses (little-endian on x86_64 and aarch64 Linux). */
    public static final ByteOrder ORDER = ByteOrder.nativeOrder();

    public static final int PROTOCOL_MAJOR = 4;
    /** Minor versions served: 4 (pcsc-lite 1.8.24..2.2.3), 5 (2.3.0..2.4.x), 6 (2.5.x). */
    public static final int MINOR_MIN = 4;
    public static final int MINOR_MAX = 6;

    public static final int HEADER_SIZE = 8;
    public static final int MAX_READERNAME = 128;
    public static final int MAX_ATR_SIZE = 33;
    /** GET/SET_ATTRIB buffer. */
    public static final int MAX_BUFFER_SIZE = 264;
    /** Largest TRANSMIT/CONTROL send or receive buffer: 4+3+65536+3+2. */
    public static final int MAX_BUFFER_SIZE_EXTENDED = 65_548;
    /** Records in the fixed readers-state array. */
    public static final int READERS_CONTEXTS = 16;
    public static final int RECORD_SIZE = 184;
    public static final int FIXED_ARRAY_SIZE = READERS_CONTEXTS * RECORD_SIZE;

    public static final int SCARD_ESTABLISH_CONTEXT = 0x01;
    public static final int SCARD_RELEASE_CONTEXT = 0x02;
    public static final int SCARD_LIST_READERS = 0x03;
    public static final int SCARD_CONNECT = 0x04;
    public static final int SCARD_RECONNECT = 0x05;
    public static final int SCARD_DISCONNECT = 0x06;
    public static final int SCARD_BEGIN_TRANSACTION = 0x07;
    public static final int SCARD_END_TRANSACTION = 0x08;
    public static final int SCARD_TRANSMIT = 0x09;
    public static final int SCARD_CONTROL = 0x0A;
    public static final int SCARD_STATUS = 0x0B;
    public static final int SCARD_GET_STATUS_CHANGE = 0x0C;
    public static final int SCARD_CANCEL = 0x0D;
    public static final int SCARD_CANCEL_TRANSACTION = 0x0E;
    public static final int SCARD_GET_ATTRIB = 0x0F;
    public static final int SCARD_SET_ATTRIB = 0x10;
    public static final int CMD_VERSION = 0x11;
    public static final int CMD_GET_READERS_STATE = 0x12;
    public static final int CMD_WAIT_READER_STATE_CHANGE = 0x13;
    public static final int CMD_STOP_WAITING_READER_STATE_CHANGE = 0x14;
    public static final int CMD_GET_READER_EVENTS = 0x15;
    public static final int CMD_GET_READERS_STATE_SIZE = 0x16;
    public static final int CMD_GET_READERS_STATE_ARRAY = 0x17;

    /**
     * The exact body size of a request with this command, or -1 for a code that clients never send
     * (pcscd closes the connection: 0x00, 0x03, 0x0C, 0x0E, above 0x17).
     */
    public static int requestSize(int command) {
        return switch (command) {
            case SCARD_ESTABLISH_CONTEXT, SCARD_DISCONNECT, SCARD_END_TRANSACTION, CMD_VERSION -> 12;
            case SCARD_RELEASE_CONTEXT, SCARD_BEGIN_TRANSACTION, SCARD_STATUS, SCARD_CANCEL -> 8;
            case SCARD_CONNECT -> 152;
            case SCARD_RECONNECT, SCARD_CONTROL -> 24;
            case SCARD_TRANSMIT -> 32;
            case SCARD_GET_ATTRIB, SCARD_SET_ATTRIB -> 280;
            case CMD_GET_READERS_STATE, CMD_WAIT_READER_STATE_CHANGE, CMD_STOP_WAITING_READER_STATE_CHANGE,
                    CMD_GET_READER_EVENTS, CMD_GET_READERS_STATE_SIZE, CMD_GET_READERS_STATE_ARRAY -> 0;
            default -> -1;
        };
    }

    /** pcsc-lite's name of a command code, for logs. */
    public static String commandName(int command) {
        return switch (command) {
            case SCARD_ESTABLISH_CONTEXT -> "ESTABLISH_CONTEXT";
            case SCARD_RELEASE_CONTEXT -> "RELEASE_CONTEXT";
            case SCARD_LIST_READERS -> "LIST_READERS";
            case SCARD_CONNECT -> "CONNECT";
            case SCARD_RECONNECT -> "RECONNECT";
            case SCARD_DISCONNECT -> "DISCONNECT";
            case SCARD_BEGIN_TRANSACTION -> "BEGIN_TRANSACTION";
            case SCARD_END_TRANSACTION -> "END_TRANSACTION";
            case SCARD_TRANSMIT -> "TRANSMIT";
            case SCARD_CONTROL -> "CONTROL";
            case SCARD_STATUS -> "STATUS";
            case SCARD_GET_STATUS_CHANGE -> "GET_STATUS_CHANGE";
            case SCARD_CANCEL -> "CANCEL";
            case SCARD_CANCEL_TRANSACTION -> "CANCEL_TRANSACTION";
            case SCARD_GET_ATTRIB -> "GET_ATTRIB";
            case SCARD_SET_ATTRIB -> "SET_ATTRIB";
            case CMD_VERSION -> "CMD_VERSION";
            case CMD_GET_READERS_STATE -> "CMD_GET_READERS_STATE";
            case CMD_WAIT_READER_STATE_CHANGE -> "CMD_WAIT_READER_STATE_CHANGE";
            case CMD_STOP_WAITING_READER_STATE_CHANGE -> "CMD_STOP_WAITING_READER_STATE_CHANGE";
            case CMD_GET_READER_EVENTS -> "CMD_GET_READER_EVENTS";
            case CMD_GET_READERS_STATE_SIZE -> "CMD_GET_READERS_STATE_SIZE";
            case CMD_GET_READERS_STATE_ARRAY -> "CMD_GET_READERS_STATE_ARRAY";
            default -> String.format("0x%X", command);
        };
    }
}
