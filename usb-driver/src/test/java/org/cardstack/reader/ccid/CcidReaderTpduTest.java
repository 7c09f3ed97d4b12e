package org.cardstack.reader.ccid;

import static org.cardstack.reader.ccid.CcidReaderTest.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.cardstack.ccid.CcidDescriptor;
import org.cardstack.reader.CardCommunicationException;
import org.cardstack.reader.NotSupportedException;
import org.cardstack.reader.SlotState;
import org.junit.jupiter.api.Test;

/**
 * TPDU-level readers that leave protocol selection to the host: GET_DATA_RATES, PPS through XfrBlock
 * (ISO/IEC 7816-3 §9), PC_to_RDR_SetParameters with the T=0 and T=1 structures (CCID §6.1.7), then
 * T=1 blocks (S(IFS), WTX in bBWI, a mute card as an invalid block) and T=0 TPDUs. Bytes worked out
 * from the specs; blocks as in vectors/iso7816-3/t1-*.txt.
 */
class CcidReaderTpduTest {
    /** ATR: TA1 13 (Fi 372, Di 4), TD1 81, TD2 31 (T=1), TA3 FE (IFSC 254), TB3 45 (BWI 4, CWI 5), TCK 88. */
    static final String T1_ATR = "3B 90 13 81 31 FE 45 88";

    /** TPDU level, automatic voltage, clock and baud rate only (no 0x02, 0x40, 0x80, 0x400): the host selects. */
    static String tpduDescriptor(int protocols, int dataRates) {
        CcidDescriptor d = new CcidDescriptor(0x0110, 0, 7, protocols, 4000, 4000, 0, 10752, 115_200, dataRates, 254, 0, 0,
                0x00010038, 271, 0xFF, 0xFF, 0, 0, 1);
        return HexFormat.of().formatHex(d.toBytes());
    }

    @Test
    void t1CardGetsPpsSetParametersIfsdAndBlocks() throws Exception {
        CcidReaderTest.Rig rig = CcidReaderTest.reader(tpduDescriptor(3, 2), """
                >> 62 00 00 00 00 00 00 00 00 00
                << 80 08 00 00 00 00 00 00 00 00 | 3B 90 13 81 31 FE 45 88
                CT A1 03 00 00 00 00 08 00 -> ok | 00 2A 00 00 02 A8 00 00   # GET_DATA_RATES: 10752, 43010 bps
                >> 6F 04 00 00 00 00 01 00 00 00 | FF 11 13 FD              # PPS: T=1, PPS1 = 13
                << 80 04 00 00 00 00 01 00 00 00 | FF 11 13 FD              # confirmed (§9.3)
                >> 61 07 00 00 00 00 02 01 00 00 | 13 10 00 45 00 FE 00     # SetParameters T=1: Fi/Di 13, LRC, BWI/CWI 45, IFSC FE
                << 82 07 00 00 00 00 02 00 00 01 | 13 10 00 45 00 FE 00
                >> 6F 05 00 00 00 00 03 00 00 00 | 00 C1 01 FE 3E           # S(IFS request) FE = dwMaxIFSD
                << 80 05 00 00 00 00 03 00 00 00 | 00 E1 01 FE 1E
                >> 6F 09 00 00 00 00 04 00 00 00 | 00 00 05 00 A4 04 00 00 A5   # I(0)
                << 80 05 00 00 00 00 04 00 00 00 | 00 C3 01 03 C1           # S(WTX request) 3
                >> 6F 05 00 00 00 00 05 03 00 00 | 00 E3 01 03 E1           # S(WTX response), bBWI = 3
                << 80 00 00 00 00 00 05 40 FE 00                            # failed, ICC_MUTE: BWT exceeded
                >> 6F 04 00 00 00 00 06 00 00 00 | 00 82 00 82              # R(0) other error (rule 7.1)
                << 80 06 00 00 00 00 06 00 00 00 | 00 00 02 90 00 92        # I(0) 90 00
                >> 6F 08 00 00 00 00 07 00 00 00 | 00 40 04 80 10 00 00 D4  # I(1)
                << 80 06 00 00 00 00 07 00 00 00 | 00 40 02 6A 82 AA        # I(1) 6A 82
                """);
        assertArrayEquals(hex(T1_ATR), rig.reader().powerOn(0));
        assertArrayEquals(hex("9000"), rig.reader().transmit(0, hex("00A4040000")));
        assertArrayEquals(hex("6A82"), rig.reader().transmit(0, hex("80100000")));
        rig.usb().assertDone();
    }

