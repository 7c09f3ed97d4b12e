package org.cardstack.pcsc.daemon.wire;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Incremental decoder of one connection's requests: bytes go in as they arrive (split or merged
 * anywhere), whole {@link Message}s come out. Every length is checked before anything is allocated:
 * the header's size must be the command's exact structure size (at most 280 bytes), TRANSMIT/CONTROL
 * data at most {@link Wire#MAX_BUFFER_SIZE_EXTENDED}, GET/SET_ATTRIB lengths at most
 * {@link Wire#MAX_BUFFER_SIZE}, and codes that clients never send are refused, as pcscd does
 * (pcscd-protocol.md §3.3). So one message never holds more than 280 + 65 548 bytes.
 * After a {@link ProtocolException} the decoder is unusable (the connection is closed).
 */
public final class RequestDecoder {
    private final ByteBuffer header = ByteBuffer.allocate(Wire.HEADER_SIZE).order(Wire.ORDER);
    private ByteBuffer body;
    private ByteBuffer data;
    private Message pending;
    private int command = -1;
    private boolean failed;

    /**
     * Consumes bytes from {@code in} until one message is complete (returned, the rest of {@code in}
     * left unread) or {@code in} is exhausted (null).
     */
    public Message decode(ByteBuffer in) throws ProtocolException {
        if (failed) {
            throw new ProtocolException("decoder failed before");
        }
        try {
            return step(in);
        } catch (ProtocolException e) {
            failed = true;
            throw e;
        }
    }

    private Message step(ByteBuffer in) throws ProtocolException {
        if (command < 0) {
            move(in, header);
            if (header.hasRemaining()) {
                return null;
            }
            header.flip();
            int size = header.getInt();
            int cmd = header.getInt();
            header.clear();
            int expected = Wire.requestSize(cmd);
            if (expected < 0) {
                throw new ProtocolException("command " + Wire.commandName(cmd) + " is not accepted from clients");
            }
            if (size != expected) {
                throw new ProtocolException(String.format("%s with a body of %d bytes (must be %d)",
                        Wire.commandName(cmd), Integer.toUnsignedLong(size), expected));
            }
            if (expected == 0) {
                return new Message.Bodiless(cmd);
            }
            command = cmd;
            body = ByteBuffer.allocate(expected).order(Wire.ORDER);
        }
        if (body != null) {
            move(in, body);
            if (body.hasRemaining()) {
                return null;
            }
            body.flip();
            Message m = parse(command, body);
            body = null;
            int dataLength = 0;
            if (m instanceof Message.Transmit t) {
                dataLength = checkData("TRANSMIT", t.sendLength());
            } else if (m instanceof Message.Control c) {
                dataLength = checkData("CONTROL", c.sendLength());
            }
            if (dataLength == 0) {
                command = -1;
                return m;
            }
            pending = m;
            data = ByteBuffer.allocate(dataLength);
        }
        move(in, data);
        if (data.hasRemaining()) {
            return null;
        }
        byte[] raw = data.array();
        Message m = pending instanceof Message.Transmit t ? t.withData(raw) : ((Message.Control) pending).withData(raw);
        data = null;
        pending = null;
        command = -1;
        return m;
    }

    private static int checkData(String what, int length) throws ProtocolException {
        if (Integer.compareUnsigned(length, Wire.MAX_BUFFER_SIZE_EXTENDED) > 0) {
            throw new ProtocolException(what + " with " + Integer.toUnsignedLong(length) + " data bytes (at most "
                    + Wire.MAX_BUFFER_SIZE_EXTENDED + ")");
        }
        return length;
    }

    /** The structure of a request with a body; {@code body} holds exactly its size. */
    static Message parse(int command, ByteBuffer body) throws ProtocolException {
        Message m = switch (command) {
            case Wire.CMD_VERSION -> Message.Version.read(body);
            case Wire.SCARD_ESTABLISH_CONTEXT -> Message.Establish.read(body);
            case Wire.SCARD_RELEASE_CONTEXT -> Message.Release.read(body);
            case Wire.SCARD_CONNECT -> Message.Connect.read(body);
            case Wire.SCARD_RECONNECT -> Message.Reconnect.read(body);
            case Wire.SCARD_DISCONNECT -> Message.Disconnect.read(body);
            case Wire.SCARD_BEGIN_TRANSACTION -> Message.BeginTransaction.read(body);
            case Wire.SCARD_END_TRANSACTION -> Message.EndTransaction.read(body);
            case Wire.SCARD_TRANSMIT -> Message.Transmit.read(body);
            case Wire.SCARD_CONTROL -> Message.Control.read(body);
            case Wire.SCARD_STATUS -> Message.Status.read(body);
            case Wire.SCARD_CANCEL -> Message.Cancel.read(body);
            case Wire.SCARD_GET_ATTRIB -> Message.Attrib.read(false, body);
            case Wire.SCARD_SET_ATTRIB -> Message.Attrib.read(true, body);
            default -> throw new ProtocolException("no structure for " + Wire.commandName(command));
        };
        if (m instanceof Message.Attrib a && Integer.compareUnsigned(a.attrLength(), Wire.MAX_BUFFER_SIZE) > 0) {
            throw new ProtocolException((a.set() ? "SET" : "GET") + "_ATTRIB with cbAttrLen "
                    + Integer.toUnsignedLong(a.attrLength()) + " (at most " + Wire.MAX_BUFFER_SIZE + ")");
        }
        return m;
    }

    /** True while part of a message has been read (a request is on its way). */
    public boolean inProgress() {
        return command >= 0 || header.position() > 0;
    }

    private static void move(ByteBuffer from, ByteBuffer to) {
        int n = Math.min(from.remaining(), to.remaining());
        if (n > 0) {
            to.put(to.position(), from, from.position(), n); // absolute: no slice allocated per move
            to.position(to.position() + n);
            from.position(from.position() + n);
        }
    }

    /** Decodes every whole message in {@code bytes} (for tests and fuzzing); a trailing partial message is ignored. */
    public static List<Message> decodeAll(byte[] bytes) throws ProtocolException {
        RequestDecoder d = new RequestDecoder();
        ByteBuffer in = ByteBuffer.wrap(bytes);
        List<Message> out = new ArrayList<>();
        while (in.hasRemaining()) {
            Message m = d.decode(in);
            if (m == null) {
                break;
            }
            out.add(m);
        }
        return out;
    }
}
