package org.cardstack.pcsc.daemon.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The codec against the bytes of pcscd-traces.md (T1, T3, T4, T11) and the malformed-input rules of §3.3. */
class WireCodecTest {
    static final HexFormat HEX = HexFormat.of();

    static byte[] b(String hex) { return HEX.parseHex(hex.replace(" ", "")); }

    static byte[] bytes(ByteBuffer buf) {
        byte[] out = new byte[buf.remaining()];
        buf.get(out);
        return out;
    }

    @Test
    void t1VersionAndEstablish() throws Exception {
        List<Message> m = RequestDecoder.decodeAll(b("0c000000 11000000 04000000 04000000 00000000"
                + "0c000000 01000000 02000000 00000000 00000000"));
        assertEquals(List.of(new Message.Version(4, 4, 0), new Message.Establish(2, 0, 0)), m);
        assertArrayEquals(b("02000000 cfc5ab28 00000000"), bytes(Codec.reply(new Message.Establish(2, 0x28ABC5CF, 0))));
    }

    @Test
    void t3ConnectTransmitAttribControlReconnect() throws Exception {
        byte[] name = new byte[128];
        System.arraycopy("Virtual PCD 00 00".getBytes(), 0, name, 0, 17);
        ByteBuffer connect = ByteBuffer.allocate(160).order(Wire.ORDER);
        connect.put(b("98000000 04000000 198d424a")).put(name).put(b("02000000 03000000 00000000 00000000 00000000"));
        Message.Connect c = (Message.Connect) RequestDecoder.decodeAll(connect.array()).get(0);
        assertEquals("Virtual PCD 00 00", c.reader());
        assertEquals(2, c.shareMode());
        assertEquals(3, c.preferredProtocols());
        ByteBuffer reply = Codec.reply(c.reply(0x5BAB4598, 2, 0));
        assertEquals(152, reply.remaining());
        assertArrayEquals(b("98 45 ab 5b 02000000 00000000"), java.util.Arrays.copyOfRange(bytes(reply), 140, 152));

        Message.Transmit t = (Message.Transmit) RequestDecoder.decodeAll(b("20000000 09000000 9845ab5b 02000000 10000000"
                + " 07000000 03000000 10000000 0c000100 00000000 00a40400023f00")).get(0);
        assertEquals(7, t.sendLength());
        assertEquals(65548, t.recvLength());
        assertArrayEquals(b("00a40400023f00"), t.data());
        Message.Transmit tr = new Message.Transmit(t.hCard(), 2, 16, 7, 1, 16, 9, 0, b("00a40400023f009000"));
        assertArrayEquals(b("9845ab5b 02000000 10000000 07000000 01000000 10000000 09000000 00000000 00a40400023f009000"),
                bytes(Codec.reply(tr)));
        // T4: error reply carries no data, whatever the record holds
        Message.Transmit small = new Message.Transmit(0x0C4AEE01, 2, 16, 5, 1, 16, 7, 0x80100008, b("0102"));
        assertEquals(32, Codec.reply(small).remaining());

        Message.Attrib get = (Message.Attrib) RequestDecoder.decodeAll(concat(b("18010000 0f000000 9845ab5b 03030900"),
                new byte[264], b("08010000 1d001080"))).get(0);
        assertEquals(0x00090303, get.attrId());
        assertEquals(264, get.attrLength());
        assertEquals(280, Codec.reply(get).remaining());

        Message.Control ctl = (Message.Control) RequestDecoder.decodeAll(b("18000000 0a000000 9845ab5b 480d0042"
                + " 00000000 0c000100 00000000 00000000")).get(0);
        assertEquals(0x42000D48, ctl.controlCode());
        assertEquals(0, ctl.data().length);

        Message.Reconnect rc = (Message.Reconnect) RequestDecoder.decodeAll(b("18000000 05000000 9845ab5b 02000000"
                + " 03000000 01000000 f03263b7 00000000")).get(0);
        assertEquals(1, rc.initialization());
    }

    @Test
    void bodilessRequestsAndDaemonStructures() throws Exception {
        assertEquals(List.of(new Message.Bodiless(0x12), new Message.Bodiless(0x13), new Message.Bodiless(0x14),
                        new Message.Bodiless(0x15), new Message.Bodiless(0x16), new Message.Bodiless(0x17)),
                RequestDecoder.decodeAll(b("00000000 12000000 00000000 13000000 00000000 14000000 00000000 15000000"
                        + " 00000000 16000000 00000000 17000000")));
        assertArrayEquals(b("00000000 02001080"), bytes(Codec.reply(new Message.WaitReply(0, 0x80100002))));
        assertArrayEquals(b("02000000 00000000"), bytes(Codec.reply(new Message.ReaderEvents(2, 0))));
        assertArrayEquals(b("02000000"), bytes(Codec.reply(new Message.StateSize(2))));
    }

