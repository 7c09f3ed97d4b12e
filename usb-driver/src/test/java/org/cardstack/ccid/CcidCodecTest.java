package org.cardstack.ccid;

import static org.cardstack.ccid.CcidTranscript.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import org.cardstack.ccid.CcidTranscript.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Codec behaviour the transcripts cannot express: buffers, bounds, allocation, record semantics. */
class CcidCodecTest {

    private static final int MAX = 65554; // the rig reader's dwMaxCCIDMessageLength (traces U1)

    // ---- dwLength bounds: refused before any allocation ----

    @ParameterizedTest
    @ValueSource(strings = {"6F FF FF FF FF 00 01 00 00 00", "6F FF FF FF 7F 00 01 00 00 00", "6F 00 00 00 80 00 01 00 00 00"})
    void hugeDwLengthCommandIsRefusedWithoutAllocating(String header) {
        byte[] b = hex(header);
        long allocated = allocatedDuring(() -> {
            CcidFormatException e = assertThrows(CcidFormatException.class,
                    () -> CcidCodec.decodeCommand(b, b.length, Integer.MAX_VALUE));
            assertEquals("dwLength", e.field());
            assertEquals(1, e.offset());
        });
        assertTrue(allocated < 1 << 20, "decoding allocated " + allocated + " bytes");
    }

    @ParameterizedTest
    @ValueSource(ints = {0x80, 0x81, 0x82, 0x83, 0x84})
    void hugeDwLengthResponseIsRefusedWithoutAllocating(int type) {
        byte[] b = hex("00 FF FF FF FF 00 01 00 00 00 00 00 00 00 00 00 00");
        b[0] = (byte) type;
        long allocated = allocatedDuring(() -> {
            CcidFormatException e = assertThrows(CcidFormatException.class, () -> CcidCodec.decodeResponse(b, b.length, MAX));
            assertEquals("dwLength", e.field());
            assertEquals(1, e.offset());
            assertTrue(e.getMessage().contains("exceeds"), e.getMessage());
        });
        assertTrue(allocated < 1 << 20, "decoding allocated " + allocated + " bytes");
    }

    @Test
    void commandsWithoutDataRefuseADwLengthOtherThanZero() {
        // CCID §6.1.3: GetSlotStatus has dwLength 0000h; three stray bytes (trace U6 F2) are bError 01
        byte[] m = hex("65 03 00 00 00 00 2F 00 00 00 01 02 03");
        CcidFormatException e = assertThrows(CcidFormatException.class, () -> CcidCodec.decodeCommand(m, m.length, 271));
        assertEquals("dwLength", e.field());
        assertEquals(1, e.offset());
        byte[] xfr = hex("6F 03 00 00 00 00 2F 00 00 00 01 02 03");
        assertInstanceOf(PcToRdr.XfrBlock.class, assertDoesNotThrowDecode(xfr));
    }

