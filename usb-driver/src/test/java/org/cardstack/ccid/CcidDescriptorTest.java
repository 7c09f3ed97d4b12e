package org.cardstack.ccid;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.cardstack.reader.ReaderProtocolException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CCID class descriptor (CCID rev 1.1 §5.1) of the rig reader, traces U1: the 54 bytes at offset
 * 18 of the 93-byte configuration descriptor in {@code vectors/ccid-1.1/U1-enumeration.txt}, checked
 * against the decode table of the trace.
 */
class CcidDescriptorTest {

    /** The rig reader's class descriptor, cut from the configuration descriptor of U1. */
    static byte[] rigDescriptor() {
        byte[] config = CcidTranscript.load("U1-enumeration.txt").controlAnswer("80 06 00 02 00 00 FF 00");
        assertEquals(93, config.length);
        return Arrays.copyOfRange(config, 18, 18 + 54);
    }

    @Test
    void rigReaderEveryField() throws Exception {
        byte[] d = rigDescriptor();
        assertEquals(0x36, d[0] & 0xFF);
        assertEquals(0x21, d[1] & 0xFF);
        CcidDescriptor c = CcidDescriptor.parse(d);
        assertEquals(0x0110, c.bcdCCID(), "bcdCCID 1.10");
        assertEquals(0, c.bMaxSlotIndex(), "one slot");
        assertEquals(1, c.slotCount());
        assertEquals(0x07, c.bVoltageSupport(), "5 V, 3 V and 1.8 V");
        assertEquals(CcidDescriptor.VOLTAGE_5V | CcidDescriptor.VOLTAGE_3V | CcidDescriptor.VOLTAGE_1_8V, c.bVoltageSupport());
        assertEquals(0x00000001, c.dwProtocols(), "T=0 only");
        assertTrue(c.supportsT0());
        assertFalse(c.supportsT1());
        assertEquals(4000, c.dwDefaultClock(), "kHz");
        assertEquals(65536, c.dwMaximumClock(), "kHz, Q18");
        assertEquals(0, c.bNumClockSupported());
        assertEquals(9600, c.dwDataRate());
        assertEquals(115200, c.dwMaxDataRate());
        assertEquals(0, c.bNumDataRatesSupported());
        assertEquals(254, c.dwMaxIFSD());
        assertEquals(0, c.dwSynchProtocols());
        assertEquals(0, c.dwMechanical());
        assertEquals(0x000104FE, c.dwFeatures());
        assertEquals(65554, c.dwMaxCCIDMessageLength(), "65536 + 18");
        assertEquals(0xFF, c.bClassGetResponse(), "echo the command's class");
        assertEquals(0xFF, c.bClassEnvelope());
        assertEquals(0, c.wLcdLayout(), "no LCD");
        assertEquals(0x01, c.bPINSupport(), "PIN verification (Q8)");
        assertEquals(1, c.bMaxCCIDBusySlots());
    }

    @Test
    void rigReaderFeatures() throws Exception {
        CcidDescriptor c = CcidDescriptor.parse(rigDescriptor());
        assertEquals(ExchangeLevel.TPDU, c.exchangeLevel());
        for (int set : new int[] {CcidDescriptor.FEATURE_AUTO_CONFIG_ATR, CcidDescriptor.FEATURE_AUTO_ACTIVATION,
            CcidDescriptor.FEATURE_AUTO_VOLTAGE, CcidDescriptor.FEATURE_AUTO_CLOCK, CcidDescriptor.FEATURE_AUTO_BAUD,
            CcidDescriptor.FEATURE_AUTO_PARAMETER_NEGOTIATION, CcidDescriptor.FEATURE_AUTO_PPS,
            CcidDescriptor.FEATURE_AUTO_IFSD}) {
            assertTrue(c.has(set), String.format("0x%08X set", set));
        }
        for (int clear : new int[] {CcidDescriptor.FEATURE_CLOCK_STOP, CcidDescriptor.FEATURE_NAD_OTHER_THAN_0,
            CcidDescriptor.FEATURE_USB_WAKEUP, 0x00020000, 0x00040000}) {
            assertFalse(c.has(clear), String.format("0x%08X clear", clear));
        }
        assertTrue(c.setsParametersItself());
        String s = c.toString();
        assertTrue(s.contains("CCID 1.10") && s.contains("TPDU") && s.contains("65554"), s);
    }

