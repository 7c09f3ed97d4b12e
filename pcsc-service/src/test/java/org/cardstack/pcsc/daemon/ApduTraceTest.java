package org.cardstack.pcsc.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ApduTraceTest {
    static String mask(String hex) { return ApduTrace.mask(HexFormat.of().parseHex(hex.replace(" ", ""))); }

    @Test
    void pinsAreMaskedHeadersAndOtherCommandsAreNot() {
        assertEquals("00 20 00 81 08 ** ** ** ** ** ** ** **", mask("0020008108 3132333435363738"));
        assertEquals("00 24 00 80 10 ** ** ** ** ** ** ** ** ** ** ** ** ** ** ** **",
                mask("0024008010 31323334FFFFFFFF 35363738FFFFFFFF"));
        assertEquals("00 2C 00 80 04 ** ** ** ** 00", mask("002C008004 01020304 00"));
        assertEquals("00 21 00 00 00 00 03 ** ** **", mask("00210000 000003 010203"), "extended Lc");
        assertEquals("00 20 00 81 00", mask("0020008100"), "VERIFY status query: nothing to hide");
        assertEquals("00 20 00 81 09 ** ** ** **", mask("0020008109 01020304"), "Lc longer than the data");
        assertEquals("00 A4 04 00 05 F0 00 00 00 01", mask("00A4040005F000000001"));
        assertEquals("FF 20 00 00 02 01 02", mask("FF2000000 20102".replace(" ", "")), "reader pseudo-APDU");
        assertEquals("00 20", mask("0020"));
    }
}
