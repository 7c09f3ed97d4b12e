package org.cardstack.iso7816.t0;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.cardstack.iso7816.apdu.CommandApdu;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** ISO/IEC 7816-3 §12.2: command APDU to T=0 command TPDU. */
class T0CaseMappingTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        // APDU,               TPDU,             transfer,  length
        "00A40400,             00A4040000,       NONE,      0",    // case 1: P3 = 00 (§12.2.2)
        "00B0000010,           00B0000010,       FROM_CARD, 16",   // case 2S: P3 = Le (§12.2.3)
        "00B0000000,           00B0000000,       FROM_CARD, 256",  // Ne 256 -> P3 = 00
        "00A40400023F00,       00A40400023F00,   TO_CARD,   2",    // case 3S unchanged (§12.2.4)
        "00A40400023F0000,     00A40400023F00,   TO_CARD,   2",    // case 4S sent as 3S (§12.2.5)
        "00A40400023F0010,     00A40400023F00,   TO_CARD,   2",
    })
    void mapsShortCases(String apdu, String tpdu, T0CommandTpdu.Transfer transfer, int length) {
        T0CommandTpdu t = T0CaseMapping.map(CommandApdu.parse(hex(apdu)));
        assertEquals(tpdu, HexFormat.of().withUpperCase().formatHex(t.toBytes()));
        assertEquals(tpdu.substring(0, 10), HexFormat.of().withUpperCase().formatHex(t.header()));
        assertEquals(transfer, t.transfer());
        assertEquals(length, t.transferLength());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"00B00000000100", "00D60000000002AABB", "002A8086000002AABB0000"})
    void rejectsExtendedApdus(String apdu) {
        T0MappingException e = assertThrows(T0MappingException.class,
                () -> T0CaseMapping.map(CommandApdu.parse(hex(apdu))));
        assertTrue(e.getMessage().contains("extended") && e.getMessage().contains("ENVELOPE"), e.getMessage());
    }

    @Test
    void rejectsInsThatCollidesWithProcedureBytes() {
        assertThrows(T0MappingException.class, () -> T0CaseMapping.map(CommandApdu.of(0, 0x61, 0, 0)));
        assertThrows(T0MappingException.class, () -> T0CaseMapping.map(CommandApdu.of(0, 0x9F, 0, 0)));
    }

    @Test
    void case4FromFactoryDropsLe() {
        CommandApdu apdu = CommandApdu.of(0x00, 0x88, 0x00, 0x00, new byte[] {1, 2, 3, 4}, 256);
        T0CommandTpdu t = T0CaseMapping.map(apdu);
        assertEquals(4, t.p3());
        assertEquals("008800000401020304", HexFormat.of().withUpperCase().formatHex(t.toBytes()));
    }

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }
}