    @ParameterizedTest(name = "dwFeatures {0} -> {1}")
    @CsvSource({
        "0x00000000, CHARACTER",
        "0x000000FE, CHARACTER",
        "0x00010000, TPDU",
        "0x000104FE, TPDU",
        "0x00020000, SHORT_APDU",
        "0x000204BA, SHORT_APDU",
        "0x00040000, EXTENDED_APDU",
        "0x001407B2, EXTENDED_APDU",
    })
    void exchangeLevel(String features, ExchangeLevel level) throws Exception {
        byte[] d = rigDescriptor();
        CcidCodec.putLe32(d, 40, Integer.decode(features));
        CcidDescriptor c = CcidDescriptor.parse(d);
        assertEquals(level, c.exchangeLevel());
        assertEquals((int) Integer.decode(features), c.dwFeatures());
    }

    @Test
    void toBytesRoundTrip() throws Exception {
        byte[] d = rigDescriptor();
        CcidDescriptor c = CcidDescriptor.parse(d);
        assertArrayEquals(d, c.toBytes());
        assertEquals(c, CcidDescriptor.parse(c.toBytes()));
    }

    @Test
    void toBytesRoundTripWithEveryByteDistinct() throws Exception {
        // catches swapped or shifted offsets, and sign problems in the 32-bit fields
        byte[] d = new byte[54];
        for (int i = 0; i < d.length; i++) {
            d[i] = (byte) (0x80 + i * 3);
        }
        d[0] = 54;
        d[1] = 0x21;
        CcidDescriptor c = CcidDescriptor.parse(d);
        assertEquals(0x9B989592, c.dwProtocols(), "bytes 6..9 = 92 95 98 9B, little-endian");
        assertEquals(0x8986, c.bcdCCID(), "bytes 2..3 = 86 89");
        assertEquals(u32(d, 6), c.dwProtocols());
        assertEquals(u32(d, 40), c.dwFeatures());
        assertEquals(u32(d, 44), c.dwMaxCCIDMessageLength());
        assertEquals((d[50] & 0xFF) | (d[51] & 0xFF) << 8, c.wLcdLayout());
        assertEquals(d[53] & 0xFF, c.bMaxCCIDBusySlots());
        assertArrayEquals(d, c.toBytes());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 9, 53})
    void tooShortIsRejected(int length) {
        byte[] d = Arrays.copyOf(rigDescriptor(), length);
        assertThrows(ReaderProtocolException.class, () -> CcidDescriptor.parse(d));
    }

    @ParameterizedTest
    @ValueSource(ints = {0x00, 0x09, 0x35})
    void bLengthBelow54IsRejected(int bLength) {
        byte[] d = rigDescriptor();
        d[0] = (byte) bLength;
        ReaderProtocolException e = assertThrows(ReaderProtocolException.class, () -> CcidDescriptor.parse(d));
        assertTrue(e.getMessage().contains("bLength"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {0x00, 0x02, 0x04, 0x05, 0x11, 0x22, 0x24})
    void otherDescriptorTypesAreRejected(int type) {
        byte[] d = rigDescriptor();
        d[1] = (byte) type;
        ReaderProtocolException e = assertThrows(ReaderProtocolException.class, () -> CcidDescriptor.parse(d));
        assertTrue(e.getMessage().contains("bDescriptorType"), e.getMessage());
    }

    @Test
    void vendorTypeFfIsAccepted() throws Exception {
        byte[] d = rigDescriptor();
        d[1] = (byte) 0xFF; // pre-standard readers (libccid accepts them too)
        assertEquals(CcidDescriptor.parse(rigDescriptor()), CcidDescriptor.parse(d));
    }

    private static int u32(byte[] d, int off) {
        return (d[off] & 0xFF) | (d[off + 1] & 0xFF) << 8 | (d[off + 2] & 0xFF) << 16 | (d[off + 3] & 0xFF) << 24;
    }
}