    @Test
    void t0CardWithUnsupportedRateFallsBackAndAcceptsFdDd() throws Exception {
        // ATR 3B 10 95: TA1 95 (Fi 512, Di 16) = 125000 bps at 4 MHz > dwMaxDataRate 115200: next Di, 12 (98), proposed.
        CcidReaderTest.Rig rig = CcidReaderTest.reader(tpduDescriptor(1, 0), """
                >> 62 00 00 00 00 00 00 00 00 00
                << 80 03 00 00 00 00 00 00 00 00 | 3B 10 95
                >> 6F 04 00 00 00 00 01 00 00 00 | FF 10 98 77              # PPS: T=0, PPS1 = 98 (93750 bps)
                << 80 03 00 00 00 00 01 00 00 00 | FF 00 FF                 # card leaves PPS1 out: Fd, Dd (§9.3)
                >> 61 05 00 00 00 00 02 00 00 00 | 11 00 00 0A 00           # SetParameters T=0: 11, direct, N 0, WI 10
                << 82 05 00 00 00 00 02 00 00 00 | 11 00 00 0A 00
                >> 6F 05 00 00 00 00 03 00 00 00 | 80 01 00 00 05           # T=0 case 2, 6Cxx to the caller
                << 80 02 00 00 00 00 03 00 00 00 | 6C 0D
                """);
        rig.reader().powerOn(0);
        assertArrayEquals(hex("6C0D"), rig.reader().transmit(0, hex("8001000005")));
        NotSupportedException e = assertThrows(NotSupportedException.class,
                () -> rig.reader().transmit(0, hex("80010000000003112233")));
        assertTrue(e.getMessage().toLowerCase().contains("extended"), e.getMessage());
        rig.usb().assertDone();
    }

    @Test
    void failedPpsPowersTheCardOff() throws Exception {
        CcidReaderTest.Rig rig = CcidReaderTest.reader(tpduDescriptor(3, 0), """
                >> 62 00 00 00 00 00 00 00 00 00
                << 80 08 00 00 00 00 00 00 00 00 | 3B 90 13 81 31 FE 45 88
                >> 6F 04 00 00 00 00 01 00 00 00 | FF 11 13 FD
                << 80 04 00 00 00 00 01 00 00 00 | FF 11 12 FC              # PPS1 changed: not a confirmation
                >> 63 00 00 00 00 00 02 00 00 00
                << 81 00 00 00 00 00 02 01 00 00
                """);
        CardCommunicationException e = assertThrows(CardCommunicationException.class, () -> rig.reader().powerOn(0));
        assertTrue(e.getMessage().contains("PPS"), e.getMessage());
        assertEquals(SlotState.PRESENT, rig.reader().knownState(0));
        rig.usb().assertDone();
    }

    @Test
    void t1OnlyCardOnT0OnlyReaderIsRefusedAtTransmit() throws Exception {
        CcidReaderTest.Rig rig = CcidReaderTest.reader(tpduDescriptor(1, 0), """
                >> 62 00 00 00 00 00 00 00 00 00
                << 80 08 00 00 00 00 00 00 00 00 | 3B 90 13 81 31 FE 45 88
                """);
        rig.reader().powerOn(0);
        NotSupportedException e = assertThrows(NotSupportedException.class, () -> rig.reader().transmit(0, hex("00A4040000")));
        assertTrue(e.getMessage().contains("[1]"), e.getMessage());
        rig.usb().assertDone();
    }

    @Test
    void t1RetryBudgetEndsInCardCommunicationException() throws Exception {
        // Automatic parameters and IFSD (0x02, 0x400): only the T=1 blocks. Card mute for every block.
        CcidDescriptor d = new CcidDescriptor(0x0110, 0, 7, 2, 4000, 4000, 0, 10752, 115_200, 0, 254, 0, 0,
                0x0001043A, 271, 0xFF, 0xFF, 0, 0, 1);
        StringBuilder script = new StringBuilder("""
                >> 62 00 00 00 00 00 00 00 00 00
                << 80 04 00 00 00 00 00 00 00 00 | 3B 80 01 81
                """);
        int seq = 1;
        String mute = "<< 80 00 00 00 00 00 %02X 40 FE 00%n";
        for (int round = 0; round < 4; round++) {
            script.append(String.format(">> 6F 09 00 00 00 00 %02X 00 00 00 | 00 00 05 00 A4 04 00 00 A5%n", seq)).append(String.format(mute, seq++));
            for (int i = 0; i < 2; i++) {
                script.append(String.format(">> 6F 04 00 00 00 00 %02X 00 00 00 | 00 82 00 82%n", seq)).append(String.format(mute, seq++));
            }
            if (round < 3) {
                script.append(String.format(">> 6F 04 00 00 00 00 %02X 00 00 00 | 00 C0 00 C0%n", seq))
                        .append(String.format("<< 80 04 00 00 00 00 %02X 00 00 00 | 00 E0 00 E0%n", seq++));
            }
        }
        CcidReaderTest.Rig rig = CcidReaderTest.reader(HexFormat.of().formatHex(d.toBytes()), script.toString());
        rig.reader().powerOn(0);
        CardCommunicationException e = assertThrows(CardCommunicationException.class,
                () -> rig.reader().transmit(0, hex("00A4040000")));
        assertTrue(e.getMessage().contains("T=1") && e.getMessage().contains("resynchronisations"), e.getMessage());
        rig.usb().assertDone();
    }
}
