package org.cardstack.pcsc.daemon.wire;

import java.nio.ByteBuffer;

/**
 * Encoding of whole messages: requests (header + structure + raw data, as the client library writes
 * them) and replies (bare structure, plus raw data only when rv = 0: pcscd-protocol.md §3.2, §5.9).
 * Also the client side of reply parsing, for test clients.
 */
public final class Codec {
    private Codec() { }

    /** A request as libpcsclite sends it: header(size = structure only, command), structure, raw data. */
    public static ByteBuffer request(Message m) {
        byte[] data = m.data();
        int n = data == null ? 0 : data.length;
        ByteBuffer out = ByteBuffer.allocate(Wire.HEADER_SIZE + m.structSize() + n).order(Wire.ORDER);
        out.putInt(m.structSize()).putInt(m.command());
        m.writeStruct(out);
        if (n > 0) {
            out.put(data);
        }
        return out.flip();
    }

    /**
     * A reply: the bare structure; for TRANSMIT/CONTROL followed by the response bytes only if rv = 0
     * (and then exactly recvLength / bytesReturned of them, which the caller has set to data's length).
     */
    public static ByteBuffer reply(Message m) {
        byte[] data = null;
        if (m instanceof Message.Transmit t && t.rv() == 0) {
            data = t.data();
        } else if (m instanceof Message.Control c && c.rv() == 0) {
            data = c.data();
        }
        if (data != null) {
            int announced = m instanceof Message.Transmit t ? t.recvLength() : ((Message.Control) m).bytesReturned();
            if (announced != data.length) {
                throw new IllegalArgumentException("reply announces " + announced + " bytes but carries " + data.length);
            }
        }
        int n = data == null ? 0 : data.length;
        ByteBuffer out = ByteBuffer.allocate(m.structSize() + n).order(Wire.ORDER);
        m.writeStruct(out);
        if (n > 0) {
            out.put(data);
        }
        return out.flip();
    }

    /** Parses a reply structure of {@code command} (the client knows what it asked); raw data is read separately. */
    public static Message parseReply(int command, ByteBuffer struct) throws ProtocolException {
        return RequestDecoder.parse(command, struct.order(Wire.ORDER));
    }
}
