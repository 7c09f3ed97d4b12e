package org.cardstack.pcsc.daemon.wire;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One pcsc-lite message: the structure a request carries and the daemon sends back with some fields
 * overwritten (pcscd-protocol.md §5). One record per message; {@link #writeStruct} writes the bare
 * structure (replies have no header), {@link Codec} adds the header and the raw data of TRANSMIT and
 * CONTROL. Integer fields are the 32-bit wire values (unsigned ones as Java ints; compare with
 * {@link Integer#compareUnsigned} or {@code & 0xFFFFFFFFL}).
 */
public sealed interface Message {
    /** The command code. */
    int command();

    /** Bytes of the fixed structure (the request header's {@code size}). */
    default int structSize() { return Wire.requestSize(command()); }

    /** Writes the fixed structure (no header, no raw data). */
    void writeStruct(ByteBuffer out);

    /** Raw bytes that follow the structure (TRANSMIT/CONTROL), or null. */
    default byte[] data() { return null; }

    // ------------------------------------------------------------------ 12-byte structures

    /** CMD_VERSION (0x11): {@code version_struct}. */
    record Version(int major, int minor, int rv) implements Message {
        public int command() { return Wire.CMD_VERSION; }
        public void writeStruct(ByteBuffer out) { out.putInt(major).putInt(minor).putInt(rv); }
        static Version read(ByteBuffer in) { return new Version(in.getInt(), in.getInt(), in.getInt()); }
    }

    /** SCARD_ESTABLISH_CONTEXT (0x01): {@code establish_struct}. */
    record Establish(int scope, int hContext, int rv) implements Message {
        public int command() { return Wire.SCARD_ESTABLISH_CONTEXT; }
        public void writeStruct(ByteBuffer out) { out.putInt(scope).putInt(hContext).putInt(rv); }
        static Establish read(ByteBuffer in) { return new Establish(in.getInt(), in.getInt(), in.getInt()); }
    }

    /** SCARD_DISCONNECT (0x06): {@code disconnect_struct}. */
    record Disconnect(int hCard, int disposition, int rv) implements Message {
        public int command() { return Wire.SCARD_DISCONNECT; }
        public void writeStruct(ByteBuffer out) { out.putInt(hCard).putInt(disposition).putInt(rv); }
        static Disconnect read(ByteBuffer in) { return new Disconnect(in.getInt(), in.getInt(), in.getInt()); }
    }

    /** SCARD_END_TRANSACTION (0x08): {@code end_struct}. */
    record EndTransaction(int hCard, int disposition, int rv) implements Message {
        public int command() { return Wire.SCARD_END_TRANSACTION; }
        public void writeStruct(ByteBuffer out) { out.putInt(hCard).putInt(disposition).putInt(rv); }
        static EndTransaction read(ByteBuffer in) { return new EndTransaction(in.getInt(), in.getInt(), in.getInt()); }
    }

    // ------------------------------------------------------------------ 8-byte structures

    /** SCARD_RELEASE_CONTEXT (0x02): {@code release_struct}. */
    record Release(int hContext, int rv) implements Message {
        public int command() { return Wire.SCARD_RELEASE_CONTEXT; }
        public void writeStruct(ByteBuffer out) { out.putInt(hContext).putInt(rv); }
        static Release read(ByteBuffer in) { return new Release(in.getInt(), in.getInt()); }
    }

    /** SCARD_BEGIN_TRANSACTION (0x07): {@code begin_struct}. */
    record BeginTransaction(int hCard, int rv) implements Message {
        public int command() { return Wire.SCARD_BEGIN_TRANSACTION; }
        public void writeStruct(ByteBuffer out) { out.putInt(hCard).putInt(rv); }
        static BeginTransaction read(ByteBuffer in) { return new BeginTransaction(in.getInt(), in.getInt()); }
    }

    /** SCARD_STATUS (0x0B): {@code status_struct}, the verdict only. */
    record Status(int hCard, int rv) implements Message {
        public int command() { return Wire.SCARD_STATUS; }
        public void writeStruct(ByteBuffer out) { out.putInt(hCard).putInt(rv); }
        static Status read(ByteBuffer in) { return new Status(in.getInt(), in.getInt()); }
    }

    /** SCARD_CANCEL (0x0D): {@code cancel_struct}, naming another connection's context. */
    record Cancel(int hContext, int rv) implements Message {
        public int command() { return Wire.SCARD_CANCEL; }
        public void writeStruct(ByteBuffer out) { out.putInt(hContext).putInt(rv); }
        static Cancel read(ByteBuffer in) { return new Cancel(in.getInt(), in.getInt()); }
    }

    // ------------------------------------------------------------------ CONNECT / RECONNECT

    /** SCARD_CONNECT (0x04): {@code connect_struct}, 152 bytes; the 128-byte name field is kept as sent. */
    record Connect(int hContext, byte[] readerField, int shareMode, int preferredProtocols, int hCard,
                   int activeProtocol, int rv) implements Message {
        public Connect {
            if (readerField.length != Wire.MAX_READERNAME) {
                throw new IllegalArgumentException("reader field must be " + Wire.MAX_READERNAME + " bytes");
            }
            readerField = Arrays.copyOf(readerField, readerField.length);
        }

        /** A request naming {@code reader} (NUL-terminated, zero-padded; cut to 127 bytes). */
        public static Connect request(int hContext, String reader, int shareMode, int preferredProtocols) {
            return new Connect(hContext, nameField(reader), shareMode, preferredProtocols, 0, 0, 0);
        }

        @Override
        public byte[] readerField() { return Arrays.copyOf(readerField, readerField.length); }

        /** The reader name: bytes up to the first NUL (at most 127), as UTF-8. */
        public String reader() { return fieldString(readerField); }

        public Connect reply(int newHCard, int newActiveProtocol, int newRv) {
            return new Connect(hContext, readerField, shareMode, preferredProtocols, newHCard, newActiveProtocol, newRv);
        }

        public int command() { return Wire.SCARD_CONNECT; }

        public void writeStruct(ByteBuffer out) {
            out.putInt(hContext).put(readerField).putInt(shareMode).putInt(preferredProtocols).putInt(hCard)
                    .putInt(activeProtocol).putInt(rv);
        }

        static Connect read(ByteBuffer in) {
            int ctx = in.getInt();
            byte[] name = new byte[Wire.MAX_READERNAME];
            in.get(name);
            return new Connect(ctx, name, in.getInt(), in.getInt(), in.getInt(), in.getInt(), in.getInt());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Connect c && hContext == c.hContext && Arrays.equals(readerField, c.readerField)
                    && shareMode == c.shareMode && preferredProtocols == c.preferredProtocols && hCard == c.hCard
                    && activeProtocol == c.activeProtocol && rv == c.rv;
        }

        @Override
        public int hashCode() { return Arrays.hashCode(readerField) * 31 + hContext * 7 + hCard; }

        @Override
        public String toString() {
            return String.format("Connect[ctx=0x%X reader=\"%s\" share=%d protocols=0x%X hCard=0x%X active=%d rv=0x%X]",
                    hContext, reader(), shareMode, preferredProtocols, hCard, activeProtocol, rv);
        }
    }

    /** SCARD_RECONNECT (0x05): {@code reconnect_struct}; the request's activeProtocol is garbage. */
    record Reconnect(int hCard, int shareMode, int preferredProtocols, int initialization, int activeProtocol, int rv)
            implements Message {
        public int command() { return Wire.SCARD_RECONNECT; }
        public void writeStruct(ByteBuffer out) {
            out.putInt(hCard).putInt(shareMode).putInt(preferredProtocols).putInt(initialization).putInt(activeProtocol)
                    .putInt(rv);
        }
        static Reconnect read(ByteBuffer in) {
            return new Reconnect(in.getInt(), in.getInt(), in.getInt(), in.getInt(), in.getInt(), in.getInt());
        }
    }

    // ------------------------------------------------------------------ TRANSMIT / CONTROL

    /**
     * SCARD_TRANSMIT (0x09): {@code transmit_struct} (32 bytes) followed by {@code sendLength} raw bytes
     * in the request, or by {@code recvLength} response bytes in a reply with rv = 0. {@code data} is
     * those raw bytes (request: the APDU; reply: the response, empty when rv != 0).
     */
    record Transmit(int hCard, int sendPciProtocol, int sendPciLength, int sendLength, int recvPciProtocol,
                    int recvPciLength, int recvLength, int rv, byte[] data) implements Message {
        public Transmit {
            data = data == null ? new byte[0] : Arrays.copyOf(data, data.length);
        }

        public static Transmit request(int hCard, int protocol, byte[] apdu, int recvBuffer) {
            return new Transmit(hCard, protocol, 16, apdu.length, 3, 16, recvBuffer, 0, apdu);
        }

        @Override
        public byte[] data() { return Arrays.copyOf(data, data.length); }

        public int command() { return Wire.SCARD_TRANSMIT; }

        public void writeStruct(ByteBuffer out) {
            out.putInt(hCard).putInt(sendPciProtocol).putInt(sendPciLength).putInt(sendLength).putInt(recvPciProtocol)
                    .putInt(recvPciLength).putInt(recvLength).putInt(rv);
        }

        static Transmit read(ByteBuffer in) {
            return new Transmit(in.getInt(), in.getInt(), in.getInt(), in.getInt(), in.getInt(), in.getInt(),
                    in.getInt(), in.getInt(), null);
        }

        Transmit withData(byte[] d) {
            return new Transmit(hCard, sendPciProtocol, sendPciLength, sendLength, recvPciProtocol, recvPciLength,
                    recvLength, rv, d);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Transmit t && hCard == t.hCard && sendPciProtocol == t.sendPciProtocol
                    && sendPciLength == t.sendPciLength && sendLength == t.sendLength
                    && recvPciProtocol == t.recvPciProtocol && recvPciLength == t.recvPciLength
                    && recvLength == t.recvLength && rv == t.rv && Arrays.equals(data, t.data);
        }

        @Override
        public int hashCode() { return hCard * 31 + Arrays.hashCode(data); }

        @Override
        public String toString() {
            return String.format("Transmit[hCard=0x%X pci=%d/%d send=%d recvPci=%d/%d recv=%d rv=0x%X data=%d bytes]",
                    hCard, sendPciProtocol, sendPciLength, sendLength, recvPciProtocol, recvPciLength, recvLength, rv,
                    data.length);
        }
    }

    /** SCARD_CONTROL (0x0A): {@code control_struct} (24 bytes) + raw data, as {@link Transmit}. */
    record Control(int hCard, int controlCode, int sendLength, int recvLength, int bytesReturned, int rv, byte[] data)
            implements Message {
        public Control {
            data = data == null ? new byte[0] : Arrays.copyOf(data, data.length);
        }

        @Override
        public byte[] data() { return Arrays.copyOf(data, data.length); }

        public int command() { return Wire.SCARD_CONTROL; }

        public void writeStruct(ByteBuffer out) {
            out.putInt(hCard).putInt(controlCode).putInt(sendLength).putInt(recvLength).putInt(bytesReturned).putInt(rv);
        }

        static Control read(ByteBuffer in) {
            return new Control(in.getInt(), in.getInt(), in.getInt(), in.getInt(), in.getInt(), in.getInt(), null);
        }

        Control withData(byte[] d) {
            return new Control(hCard, controlCode, sendLength, recvLength, bytesReturned, rv, d);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Control c && hCard == c.hCard && controlCode == c.controlCode
                    && sendLength == c.sendLength && recvLength == c.recvLength && bytesReturned == c.bytesReturned
                    && rv == c.rv && Arrays.equals(data, c.data);
        }

        @Override
        public int hashCode() { return hCard * 31 + controlCode; }

        @Override
        public String toString() {
            return String.format("Control[hCard=0x%X code=0x%08X send=%d recv=%d returned=%d rv=0x%X]", hCard,
                    controlCode, sendLength, recvLength, bytesReturned, rv);
        }
    }

    // ------------------------------------------------------------------ attributes

    /** SCARD_GET_ATTRIB (0x0F) and SCARD_SET_ATTRIB (0x10): {@code getset_struct}, 280 bytes both ways. */
    record Attrib(boolean set, int hCard, int attrId, byte[] attr, int attrLength, int rv) implements Message {
        public Attrib {
            if (attr.length != Wire.MAX_BUFFER_SIZE) {
                attr = Arrays.copyOf(attr, Wire.MAX_BUFFER_SIZE);
            }
            attr = Arrays.copyOf(attr, attr.length);
        }

        @Override
        public byte[] attr() { return Arrays.copyOf(attr, attr.length); }

        /** The value: the first {@code attrLength} bytes (attrLength is checked to be at most 264 by the decoder). */
        public byte[] value() {
            return Arrays.copyOf(attr, Math.max(0, Math.min(attrLength, Wire.MAX_BUFFER_SIZE)));
        }

        public int command() { return set ? Wire.SCARD_SET_ATTRIB : Wire.SCARD_GET_ATTRIB; }

        public void writeStruct(ByteBuffer out) { out.putInt(hCard).putInt(attrId).put(attr).putInt(attrLength).putInt(rv); }

        static Attrib read(boolean set, ByteBuffer in) {
            int h = in.getInt();
            int id = in.getInt();
            byte[] a = new byte[Wire.MAX_BUFFER_SIZE];
            in.get(a);
            return new Attrib(set, h, id, a, in.getInt(), in.getInt());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Attrib a && set == a.set && hCard == a.hCard && attrId == a.attrId
                    && Arrays.equals(attr, a.attr) && attrLength == a.attrLength && rv == a.rv;
        }

        @Override
        public int hashCode() { return hCard * 31 + attrId; }

        @Override
        public String toString() {
            return String.format("%sAttrib[hCard=0x%X id=0x%08X length=%d rv=0x%X]", set ? "Set" : "Get", hCard, attrId,
                    attrLength, rv);
        }
    }

    // ------------------------------------------------------------------ bodiless requests

    /** A request without a body: CMD_GET_READERS_STATE, WAIT, STOP, GET_READER_EVENTS, STATE_SIZE, STATE_ARRAY. */
    record Bodiless(int command) implements Message {
        public Bodiless {
            if (Wire.requestSize(command) != 0) {
                throw new IllegalArgumentException("command " + Wire.commandName(command) + " has a body");
            }
        }
        public void writeStruct(ByteBuffer out) { }
    }

    // ------------------------------------------------------------------ daemon-only structures

    /**
     * {@code wait_reader_state_change} (8 bytes): the STOP reply and the unsolicited notification
     * (rv 0: re-read the state; SCARD_E_CANCELLED: cancelled). timeOut is always 0.
     */
    record WaitReply(int timeOut, int rv) implements Message {
        public int command() { return Wire.CMD_WAIT_READER_STATE_CHANGE; }
        public int structSize() { return 8; }
        public void writeStruct(ByteBuffer out) { out.putInt(timeOut).putInt(rv); }
        public static WaitReply read(ByteBuffer in) { return new WaitReply(in.getInt(), in.getInt()); }
    }

    /** {@code get_reader_events} (8 bytes): the reader add/remove counter. */
    record ReaderEvents(int readerEvents, int rv) implements Message {
        public int command() { return Wire.CMD_GET_READER_EVENTS; }
        public int structSize() { return 8; }
        public void writeStruct(ByteBuffer out) { out.putInt(readerEvents).putInt(rv); }
        public static ReaderEvents read(ByteBuffer in) { return new ReaderEvents(in.getInt(), in.getInt()); }
    }

    /** CMD_GET_READERS_STATE_SIZE reply: a signed record count, no rv. */
    record StateSize(int records) implements Message {
        public int command() { return Wire.CMD_GET_READERS_STATE_SIZE; }
        public int structSize() { return 4; }
        public void writeStruct(ByteBuffer out) { out.putInt(records); }
        public static StateSize read(ByteBuffer in) { return new StateSize(in.getInt()); }
    }

    // ------------------------------------------------------------------ helpers

    /** A NUL-terminated, zero-padded 128-byte reader name field (UTF-8, cut to 127 bytes on a character boundary). */
    static byte[] nameField(String name) {
        byte[] field = new byte[Wire.MAX_READERNAME];
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(b.length, Wire.MAX_READERNAME - 1);
        while (n > 0 && n < b.length && (b[n] & 0xC0) == 0x80) {
            n--;
        }
        System.arraycopy(b, 0, field, 0, n);
        return field;
    }

    /** The string up to the first NUL of a fixed field (at most length - 1 bytes). */
    static String fieldString(byte[] field) {
        int n = 0;
        while (n < field.length - 1 && field[n] != 0) {
            n++;
        }
        return new String(field, 0, n, StandardCharsets.UTF_8);
    }
}