    private static PcToRdr assertDoesNotThrowDecode(byte[] m) {
        try {
            return CcidCodec.decodeCommand(m, m.length, 271);
        } catch (CcidFormatException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void exactlyMaxMessageLengthIsAccepted() throws Exception {
        byte[] b = new byte[MAX];
        b[0] = (byte) 0x80;
        CcidCodec.putLe32(b, 1, MAX - 10);
        RdrToPc.DataBlock d = assertInstanceOf(RdrToPc.DataBlock.class, CcidCodec.decodeResponse(b, b.length, MAX));
        assertEquals(MAX - 10, d.abData().length);
        byte[] over = Arrays.copyOf(b, MAX + 1);
        CcidCodec.putLe32(over, 1, MAX - 9);
        CcidFormatException e = assertThrows(CcidFormatException.class, () -> CcidCodec.decodeResponse(over, over.length, MAX));
        assertTrue(e.getMessage().contains("exceeds"), e.getMessage());
    }

    // ---- buffers: the transport decodes from a large receive buffer with the transfer's length ----

    @Test
    void decodesOnlyLenBytesOfALargerBuffer() throws Exception {
        byte[] in = new byte[MAX];
        Arrays.fill(in, (byte) 0xEE);
        byte[] msg = hex("80 02 00 00 00 00 0B 00 00 00 90 00"); // U3 C1 answer
        System.arraycopy(msg, 0, in, 0, msg.length);
        RdrToPc r = CcidCodec.decodeResponse(in, msg.length, MAX);
        assertEquals(new RdrToPc.DataBlock(0, 0x0B, 0, 0, 0, hex("90 00")), r);

        byte[] params = hex("82 00 00 00 00 00 19 00 00 00 00 00 00 00 00 FE 00"); // U4 D1 (Q4)
        System.arraycopy(params, 0, in, 0, params.length);
        RdrToPc.Parameters p = assertInstanceOf(RdrToPc.Parameters.class, CcidCodec.decodeResponse(in, params.length, MAX));
        assertArrayEquals(hex("00 00 00 00 00 FE 00"), p.abData(), "only the bytes received, not the buffer's stale 0xEE");

        byte[] cmd = hex("6F 05 00 00 00 00 0E 00 00 00 80 01 00 00 0D"); // U3 C3
        System.arraycopy(cmd, 0, in, 0, cmd.length);
        assertEquals(new PcToRdr.XfrBlock(0, 0x0E, 0, 0, hex("80 01 00 00 0D")), CcidCodec.decodeCommand(in, cmd.length, MAX));

        in[0] = 0x50;
        in[1] = 0x03;
        assertEquals(new InterruptMessage.NotifySlotChange(new byte[] {3}), CcidCodec.decodeInterrupt(in, 2));
    }

    @Test
    void lenBeyondTheBufferIsACallerError() {
        byte[] b = hex("80 02 00 00 00 00 0B 00 00 00 90 00");
        assertThrows(IllegalArgumentException.class, () -> CcidCodec.decodeResponse(b, b.length + 1, MAX));
        assertThrows(IllegalArgumentException.class, () -> CcidCodec.decodeCommand(b, b.length + 1, MAX));
        byte[] n = hex("50 03");
        assertThrows(IllegalArgumentException.class, () -> CcidCodec.decodeInterrupt(n, 3),
                "must not pad bmSlotICCState with invented zero bytes");
    }

    @Test
    void shortHeaderNamesWhereItStops() {
        for (int len = 0; len < 10; len++) {
            byte[] b = Arrays.copyOf(hex("81 00 00 00 00 00 01 00 00 00"), len);
            int n = len;
            CcidFormatException e = assertThrows(CcidFormatException.class, () -> CcidCodec.decodeResponse(b, n, MAX));
            assertEquals("header", e.field());
            assertEquals(len, e.offset());
            CcidFormatException c = assertThrows(CcidFormatException.class, () -> CcidCodec.decodeCommand(b, n, MAX));
            assertEquals("header", c.field());
            assertTrue(c.getMessage().contains("offset " + len), c.getMessage());
        }
    }

    @Test
    void dwLengthOfAHeader() {
        assertEquals(0x69, CcidCodec.dwLength(hex("6F 69 00 00 00 00 18 00 00 00")));
        assertEquals(0x00010105, CcidCodec.dwLength(hex("6F 05 01 01 00 01 37 00 00 00")));
    }

    // ---- encoding from records ----

    @Test
    void messageSpecificBytesLandAtOffsets7To9() {
        assertArrayEquals(hex("6A 00 00 00 00 05 09 03 A0 C0"), CcidCodec.encode(new PcToRdr.T0APDU(5, 9, 3, 0xA0, 0xC0)));
        assertArrayEquals(hex("6F 01 00 00 00 00 01 07 34 12 AA"),
                CcidCodec.encode(new PcToRdr.XfrBlock(0, 1, 7, 0x1234, hex("AA"))));
        assertArrayEquals(hex("69 01 00 00 00 00 01 07 34 12 AA"),
                CcidCodec.encode(new PcToRdr.Secure(0, 1, 7, 0x1234, hex("AA"))));
        assertArrayEquals(hex("61 00 00 00 00 00 01 01 00 00"), CcidCodec.encode(new PcToRdr.SetParameters(0, 1, 1, new byte[0])));
    }

    @Test
    void interruptMessagesEncode() {
        assertArrayEquals(hex("50 B6 01"), CcidCodec.encode(new InterruptMessage.NotifySlotChange(hex("B6 01"))));
        assertArrayEquals(hex("51 02 07 01"), CcidCodec.encode(new InterruptMessage.HardwareError(2, 7, 1)));
    }

    @Test
    void multiSlotBitLayout() throws Exception {
        // slot n: byte n / 4, bits 2 * (n % 4) (present) and 2 * (n % 4) + 1 (changed)
        for (int slot = 0; slot < 16; slot++) {
            for (int bits = 0; bits < 4; bits++) {
                byte[] state = new byte[4];
                state[slot / 4] = (byte) (bits << (2 * (slot % 4)));
                InterruptMessage.NotifySlotChange n = (InterruptMessage.NotifySlotChange)
                        CcidCodec.decodeInterrupt(CcidCodec.encode(new InterruptMessage.NotifySlotChange(state)), 5);
                for (int other = 0; other < 20; other++) {
                    boolean me = other == slot;
                    assertEquals(me && (bits & 1) != 0, n.present(other), "slot " + slot + " bits " + bits + " present(" + other + ")");
                    assertEquals(me && (bits & 2) != 0, n.changed(other), "slot " + slot + " bits " + bits + " changed(" + other + ")");
                }
                assertEquals(16, n.slotCount());
            }
        }
    }

    // ---- records: value semantics and defensive copies ----

    @Test
    void recordsWithDataCompareByContent() {
        List<Object[]> pairs = List.of(
                new Object[] {new PcToRdr.XfrBlock(0, 1, 0, 0, hex("00 A4")), new PcToRdr.XfrBlock(0, 1, 0, 0, hex("00 A4")),
                    new PcToRdr.XfrBlock(0, 1, 0, 0, hex("00 A5"))},
                new Object[] {new PcToRdr.SetParameters(0, 1, 0, hex("11")), new PcToRdr.SetParameters(0, 1, 0, hex("11")),
                    new PcToRdr.SetParameters(0, 1, 1, hex("11"))},
                new Object[] {new PcToRdr.Escape(0, 1, hex("6A")), new PcToRdr.Escape(0, 1, hex("6A")), new PcToRdr.Escape(0, 2, hex("6A"))},
                new Object[] {new PcToRdr.Secure(0, 1, 0, 0, hex("04")), new PcToRdr.Secure(0, 1, 0, 0, hex("04")),
                    new PcToRdr.Secure(0, 1, 0, 1, hex("04"))},
                new Object[] {new RdrToPc.DataBlock(0, 1, 0, 0, 0, hex("90 00")), new RdrToPc.DataBlock(0, 1, 0, 0, 0, hex("90 00")),
                    new RdrToPc.DataBlock(0, 1, 0x40, 0, 0, hex("90 00"))},
                new Object[] {new RdrToPc.Parameters(0, 1, 0, 0, 0, hex("11")), new RdrToPc.Parameters(0, 1, 0, 0, 0, hex("11")),
                    new RdrToPc.Parameters(0, 1, 0, 0, 1, hex("11"))},
                new Object[] {new RdrToPc.Escape(0, 1, 0, 0, hex("01")), new RdrToPc.Escape(0, 1, 0, 0, hex("01")),
                    new RdrToPc.Escape(0, 1, 0, 0, hex("02"))},
                new Object[] {new InterruptMessage.NotifySlotChange(hex("03")), new InterruptMessage.NotifySlotChange(hex("03")),
                    new InterruptMessage.NotifySlotChange(hex("02"))});
        for (Object[] p : pairs) {
            assertEquals(p[0], p[1]);
            assertEquals(p[0].hashCode(), p[1].hashCode());
            assertNotEquals(p[0], p[2]);
            assertTrue(p[0].toString().contains("="), p[0].toString());
        }
        assertTrue(new PcToRdr.XfrBlock(0, 1, 0, 0, hex("00 A4")).toString().contains("00a4"), "abData shown as hex");
    }

    @Test
    void abDataIsCopiedInAndOut() {
        byte[] data = hex("00 A4");
        PcToRdr.XfrBlock x = new PcToRdr.XfrBlock(0, 1, 0, 0, data);
        data[0] = 0x7F;
        x.abData()[1] = 0x7F;
        assertArrayEquals(hex("00 A4"), x.abData());
        assertArrayEquals(hex("6F 02 00 00 00 00 01 00 00 00 00 A4"), CcidCodec.encode(x));
    }

    @Test
    void transcriptReaderSyntax() {
        CcidTranscript t = CcidTranscript.parse("inline", List.of(
                "# source line", "#  second", "",
                ">> 65 00 00 00 00 00 01 00 00 00 = GetSlotStatus bSlot=0 bSeq=1",
                "<< 82 00 00 00 00 00 01 00 00 00 | 00 00",
                "   00 00 00 FE 00",
                "   = Parameters bProtocolNum=0",
                "   ~ 82 07 00 00 00 00 01 00 00 00 | 00 00 00 00 00 FE 00",
                "@max 20",
                "!! - = error bMessageType@0 empty",
                "CT 80 06 00 01 00 00 12 00 -> 12 01"));
        assertEquals(List.of("source line", "second"), t.header);
        assertEquals(4, t.entries.size());
        assertEquals(Kind.RESPONSE, t.entries.get(1).kind);
        assertEquals(17, t.entries.get(1).bytes().length);
        assertTrue(t.entries.get(1).reencodesDifferently());
        assertEquals(20, t.entries.get(2).maxMessageLength);
        assertEquals(0, t.entries.get(2).bytes().length);
        assertArrayEquals(hex("12 01"), t.controlAnswer("80 06 00 01 00 00 12 00"));
        assertThrows(IllegalArgumentException.class, () -> CcidTranscript.parse("bad", List.of(">> 6G")));
        assertThrows(IllegalArgumentException.class, () -> CcidTranscript.parse("bad", List.of(">> 65 0")));
        assertThrows(IllegalArgumentException.class, () -> CcidTranscript.parse("bad", List.of("<> 65")));
    }

    private static long allocatedDuring(Runnable r) {
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        assumeTrue(mx instanceof com.sun.management.ThreadMXBean, "no per-thread allocation counter");
        com.sun.management.ThreadMXBean sun = (com.sun.management.ThreadMXBean) mx;
        assumeTrue(sun.isThreadAllocatedMemorySupported() && sun.isThreadAllocatedMemoryEnabled());
        long id = Thread.currentThread().getId();
        r.run(); // warm up class loading and exception paths
        long before = sun.getThreadAllocatedBytes(id);
        r.run();
        return sun.getThreadAllocatedBytes(id) - before;
    }
}
