package org.cardstack.reader.ccid;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.List;
import org.cardstack.ccid.CcidDescriptor;
import org.cardstack.quirks.QuirkTable;
import org.cardstack.reader.CardAbsentException;
import org.cardstack.reader.CardMuteException;
import org.cardstack.reader.CardUnpoweredException;
import org.cardstack.reader.NotSupportedException;
import org.cardstack.reader.ReaderGoneException;
import org.cardstack.reader.ReaderInfo;
import org.cardstack.reader.ReaderProtocolException;
import org.cardstack.reader.ReaderTimeoutException;
import org.cardstack.reader.SlotState;
import org.cardstack.usb.UsbDevice;
import org.junit.jupiter.api.Test;

/**
 * The CCID reader against scripted USB transfers. Exchanges are written as traces; bytes of the
 * T=0 TPDU reader come from the rig captures (shared/docs/ccid-traces.md U2, U3, U7), the others
 * are worked out from CCID rev 1.1 §6.1/§6.2.
 */
class CcidReaderTest {
    static final String DEVICE = "12 01 10 01 00 00 00 40 E6 08 33 44 00 00 01 02 03 01";
    /** The rig reader's class descriptor (U1): T=0 only, TPDU level, automatic parameters, 65554 max. */
    static final String RIG_CCID = "36 21 10 01 00 07 01 00 00 00 A0 0F 00 00 00 00 01 00 00 80 25 00 00 00 C2 01 00 "
            + "00 FE 00 00 00 00 00 00 00 00 00 00 00 FE 04 01 00 12 00 01 00 FF FF 00 00 01 01";
    static final String ATR = "3B 0A 4A 43 4F 50 33 31 56 32 33 32";
    static final CcidTimeouts FAST = new CcidTimeouts(50, 200, 20, 10);

    static UsbDevice device(String ccidDescriptor) throws Exception {
        String config = "09 02 5D 00 01 01 00 E0 32" + "09 04 00 00 03 0B 00 00 04" + ccidDescriptor
                + "07 05 81 03 40 00 FF" + "07 05 82 02 40 00 00" + "07 05 03 02 40 00 00";
        return new UsbDevice(1, 2, "1-1", hex(DEVICE), hex(config));
    }

