package org.cardstack.ccid;

/**
 * bStatus and bError of a response, CCID rev 1.1 §6.2.6: bmICCStatus (bits 0-1) and
 * bmCommandStatus (bits 6-7), and the slot error register when the command failed.
 */
public record SlotStatusRegister(int bStatus, int bError) {

    public enum IccStatus { PRESENT_ACTIVE, PRESENT_INACTIVE, ABSENT, RFU }

    public enum CommandStatus { OK, FAILED, TIME_EXTENSION, RFU }

    // Slot error register values, CCID §6.2.6 table 6.2-2
    public static final int CMD_ABORTED = 0xFF;
    public static final int ICC_MUTE = 0xFE;
    public static final int XFR_PARITY_ERROR = 0xFD;
    public static final int XFR_OVERRUN = 0xFC;
    public static final int HW_ERROR = 0xFB;
    public static final int BAD_ATR_TS = 0xF8;
    public static final int BAD_ATR_TCK = 0xF7;
    public static final int ICC_PROTOCOL_NOT_SUPPORTED = 0xF6;
    public static final int ICC_CLASS_NOT_SUPPORTED = 0xF5;
    public static final int PROCEDURE_BYTE_CONFLICT = 0xF4;
    public static final int DEACTIVATED_PROTOCOL = 0xF3;
    public static final int BUSY_WITH_AUTO_SEQUENCE = 0xF2;
    public static final int PIN_TIMEOUT = 0xF0;
    public static final int PIN_CANCELLED = 0xEF;
    public static final int CMD_SLOT_BUSY = 0xE0;
    public static final int CMD_NOT_SUPPORTED = 0x00;

    // values() copies its array on every call; these are read several times per answer.
    private static final IccStatus[] ICC_STATUS = IccStatus.values();
    private static final CommandStatus[] COMMAND_STATUS = CommandStatus.values();

    public IccStatus iccStatus() { return ICC_STATUS[bStatus & 0x03]; }

    public CommandStatus commandStatus() { return COMMAND_STATUS[(bStatus >> 6) & 0x03]; }

    public boolean failed() { return commandStatus() == CommandStatus.FAILED; }

    /** The spec's name of bError, or "offset n" for a bad header field (0x01..0x7F). */
    public String errorName() {
        return switch (bError) {
            case CMD_ABORTED -> "CMD_ABORTED";
            case ICC_MUTE -> "ICC_MUTE";
            case XFR_PARITY_ERROR -> "XFR_PARITY_ERROR";
            case XFR_OVERRUN -> "XFR_OVERRUN";
            case HW_ERROR -> "HW_ERROR";
            case BAD_ATR_TS -> "BAD_ATR_TS";
            case BAD_ATR_TCK -> "BAD_ATR_TCK";
            case ICC_PROTOCOL_NOT_SUPPORTED -> "ICC_PROTOCOL_NOT_SUPPORTED";
            case ICC_CLASS_NOT_SUPPORTED -> "ICC_CLASS_NOT_SUPPORTED";
            case PROCEDURE_BYTE_CONFLICT -> "PROCEDURE_BYTE_CONFLICT";
            case DEACTIVATED_PROTOCOL -> "DEACTIVATED_PROTOCOL";
            case BUSY_WITH_AUTO_SEQUENCE -> "BUSY_WITH_AUTO_SEQUENCE";
            case PIN_TIMEOUT -> "PIN_TIMEOUT";
            case PIN_CANCELLED -> "PIN_CANCELLED";
            case CMD_SLOT_BUSY -> "CMD_SLOT_BUSY";
            case CMD_NOT_SUPPORTED -> "command not supported";
            default -> bError >= 0x01 && bError <= 0x7F ? "bad field at header offset " + bError
                    : String.format("error 0x%02X", bError);
        };
    }

    @Override
    public String toString() {
        // With a time extension, bError is the BWT multiplier, not an error (§6.2.6).
        String error = commandStatus() == CommandStatus.TIME_EXTENSION ? "BWT multiplier " + bError : errorName();
        return String.format("bStatus 0x%02X (%s, %s), bError 0x%02X (%s)", bStatus, iccStatus(), commandStatus(),
                bError, error);
    }
}
