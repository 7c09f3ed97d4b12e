package org.cardstack.iso7816.apdu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** ISO/IEC 7816-4 §5.1 command APDU cases; encodings written out from the clause's length-field rules. */
class CommandApduTest {

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
        // case, hex,                          extended, Nc, Ne,    data
        "1,  00A40400,                          false, 0,   0,     ''",
        "2,  00B0000010,                        false, 0,   16,    ''",
        "2,  00B0000000,                        false, 0,   256,   ''",     // Le 00 = 256
        "3,  00A40400023F00,                    false, 2,   0,     3F00",
        "4,  00A40400023F0010,                  false, 2,   16,    3F00",
        "4,  00A40400023F0000,                  false, 2,   256,   3F00",
        "2,  00B00000000100,                    true,  0,   256,   ''",     // 2E: 00 Le1 Le2
        "2,  00B00000000000,                    true,  0,   65536, ''",     // 2E: Le 0000 = 65536
        "3,  00D600000000 02AABB,               true,  2,   0,     AABB",   // 3E: 00 Lc1 Lc2 data
        "4,  002A8086000002AABB0000,            true,  2,   65536, AABB",   // 4E: ... Le1 Le2
        "4,  002A8086000002AABB0100,            true,  2,   256,   AABB",
    })
    void parsesEveryCase(int caseNumber, String hex, boolean extended, int nc, int ne, String data) {
        byte[] raw = hex(hex);
        CommandApdu apdu = CommandApdu.parse(raw);
        assertEquals(caseNumber, apdu.caseNumber());
        assertEquals(extended, apdu.isExtended());
        assertEquals(nc, apdu.nc());
        assertEquals(ne, apdu.ne());
        assertArrayEquals(hex(data), apdu.data());
        assertEquals(raw[0] & 0xFF, apdu.cla());
        assertEquals(raw[1] & 0xFF, apdu.ins());
        assertArrayEquals(raw, apdu.toBytes(), "round trip keeps the length-field form");
    }

    @Test
    void extendedCase3WithLongData() {
        byte[] raw = new byte[7 + 300];
        raw[1] = (byte) 0xD6;
        raw[5] = 0x01;
        raw[6] = 0x2C; // Lc = 300
        CommandApdu apdu = CommandApdu.parse(raw);
        assertEquals(3, apdu.caseNumber());
        assertEquals(300, apdu.nc());
        assertArrayEquals(raw, apdu.toBytes());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "00A404     | shorter than the 4-byte header",
        "00A40400023F | byte 4 (Lc) = 0x02 announces 2 data bytes, so the APDU must be 7 (case 3S) or 8 (case 4S) bytes long, got 6",
        "00A40400023F000000 | got 9",
        "00B0000000 01 | neither case 2S (5 bytes) nor an extended case",
        "00B000000000 0001 | extended Lc) = 0x0000",
        "00D600000000 03AABB | announce 3 data bytes, so the APDU must be 10 (case 3E) or 12 (case 4E) bytes long, got 9",
        "002A8086000002AABB00 | got 10",
    })
    void rejectsInconsistentLengths(String hex, String fragment) {
        ApduFormatException e = assertThrows(ApduFormatException.class, () -> CommandApdu.parse(hex(hex)));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    @Test
    void factoryPicksTheShortFormWhenPossible() {
        assertFalse(CommandApdu.of(0, 0xB0, 0, 0, new byte[0], 256).isExtended());
        assertFalse(CommandApdu.of(0, 0xD6, 0, 0, new byte[255], 256).isExtended());
        assertTrue(CommandApdu.of(0, 0xB0, 0, 0, new byte[0], 257).isExtended());
        assertTrue(CommandApdu.of(0, 0xD6, 0, 0, new byte[256], 0).isExtended());
        assertEquals("00B0000000", CommandApdu.of(0, 0xB0, 0, 0, new byte[0], 256).toHex());
        assertEquals("00B00000000000", CommandApdu.of(0, 0xB0, 0, 0, new byte[0], 65536).toHex());
        assertEquals(1, CommandApdu.of(0x80, 0xCA, 0x9F, 0x7F).caseNumber());
    }

    @Test
    void factoryValidatesRangesAndCopiesData() {
        assertThrows(ApduFormatException.class, () -> CommandApdu.of(256, 0, 0, 0));
        assertThrows(ApduFormatException.class, () -> CommandApdu.of(0, -1, 0, 0));
        assertThrows(ApduFormatException.class, () -> CommandApdu.of(0, 0, 0, 0, new byte[0], 65537));
        assertThrows(ApduFormatException.class, () -> CommandApdu.of(0, 0, 0, 0, new byte[65536], 0));
        byte[] data = {1, 2};
        CommandApdu apdu = CommandApdu.of(0, 0xD6, 0, 0, data, 0);
        data[0] = 9;
        apdu.data()[1] = 9;
        assertArrayEquals(new byte[] {1, 2}, apdu.data());
        assertEquals(CommandApdu.parse(hex("00D60000020102")), apdu);
    }

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }
}
