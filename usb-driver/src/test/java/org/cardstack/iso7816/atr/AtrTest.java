package org.cardstack.iso7816.atr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Behaviour not covered by the data-driven vectors: RFU values, defensive copies, formatting. */
class AtrTest {

    @Test
    void rawBytesAreDefensivelyCopied() {
        byte[] raw = {0x3B, 0x02, 0x41, 0x42};
        Atr atr = Atr.parse(raw);
        raw[2] = 0;
        atr.bytes()[3] = 0;
        atr.historicalBytes()[0] = 0;
        assertArrayEquals(new byte[] {0x3B, 0x02, 0x41, 0x42}, atr.bytes());
        assertArrayEquals(new byte[] {0x41, 0x42}, atr.historicalBytes());
        assertEquals(Atr.parse("3b:02:41:42"), atr);
    }

    @Test
    void interfaceGroupsCarryTheirQualifier() {
        // T0=D5 (TA1 TC1 TD1), TD1=80 (T=0), TD2=91 (T=1), TD3=1F (T=15)
        Atr atr = Atr.parse("3B D5 18 FF 80 91 FE 1F C3 80 73 C8 21 13 08");
        List<InterfaceBytes> g = atr.interfaceBytes();
        assertEquals(4, g.size());
        assertEquals(OptionalInt.empty(), g.get(0).qualifier());
        assertEquals(OptionalInt.of(0), g.get(1).qualifier());
        assertEquals(OptionalInt.of(1), g.get(2).qualifier());
        assertEquals(OptionalInt.of(15), g.get(3).qualifier());
        assertEquals(OptionalInt.of(0xFE), g.get(2).ta());
        assertEquals(OptionalInt.empty(), g.get(2).tb());
        assertEquals(OptionalInt.empty(), atr.ta(9));
    }

    @Test
    void rfuFiIsEmptyLenientlyAndAnErrorStrictly() {
        Atr atr = Atr.parse("3B 10 71"); // TA1 = 71: Fi code 7 is RFU, Di code 1
        assertEquals(OptionalInt.empty(), atr.fi());
        assertEquals(OptionalInt.empty(), atr.fMaxKhz());
        assertEquals(OptionalInt.of(1), atr.di());
        AtrException e = assertThrows(AtrException.class, atr::fiStrict);
        assertEquals("byte 2 (TA1) = 0x71: Fi code 7 is RFU (table 7)", e.getMessage());
        assertEquals(2, e.offset());
        assertThrows(AtrException.class, atr::validate);
    }

    @Test
    void rfuDiIsReported() {
        Atr atr = Atr.parse("3B 10 1A"); // Di code A is RFU
        assertEquals(OptionalInt.of(372), atr.fi());
        assertEquals(OptionalInt.empty(), atr.di());
        AtrException e = assertThrows(AtrException.class, atr::diStrict);
        assertTrue(e.getMessage().contains("Di code 10 is RFU"), e.getMessage());
        Atr di0 = Atr.parse("3B 10 10"); // Di code 0 is RFU too
        assertEquals(OptionalInt.empty(), di0.di());
    }

    @Test
    void invalidIfscIsReported() {
        // T0=80 TD1=81 (T=1) TD2=11 (TA3, T=1) TA3=FF; TCK = 80^81^11^FF = EF
        Atr atr = Atr.parse("3B 80 81 11 FF EF");
        assertEquals(OptionalInt.empty(), atr.ifsc());
        AtrException e = assertThrows(AtrException.class, atr::ifscStrict);
        assertEquals("byte 4 (TA3) = 0xFF: IFSC 0x00 and 0xFF are invalid (§11.4.2)", e.getMessage());
    }

    @Test
    void rfuBwiAndZeroWi() {
        // T0=80 TD1=C1 (TC2 TD2, T=1) TC2=00 TD2=21 (TB3, T=1) TB3=A5; TCK = 80^C1^00^21^A5 = C5
        Atr atr = Atr.parse("3B 80 C1 00 21 A5 C5");
        assertEquals(OptionalInt.empty(), atr.wi());
        assertEquals(OptionalInt.empty(), atr.bwi());
        assertEquals(5, atr.cwi());
        assertTrue(assertThrows(AtrException.class, atr::wiStrict).getMessage().startsWith("byte 3 (TC2) = 0x00"));
        assertTrue(assertThrows(AtrException.class, atr::bwiStrict).getMessage().startsWith("byte 5 (TB3) = 0xA5"));
    }

    @Test
    void rfuClassIndicator() {
        // T0=80 TD1=80 (T=0) TD2=1F (TA3, T=15) TA3=05 (A and C: not in table 10); TCK = 80^80^1F^05 = 1A
        Atr atr = Atr.parse("3B 80 80 1F 05 1A");
        assertEquals(Set.of(VoltageClass.A, VoltageClass.C), atr.classes());
        assertEquals(ClockStop.NOT_SUPPORTED, atr.clockStop());
        assertThrows(AtrException.class, atr::classesStrict);
    }

    @Test
    void t15InTd1IsInvalidOnlyWhenValidated() {
        // T0=80 TD1=0F; TCK = 80^0F = 8F
        Atr atr = Atr.parse("3B 80 0F 8F");
        assertEquals(List.of(0), atr.protocols());
        AtrException e = assertThrows(AtrException.class, atr::validate);
        assertTrue(e.getMessage().contains("T=15 is invalid in TD1"), e.getMessage());
    }

    @Test
    void nonHexAndEmptyInput() {
        assertEquals(-1, assertThrows(AtrException.class, () -> Atr.parse("3B 0G")).offset());
        assertThrows(AtrException.class, () -> Atr.parse("3B 0"));
        AtrException e = assertThrows(AtrException.class, () -> Atr.parse(new byte[0]));
        assertEquals("byte 0 (TS): ATR is empty", e.getMessage());
    }

    @Test
    void toStringReadsLikeAnAnalysis() {
        String s = Atr.parse("3B D5 18 FF 80 91 FE 1F C3 80 73 C8 21 13 08").toString();
        assertTrue(s.startsWith("ATR: 3B D5 18 FF 80 91 FE 1F C3 80 73 C8 21 13 08\n"), s);
        for (String line : List.of("+ TS = 3B --> direct convention", "+ T0 = D5, Y1 = 1101, K = 5",
                "TA1 = 18 --> Fi = 372, Di = 12, fMax = 5.0 MHz", "TC1 = FF --> extra guard time N = 255",
                "TD1 = 80 --> Y2 = 1000, protocol T=0", "TD2 = 91 --> Y3 = 1001, protocol T=1",
                "TA3 = FE --> IFSC = 254", "TD3 = 1F --> Y4 = 0001, T=15",
                "TA4 = C3 --> clock stop: no preference, classes: A B", "+ TCK = 08 (correct checksum)")) {
            assertTrue(s.contains(line), () -> "missing \"" + line + "\" in\n" + s);
        }
        assertFalse(Atr.parse("3F 65 25 00 24 09 6B 90 00").toString().contains("TCK"));
    }
}