    @Test
    void readerRecordLayoutIsT2() {
        ReaderRecord r = new ReaderRecord("Virtual PCD 00 00", 1, 0x34, 1,
                b("3bdc18ff8191fe1fc38073c821136605036351000250"), 2);
        ByteBuffer arr = ReaderRecord.array(List.of(r), 16);
        assertEquals(2944, arr.remaining());
        byte[] rec = new byte[184];
        arr.duplicate().get(rec);
        assertArrayEquals(b("01000000 34000000 01000000 3bdc18ff"), java.util.Arrays.copyOfRange(rec, 128, 144));
        assertArrayEquals(b("000000 16000000 02000000"), java.util.Arrays.copyOfRange(rec, 173, 184));
        assertEquals(r, ReaderRecord.read(arr));
        assertTrue(ReaderRecord.read(arr).isEmpty());
    }

    @Test
    void everySplitDecodesTheSame() throws Exception {
        ByteBuffer all = ByteBuffer.allocate(4096).order(Wire.ORDER);
        all.put(Codec.request(new Message.Version(4, 6, 0)));
        all.put(Codec.request(Message.Transmit.request(7, 2, b("00a4040005f000000001"), 258)));
        all.put(Codec.request(new Message.Bodiless(Wire.CMD_WAIT_READER_STATE_CHANGE)));
        all.put(Codec.request(new Message.Control(7, 0x42000D48, 3, 256, 0, 0, b("010203"))));
        all.put(Codec.request(Message.Connect.request(9, "Reader 00 00", 2, 3)));
        byte[] stream = java.util.Arrays.copyOf(all.array(), all.position());
        List<Message> whole = RequestDecoder.decodeAll(stream);
        assertEquals(5, whole.size());
        for (int chunk = 1; chunk < 40; chunk++) {
            RequestDecoder d = new RequestDecoder();
            List<Message> got = new java.util.ArrayList<>();
            for (int i = 0; i < stream.length; i += chunk) {
                ByteBuffer in = ByteBuffer.wrap(stream, i, Math.min(chunk, stream.length - i));
                Message m;
                while ((m = d.decode(in)) != null) {
                    got.add(m);
                }
            }
            assertEquals(whole, got, "chunks of " + chunk);
        }
    }

    @Test
    void malformedInputIsAProtocolException() {
        String[] bad = {
                "08000000 11000000 0400000004000000",          // VERSION, size 8
                "0d000000 11000000",                          // VERSION, size 13
                "00000000 03000000",                          // LIST_READERS
                "00000000 0c000000",                          // GET_STATUS_CHANGE
                "00000000 0e000000",                          // CANCEL_TRANSACTION
                "00000000 00000000",                          // 0
                "00000000 18000000",                          // above the last code
                "ffffffff 09000000",                          // size 4 GiB
                "08000000 12000000",                          // bodiless with a body
                "20000000 09000000 01000000 02000000 10000000 0d000100 03000000 10000000 0c000100 00000000",
                "18000000 0a000000 01000000 480d0042 ffffffff 00010000 00000000 00000000",
        };
        for (String hex : bad) {
            assertThrows(ProtocolException.class, () -> RequestDecoder.decodeAll(b(hex)), hex);
        }
        byte[] attr = concat(b("18010000 10000000 01000000 03030900"), new byte[264], b("09010000 00000000"));
        assertThrows(ProtocolException.class, () -> RequestDecoder.decodeAll(attr), "cbAttrLen 265");
    }

    @Test
    void largestTransmitIsAccepted() throws Exception {
        byte[] apdu = new byte[Wire.MAX_BUFFER_SIZE_EXTENDED];
        List<Message> m = RequestDecoder.decodeAll(bytes(Codec.request(Message.Transmit.request(1, 2, apdu, 65548))));
        assertEquals(65548, ((Message.Transmit) m.get(0)).data().length);
        RequestDecoder d = new RequestDecoder();
        assertNull(d.decode(ByteBuffer.wrap(b("20000000"))));
        assertTrue(d.inProgress());
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }
}
