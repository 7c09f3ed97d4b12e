package org.cardstack.vpcd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.HexFormat;
import org.cardstack.vpcd.wire.VpcdCommand;
import org.cardstack.vpcd.wire.VpcdFormatException;
import org.cardstack.vpcd.wire.VpcdWire;
import org.junit.jupiter.api.Test;

/** The framing as vsmartcard documents it (vpcd.c sendToVICC/recvFromVICC, vpicc VirtualICC.run). */
class VpcdWireTest {
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    @Test
    void controlMessagesAreOneByteWithATwoByteBigEndianLength() {
        // vpcd.h: VPCD_CTRL_LEN 1; OFF 0, ON 1, RESET 2, ATR 4
        assertEquals("000100", HEX.formatHex(VpcdWire.encode(VpcdCommand.Control.POWER_OFF)));
        assertEquals("000101", HEX.formatHex(VpcdWire.encode(VpcdCommand.Control.POWER_ON)));
        assertEquals("000102", HEX.formatHex(VpcdWire.encode(VpcdCommand.Control.RESET)));
        assertEquals("000104", HEX.formatHex(VpcdWire.encode(VpcdCommand.Control.ATR)));
        assertEquals(35963, VpcdWire.DEFAULT_PORT);
        assertEquals(0x8C7B, VpcdWire.DEFAULT_PORT);
    }

    @Test
    void apdusAreEverythingElse() throws Exception {
        byte[] select = HEX.parseHex("00A4040005F000000001");
        assertEquals("000A00A4040005F000000001", HEX.formatHex(VpcdWire.encode(new VpcdCommand.Apdu(select))));
        assertEquals(new VpcdCommand.Apdu(select), VpcdWire.decodeCommand(select));
        assertEquals(VpcdCommand.Control.ATR, VpcdWire.decodeCommand(new byte[] {4}));
        assertEquals(VpcdCommand.Control.RESET, VpcdWire.decodeCommand(new byte[] {2}));
        // a 2-byte message is not a control message (vicc treats every length but 1 as an APDU)
        assertEquals(new VpcdCommand.Apdu(new byte[] {0, 1}), VpcdWire.decodeCommand(new byte[] {0, 1}));
    }

    @Test
    void bigEndianLengthUpTo65535() throws Exception {
        byte[] big = new byte[0x1234];
        byte[] f = VpcdWire.frame(big);
        assertEquals(0x12, f[0]);
        assertEquals(0x34, f[1]);
        assertEquals(0x1236, f.length);
        assertEquals(VpcdWire.MAX_PAYLOAD + 2, VpcdWire.frame(new byte[VpcdWire.MAX_PAYLOAD]).length);
        assertThrows(IllegalArgumentException.class, () -> VpcdWire.frame(new byte[VpcdWire.MAX_PAYLOAD + 1]));
        assertThrows(IllegalArgumentException.class, () -> VpcdWire.frame(new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> VpcdWire.encode(new VpcdCommand.Apdu(new byte[3])));
        byte[] read = VpcdWire.readMessage(new ByteArrayInputStream(VpcdWire.frame(new byte[0xFFFF])), 0xFFFF);
        assertEquals(0xFFFF, read.length);
    }

    @Test
    void unknownControlBytesAreRefused() {
        for (int b : new int[] {3, 5, 0x80, 0xFF}) {
            VpcdFormatException e = assertThrows(VpcdFormatException.class, () -> VpcdWire.decodeCommand(new byte[] {(byte) b}));
            assertTrue(e.getMessage().contains(String.format("0x%02X", b)), e.getMessage());
        }
        assertThrows(VpcdFormatException.class, () -> VpcdWire.decodeCommand(new byte[0]));
    }

    @Test
    void readingChecksTheLengthBeforeReadingThePayload() throws Exception {
        assertNull(VpcdWire.readMessage(new ByteArrayInputStream(new byte[0]), 10));
        assertThrows(EOFException.class, () -> VpcdWire.readMessage(new ByteArrayInputStream(new byte[] {0}), 10));
        assertThrows(EOFException.class, () -> VpcdWire.readMessage(new ByteArrayInputStream(HEX.parseHex("0003AABB")), 10));
        VpcdFormatException zero = assertThrows(VpcdFormatException.class,
                () -> VpcdWire.readMessage(new ByteArrayInputStream(HEX.parseHex("0000")), 10));
        assertTrue(zero.getMessage().contains("length 0"));
        // 0xFFFF announced, only 33 expected: refused from the header alone, nothing else is read
        InputStream never = new InputStream() {
            int n;

            @Override
            public int read() throws IOException {
                if (n++ < 2) return 0xFF;
                throw new AssertionError("payload read after an over-long length");
            }
        };
        VpcdFormatException big = assertThrows(VpcdFormatException.class, () -> VpcdWire.readMessage(never, VpcdWire.MAX_ATR));
        assertTrue(big.getMessage().contains("65535"), big.getMessage());
    }

    @Test
    void consecutiveMessages() throws Exception {
        ByteArrayInputStream in = new ByteArrayInputStream(HEX.parseHex("000104" + "0002" + "9000" + "000101"));
        assertArrayEquals(new byte[] {4}, VpcdWire.readMessage(in, 100));
        assertArrayEquals(new byte[] {(byte) 0x90, 0}, VpcdWire.readMessage(in, 100));
        assertArrayEquals(new byte[] {1}, VpcdWire.readMessage(in, 100));
        assertNull(VpcdWire.readMessage(in, 100));
    }
}
