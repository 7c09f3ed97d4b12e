package org.cardstack.ccid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cardstack.ccid.SlotStatusRegister.CommandStatus;
import org.cardstack.ccid.SlotStatusRegister.IccStatus;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** bStatus and bError, CCID rev 1.1 §6.2.6 (values as in shared/docs/ccid-traces.md, header layout). */
class CcidSlotStatusRegisterTest {

    @ParameterizedTest(name = "bStatus {0}")
    @CsvSource({
        "0x00, PRESENT_ACTIVE,   OK,             false",
        "0x01, PRESENT_INACTIVE, OK,             false",
        "0x02, ABSENT,           OK,             false",
        "0x03, RFU,              OK,             false",
        "0x40, PRESENT_ACTIVE,   FAILED,         true",
        "0x41, PRESENT_INACTIVE, FAILED,         true",
        "0x42, ABSENT,           FAILED,         true",
        "0x80, PRESENT_ACTIVE,   TIME_EXTENSION, false",
        "0x82, ABSENT,           TIME_EXTENSION, false",
        "0xC0, PRESENT_ACTIVE,   RFU,            false",
        // bits 2-5 are bmRFU: ignored
        "0x3C, PRESENT_ACTIVE,   OK,             false",
        "0x7E, ABSENT,           FAILED,         true",
    })
    void bStatus(int bStatus, IccStatus icc, CommandStatus command, boolean failed) {
        SlotStatusRegister r = new SlotStatusRegister(bStatus, 0);
        assertEquals(icc, r.iccStatus());
        assertEquals(command, r.commandStatus());
        assertEquals(failed, r.failed());
    }

    @ParameterizedTest(name = "bError {0}")
    @CsvSource({
        "0xFF, CMD_ABORTED",
        "0xFE, ICC_MUTE",
        "0xFD, XFR_PARITY_ERROR",
        "0xFC, XFR_OVERRUN",
        "0xFB, HW_ERROR",
        "0xF8, BAD_ATR_TS",
        "0xF7, BAD_ATR_TCK",
        "0xF6, ICC_PROTOCOL_NOT_SUPPORTED",
        "0xF5, ICC_CLASS_NOT_SUPPORTED",
        "0xF4, PROCEDURE_BYTE_CONFLICT",
        "0xF3, DEACTIVATED_PROTOCOL",
        "0xF2, BUSY_WITH_AUTO_SEQUENCE",
        "0xF0, PIN_TIMEOUT",
        "0xEF, PIN_CANCELLED",
        "0xE0, CMD_SLOT_BUSY",
        "0x00, command not supported",
        "0x01, bad field at header offset 1",
        "0x05, bad field at header offset 5",
        "0x07, bad field at header offset 7",
        "0x7F, bad field at header offset 127",
        "0x80, error 0x80",
        "0xC0, error 0xC0",
    })
    void bError(int bError, String name) {
        SlotStatusRegister r = new SlotStatusRegister(0x40, bError);
        assertEquals(name, r.errorName());
        assertTrue(r.toString().contains(name), r.toString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // the answers of the traces: U7 failed IccPowerOn, U5 unsupported command, U2 power-off
        "80 0C 00 00 00 00 40 42 FE 00 3B 0A 4A 43 4F 50 33 31 56 32 33 32, ABSENT, FAILED, ICC_MUTE",
        "81 00 00 00 00 00 23 40 00 00, PRESENT_ACTIVE, FAILED, command not supported",
        "81 00 00 00 00 00 07 01 00 00, PRESENT_INACTIVE, OK, command not supported",
    })
    void statusOfADecodedResponse(String hex, IccStatus icc, CommandStatus command, String error) throws Exception {
        byte[] b = CcidTranscript.hex(hex);
        SlotStatusRegister r = CcidCodec.decodeResponse(b, b.length, 65554).status();
        assertEquals(icc, r.iccStatus());
        assertEquals(command, r.commandStatus());
        assertEquals(error, r.errorName());
    }
}