    /** The rig descriptor with other dwFeatures, bVoltageSupport and dwMaxCCIDMessageLength. */
    static String descriptor(int dwFeatures, int voltages, int maxMessage) throws Exception {
        CcidDescriptor rig = CcidDescriptor.parse(hex(RIG_CCID));
        CcidDescriptor d = new CcidDescriptor(rig.bcdCCID(), 0, voltages, 3, rig.dwDefaultClock(),
                rig.dwMaximumClock(), 0, rig.dwDataRate(), rig.dwMaxDataRate(), 0, 254, 0, 0, dwFeatures, maxMessage,
                0xFF, 0xFF, 0, 0, 1);
        return HexFormat.of().formatHex(d.toBytes());
    }

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replaceAll("[\\s|]", ""));
    }

    record Rig(CcidReader reader, ScriptedUsbHandle usb) { }

    static Rig reader(String ccid, String script) throws Exception {
        UsbDevice device = device(ccid);
        CcidInterface itf = CcidInterface.find(device, QuirkTable.none()).get(0);
        ScriptedUsbHandle usb = new ScriptedUsbHandle(device, script);
        ReaderInfo info = new ReaderInfo("test reader", "QEMU", "QEMU USB CCID", "", 0x08E6, 0x4433, 0, 1,
                itf.descriptor().dwMaxCCIDMessageLength() - 10, 0, itf.descriptor().exchangeLevel().label());
        return new Rig(new CcidReader(info, itf.descriptor(), new CcidTransport(usb, itf, FAST)), usb);
    }

    @Test
    void findsTheRigReaderInterface() throws Exception {
        List<CcidInterface> found = CcidInterface.find(device(RIG_CCID), QuirkTable.standard());
        assertEquals(1, found.size());
        CcidInterface itf = found.get(0);
        assertEquals(0x03, itf.bulkOut());
        assertEquals(0x82, itf.bulkIn());
        assertEquals(0x81, itf.interruptIn());
        assertEquals(0, itf.descriptor().bPINSupport(), "quirk Q8: QEMU's PIN support is not real");
    }

    @Test
    void powerOnWithAutomaticVoltageThenT0Select() throws Exception {
        Rig rig = reader(RIG_CCID, """
                >> 62 00 00 00 00 00 00 00 00 00                 # IccPowerOn, bPowerSelect 00 (dwFeatures 0x08)
                << 80 0C 00 00 00 00 00 00 00 00 | 3B 0A 4A 43 4F 50 33 31 56 32 33 32
                >> 6F 0A 00 00 00 00 01 00 00 00 | 00 A4 04 00 05 F0 00 00 00 01   # case 3: unchanged
                << 80 02 00 00 00 00 01 00 00 00 | 90 00
                """);
        assertArrayEquals(hex(ATR), rig.reader.powerOn(0));
        assertArrayEquals(hex("9000"), rig.reader.transmit(0, hex("00A4040005F000000001")));
        assertArrayEquals(hex(ATR), rig.reader.atr(0));
        rig.usb.assertDone();
    }

    @Test
    void t0MapsCase4ToCase3AndLeaves61xxToTheCaller() throws Exception {
        Rig rig = reader(RIG_CCID, """
                >> 62 00 00 00 00 00 00 00 00 00
                << 80 0C 00 00 00 00 00 00 00 00 | 3B 0A 4A 43 4F 50 33 31 56 32 33 32
                >> 6F 08 00 00 00 00 01 00 00 00 | 80 01 00 00 03 11 22 33       # case 4 sent as case 3 (7816-3 §12.2.4)
                << 80 02 00 00 00 00 01 00 00 00 | 61 0D
                >> 6F 05 00 00 00 00 02 00 00 00 | 80 02 00 00 00                # case 1: P3 = 00 (§12.2.2)
                << 80 02 00 00 00 00 02 00 00 00 | 90 00
                >> 6F 05 00 00 00 00 03 00 00 00 | 80 01 00 00 05                # case 2: P3 = Le
                << 80 02 00 00 00 00 03 00 00 00 | 6C 0D
                """);
        rig.reader.powerOn(0);
        assertArrayEquals(hex("610D"), rig.reader.transmit(0, hex("80010000031122330D")));
        assertArrayEquals(hex("9000"), rig.reader.transmit(0, hex("80020000")));
        assertArrayEquals(hex("6C0D"), rig.reader.transmit(0, hex("8001000005")));
        rig.usb.assertDone();
    }

    @Test
    void extendedApduOnT0IsRefusedClearly() throws Exception {
        Rig rig = reader(RIG_CCID, """
                >> 62 00 00 00 00 00 00 00 00 00
                << 80 0C 00 00 00 00 00 00 00 00 | 3B 0A 4A 43 4F 50 33 31 56 32 33 32
                """);
        rig.reader.powerOn(0);
        NotSupportedException e = assertThrows(NotSupportedException.class,
                () -> rig.reader.transmit(0, hex("80010000000003112233")));
        assertTrue(e.getMessage().toLowerCase().contains("extended"), e.getMessage());
    }

    @Test
    void t1CardOnTpduReaderRunsTheBlockProtocol() throws Exception {
        // ATR 3B 80 01 81: TD1 = 01 offers T=1 only, TCK 81 (7816-3 §8.2.5). The reader configures itself from
        // the ATR (0x02) and negotiates IFSD (0x400): the driver sends T=1 blocks, nothing else (more in CcidReaderTpduTest).
        Rig rig = reader(descriptor(0x000104FE, 7, 271), """
                >> 62 00 00 00 00 00 00 00 00 00
                << 80 04 00 00 00 00 00 00 00 00 | 3B 80 01 81
                >> 6F 09 00 00 00 00 01 00 00 00 | 00 00 05 00 A4 04 00 00 A5   # I(0) 00 A4 04 00 00, LRC A5
                << 80 06 00 00 00 00 01 00 00 00 | 00 00 02 90 00 92            # I(0) 90 00
                """);
        rig.reader.powerOn(0);
        assertArrayEquals(hex("9000"), rig.reader.transmit(0, hex("00A4040000")));
        rig.usb.assertDone();
    }

    @Test
    void voltageSelectionStartsWithTheLowestClass() throws Exception {
        // No automatic voltage (dwFeatures without 0x08), all three voltages: 1.8 V first (7816-3 §6.2.4).
        Rig rig = reader(descriptor(0x000200B6, 7, 271), """
                >> 62 00 00 00 00 00 00 03 00 00                 # 1.8 V
                << 80 00 00 00 00 00 00 41 FE 00                 # failed, ICC_MUTE
                >> 63 00 00 00 00 00 01 00 00 00
                << 81 00 00 00 00 00 01 01 00 00
                >> 62 00 00 00 00 00 02 02 00 00                 # 3 V: ATR without class indicator, kept
                << 80 0C 00 00 00 00 02 00 00 00 | 3B 0A 4A 43 4F 50 33 31 56 32 33 32
                """);
        assertArrayEquals(hex(ATR), rig.reader.powerOn(0));
        rig.usb.assertDone();
    }

    @Test
    void classIndicatorExcludingTheVoltageMovesToTheNextClass() throws Exception {
        // 3B 80 1F 01 9E: TD1 1F announces T=15, TA2... no: TD1 = 1F (TA2 follows, T=15), TA2 = 01 class A only
        // 3B 81 1F 01 ... would need TCK; the ATR below is TS 3B, T0 80, TD1 1F, TA2 01, TCK = 80^1F^01 = 9E.
        Rig rig = reader(descriptor(0x000200B6, 7, 271), """
                >> 62 00 00 00 00 00 00 03 00 00                 # 1.8 V: the card answers, but says class A only
                << 80 05 00 00 00 00 00 00 00 00 | 3B 80 1F 01 9E
                >> 63 00 00 00 00 00 01 00 00 00
                << 81 00 00 00 00 00 01 01 00 00
                >> 62 00 00 00 00 00 02 02 00 00                 # 3 V: same answer
                << 80 05 00 00 00 00 02 00 00 00 | 3B 80 1F 01 9E
                >> 63 00 00 00 00 00 03 00 00 00
                << 81 00 00 00 00 00 03 01 00 00
                >> 62 00 00 00 00 00 04 01 00 00                 # 5 V: class A, accepted
                << 80 05 00 00 00 00 04 00 00 00 | 3B 80 1F 01 9E
                """);
        assertArrayEquals(hex("3B801F019E"), rig.reader.powerOn(0));
        rig.usb.assertDone();
    }

    @Test
    void mutedCardOnEveryVoltageGivesCardMute() throws Exception {
        Rig rig = reader(descriptor(0x00020000, 1, 271), """
                >> 62 00 00 00 00 00 00 01 00 00                 # 5 V only
                << 80 0F 00 00 00 00 00 41 FE 00 | 3B D5 18 FF 80 91 FE 1F C3 80 73 C8 21 13 08   # Q15: data ignored
                >> 63 00 00 00 00 00 01 00 00 00
                << 81 00 00 00 00 00 01 01 00 00
                """);
        assertThrows(CardMuteException.class, () -> rig.reader.powerOn(0));
        assertEquals(null, rig.reader.atr(0));
        rig.usb.assertDone();
    }

    @Test
    void absentCardAnswersAreTyped() throws Exception {
        Rig rig = reader(RIG_CCID, """
                >> 62 00 00 00 00 00 00 00 00 00
                << 80 0C 00 00 00 00 00 42 FE 00 | 3B 0A 4A 43 4F 50 33 31 56 32 33 32   # U7: absent, failed
                >> 65 00 00 00 00 00 01 00 00 00
                << 81 00 00 00 00 00 01 02 00 00
                """);
        assertThrows(CardAbsentException.class, () -> rig.reader.powerOn(0));
        assertEquals(SlotState.ABSENT, rig.reader.slotState(0));
        assertThrows(CardUnpoweredException.class, () -> rig.reader.transmit(0, hex("00A4040000")));
        rig.usb.assertDone();
    }

    @Test
    void removalDuringTransmitIsSeenInTheOkAnswerToo() throws Exception {
        Rig rig = reader(RIG_CCID, """
                >> 62 00 00 00 00 00 00 00 00 00
                << 80 0C 00 00 00 00 00 00 00 00 | 3B 0A 4A 43 4F 50 33 31 56 32 33 32
                >> 6F 0A 00 00 00 00 01 00 00 00 | 00 A4 04 00 05 F0 00 00 00 01
                << 80 00 00 00 00 00 01 02 00 00                 # Q3: "OK", no data, bStatus 02
                """);
        rig.reader.powerOn(0);
        assertThrows(CardAbsentException.class, () -> rig.reader.transmit(0, hex("00A4040005F000000001")));
        assertEquals(null, rig.reader.atr(0));
        rig.usb.assertDone();
    }

    @Test
    void staleAnswersWithAnotherBSeqAreDropped() throws Exception {
        Rig rig = reader(RIG_CCID, """
                >> 65 00 00 00 00 00 00 00 00 00
                << 81 00 00 00 00 00 7F 00 00 00                 # late answer to an earlier command
                << 81 00 00 00 00 00 00 01 00 00
                """);
        assertEquals(SlotState.PRESENT, rig.reader.slotState(0));
        rig.usb.assertDone();
    }

    @Test
    void timeExtensionsAreWaitedOut() throws Exception {
        Rig rig = reader(RIG_CCID, """
                >> 62 00 00 00 00 00 00 00 00 00
                << 80 0C 00 00 00 00 00 00 00 00 | 3B 0A 4A 43 4F 50 33 31 56 32 33 32
                >> 6F 05 00 00 00 00 01 00 00 00 | 80 01 00 00 0D
                << 80 00 00 00 00 00 01 80 01 00                 # bmCommandStatus 2: time extension
                << 80 00 00 00 00 00 01 80 02 00
                << 80 0F 00 00 00 00 01 00 00 00 | 48 65 6C 6C 6F 20 77 6F 72 6C 64 20 21 90 00
                """);
        rig.reader.powerOn(0);
        assertArrayEquals(hex("48656C6C6F20776F726C642021 9000"), rig.reader.transmit(0, hex("800100000D")));
        rig.usb.assertDone();
    }

    @Test
    void timeoutRunsTheAbortProcedureAndTheNextCommandWorks() throws Exception {
        Rig rig = reader(RIG_CCID, """
                >> 62 00 00 00 00 00 00 00 00 00
                << 80 0C 00 00 00 00 00 00 00 00 | 3B 0A 4A 43 4F 50 33 31 56 32 33 32
                >> 6F 05 00 00 00 00 01 00 00 00 | 80 01 00 00 0D
                << timeout
                CT 21 01 00 01 00 00 00 00 -> stall              # class request ABORT, wValue bSeq<<8|bSlot (§5.3.1)
                >> 72 00 00 00 00 00 01 00 00 00                 # PC_to_RDR_Abort with the same bSeq
                << 81 00 00 00 00 00 01 40 FF 00                 # aborted (drained)
                >> 65 00 00 00 00 00 02 00 00 00                 # was the card pulled? (Q16) No: a timeout
                << 81 00 00 00 00 00 02 00 00 00
                >> 65 00 00 00 00 00 03 00 00 00
                << 81 00 00 00 00 00 03 00 00 00
                """);
        rig.reader.powerOn(0);
        assertThrows(ReaderTimeoutException.class, () -> rig.reader.transmit(0, hex("800100000D")));
        assertEquals(SlotState.POWERED, rig.reader.slotState(0));
        rig.usb.assertDone();
    }

    @Test
    void stallIsClearedAndReported() throws Exception {
        Rig rig = reader(RIG_CCID, """
                >> stall
                >> 65 00 00 00 00 00 01 00 00 00
                << 81 00 00 00 00 00 01 01 00 00
                """);
        assertThrows(ReaderProtocolException.class, () -> rig.reader.slotState(0));
        assertEquals(1, rig.usb.clearHalts);
        assertEquals(SlotState.PRESENT, rig.reader.slotState(0));
        rig.usb.assertDone();
    }

    @Test
    void bulkOutTimeoutIsReportedWithoutAbort() throws Exception {
        // nothing reached the reader, so there is no answer to abort or wait for: the next command follows
        Rig rig = reader(RIG_CCID, """
                >> timeout
                >> 65 00 00 00 00 00 01 00 00 00
                << 81 00 00 00 00 00 01 01 00 00
                """);
        ReaderTimeoutException e = assertThrows(ReaderTimeoutException.class, () -> rig.reader.slotState(0));
        assertTrue(e.getMessage().contains("did not accept PC_to_RDR_GetSlotStatus"), e.getMessage());
        assertEquals(SlotState.PRESENT, rig.reader.slotState(0));
        rig.usb.assertDone();
    }

    @Test
    void shortBulkOutIsAProtocolError() throws Exception {
        Rig rig = reader(RIG_CCID, """
                >> short 4
                >> 65 00 00 00 00 00 01 00 00 00
                << 81 00 00 00 00 00 01 01 00 00
                """);
        ReaderProtocolException e = assertThrows(ReaderProtocolException.class, () -> rig.reader.slotState(0));
        assertTrue(e.getMessage().contains("wrote 4 of 10 bytes"), e.getMessage());
        assertEquals(SlotState.PRESENT, rig.reader.slotState(0));
        rig.usb.assertDone();
    }

    @Test
    void malformedAnswerIsTypedAndDrained() throws Exception {
        Rig rig = reader(RIG_CCID, """
                >> 65 00 00 00 00 00 00 00 00 00
                << 81 FF FF FF 7F 00 00 00 00 00                 # dwLength 0x7FFFFFFF: refused before allocating
                >> 65 00 00 00 00 00 01 00 00 00
                << 81 00 00 00 00 00 01 01 00 00
                """);
        ReaderProtocolException e = assertThrows(ReaderProtocolException.class, () -> rig.reader.slotState(0));
        assertTrue(e.getMessage().contains("dwLength"), e.getMessage());
        assertEquals(SlotState.PRESENT, rig.reader.slotState(0));
        rig.usb.assertDone();
    }

    @Test
    void unplugMakesTheReaderGone() throws Exception {
        Rig rig = reader(RIG_CCID, """
                >> gone
                """);
        assertThrows(ReaderGoneException.class, () -> rig.reader.slotState(0));
        assertTrue(rig.reader.isGone());
        assertThrows(ReaderGoneException.class, () -> rig.reader.powerOn(0));
    }

    @Test
    void extendedApduLevelChainsCommandAndResponse() throws Exception {
        // dwMaxCCIDMessageLength 26: 16 data bytes per block. Command: 00 D6 00 00 00 00 1A + 26 bytes = 33 bytes.
        Rig rig = reader(descriptor(0x000400BE, 7, 26), """
                >> 62 00 00 00 00 00 00 00 00 00
                << 80 0C 00 00 00 00 00 00 00 00 | 3B 0A 4A 43 4F 50 33 31 56 32 33 32
                >> 6F 10 00 00 00 00 01 00 01 00 | 00 D6 00 00 00 00 1A 01 02 03 04 05 06 07 08 09   # 0001: begins
                << 80 00 00 00 00 00 01 00 00 10                                # bChainParameter 10: go on
                >> 6F 10 00 00 00 00 02 00 03 00 | 0A 0B 0C 0D 0E 0F 10 11 12 13 14 15 16 17 18 19   # 0003: continues
                << 80 00 00 00 00 00 02 00 00 10
                >> 6F 01 00 00 00 00 03 00 02 00 | 1A                            # 0002: ends
                << 80 10 00 00 00 00 03 00 00 01 | A0 A1 A2 A3 A4 A5 A6 A7 A8 A9 AA AB AC AD AE AF   # begins, more
                >> 6F 00 00 00 00 00 04 00 10 00                                # 0010: next response block
                << 80 10 00 00 00 00 04 00 00 03 | B0 B1 B2 B3 B4 B5 B6 B7 B8 B9 BA BB BC BD BE BF
                >> 6F 00 00 00 00 00 05 00 10 00
                << 80 02 00 00 00 00 05 00 00 02 | 90 00                         # ends
                """);
        rig.reader.powerOn(0);
        byte[] response = rig.reader.transmit(0, hex("00D60000 00001A 0102030405060708090A0B0C0D0E0F101112131415161718191A"));
        assertArrayEquals(hex("A0A1A2A3A4A5A6A7A8A9AAABACADAEAF B0B1B2B3B4B5B6B7B8B9BABBBCBDBEBF 9000"), response);
        rig.usb.assertDone();
    }

    @Test
    void shortApduLevelRefusesExtendedApdus() throws Exception {
        Rig rig = reader(descriptor(0x000200BE, 7, 271), """
                >> 62 00 00 00 00 00 00 00 00 00
                << 80 0C 00 00 00 00 00 00 00 00 | 3B 0A 4A 43 4F 50 33 31 56 32 33 32
                """);
        rig.reader.powerOn(0);
        assertThrows(NotSupportedException.class, () -> rig.reader.transmit(0, hex("00D6000000000A0102030405060708090A")));
        assertFalse(rig.reader.isGone());
    }

    @Test
    void escapeRefusedByTheRigReaderIsNotSupported() throws Exception {
        Rig rig = reader(RIG_CCID, """
                >> 6B 01 00 00 00 00 00 00 00 00 | 6A
                << 81 00 00 00 00 00 00 40 00 00                 # U9: SlotStatus, failed, not supported (Q9)
                """);
        assertThrows(NotSupportedException.class, () -> rig.reader.escape(0, hex("6A")));
        rig.usb.assertDone();
    }

    /** abData of n bytes 00 01 02 ... as script hex. */
    static String counting(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(String.format(" %02X", i & 0xFF));
        }
        return b.toString();
    }

    @Test
    void answerLongerThanTheFirstReadIsReadOnInASecondTransfer() throws Exception {
        // 10 + 1500 bytes: the first bulk-in asks for 1024 (a multiple of wMaxPacketSize), is filled and ends
        // (USB 2.0 §5.8.3); dwLength says 486 bytes are still coming, asked for with the rest of the buffer.
        String data = counting(1500);
        Rig rig = reader(RIG_CCID, ">> 6B 01 00 00 00 00 00 00 00 00 | 01\n"
                + "<< 83 DC 05 00 00 00 00 00 00 00 |" + data.substring(0, 3 * 1014) + "\n"
                + "<<" + data.substring(3 * 1014) + "\n");
        assertArrayEquals(hex(data), rig.reader.escape(0, hex("01")));
        assertEquals(List.of(CcidTransport.FIRST_READ, 65554 - CcidTransport.FIRST_READ), rig.usb.bulkInLengths);
        rig.usb.assertDone();
    }

    @Test
    void zeroLengthPacketAfterAnAnswerOfExactlyTheFirstReadIsSkipped() throws Exception {
        // 10 + 1014 = 1024 bytes, 16 full packets: the device ends that transfer with a zero-length packet,
        // which the next command's read receives before that command's answer.
        Rig rig = reader(RIG_CCID, ">> 6B 01 00 00 00 00 00 00 00 00 | 01\n"
                + "<< 83 F6 03 00 00 00 00 00 00 00 |" + counting(1014) + "\n"
                + """
                >> 65 00 00 00 00 00 01 00 00 00
                << zlp
                << 81 00 00 00 00 00 01 01 00 00
                """);
        assertArrayEquals(hex(counting(1014)), rig.reader.escape(0, hex("01")));
        assertEquals(SlotState.PRESENT, rig.reader.slotState(0));
        assertEquals(List.of(1024, 1024, 1024), rig.usb.bulkInLengths);
        rig.usb.assertDone();
    }
}
