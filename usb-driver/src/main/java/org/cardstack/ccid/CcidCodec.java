package org.cardstack.ccid;

import java.util.Arrays;

/**
 * Encodes and decodes CCID bulk and interrupt messages (CCID rev 1.1 §6). Header layout, all
 * multi-byte fields little-endian:
 * <pre>
 * offset 0     bMessageType
 *        1..4  dwLength      length of abData
 *        5     bSlot
 *        6     bSeq
 *        7..9  message specific (commands) / bStatus, bError, one more byte (responses)
 * </pre>
 * Decoders check every length against the buffer and against the caller's bound, and never
 * allocate more than the bytes actually received.
 */
public final class CcidCodec {

    private CcidCodec() {
    }

    // ---- commands (host -> reader) ----

    public static byte[] encode(PcToRdr m) {
        byte[] data = m.abData();
        byte[] out = new byte[PcToRdr.HEADER_LENGTH + data.length];
        out[0] = (byte) m.messageType();
        putLe32(out, 1, data.length);
        out[5] = (byte) m.bSlot();
        out[6] = (byte) m.bSeq();
        int specific = m.messageSpecific();
        out[7] = (byte) specific;
        out[8] = (byte) (specific >> 8);
        out[9] = (byte) (specific >> 16);
        System.arraycopy(data, 0, out, PcToRdr.HEADER_LENGTH, data.length);
        return out;
    }

    /**
     * Decodes one command message (the reader's side, used by virtual readers).
     *
     * @param maxMessageLength dwMaxCCIDMessageLength: longer messages are refused
     */
    public static PcToRdr decodeCommand(byte[] buf, int len, int maxMessageLength) throws CcidFormatException {
        byte[] data = frame(buf, len, maxMessageLength);
        int slot = buf[5] & 0xFF;
        int seq = buf[6] & 0xFF;
        int b7 = buf[7] & 0xFF;
        int b8 = buf[8] & 0xFF;
        int b9 = buf[9] & 0xFF;
        int type = buf[0] & 0xFF;
        if (data.length != 0 && !carriesData(type)) {
            // §6.1: these commands have dwLength 0000h; the reader answers bError 01 (offset of dwLength).
            throw new CcidFormatException("dwLength", 1, String.format("command 0x%02X carries no data, dwLength %d",
                    type, data.length));
        }
        return switch (type) {
            case 0x62 -> new PcToRdr.IccPowerOn(slot, seq, b7);
            case 0x63 -> new PcToRdr.IccPowerOff(slot, seq);
            case 0x65 -> new PcToRdr.GetSlotStatus(slot, seq);
            case 0x6F -> new PcToRdr.XfrBlock(slot, seq, b7, b8 | b9 << 8, data);
            case 0x6C -> new PcToRdr.GetParameters(slot, seq);
            case 0x6D -> new PcToRdr.ResetParameters(slot, seq);
            case 0x61 -> new PcToRdr.SetParameters(slot, seq, b7, data);
            case 0x6B -> new PcToRdr.Escape(slot, seq, data);
            case 0x6E -> new PcToRdr.IccClock(slot, seq, b7);
            case 0x6A -> new PcToRdr.T0APDU(slot, seq, b7, b8, b9);
            case 0x69 -> new PcToRdr.Secure(slot, seq, b7, b8 | b9 << 8, data);
            case 0x71 -> new PcToRdr.Mechanical(slot, seq, b7);
            case 0x72 -> new PcToRdr.Abort(slot, seq);
            case 0x73 -> {
                if (data.length != 8) {
                    throw new CcidFormatException("dwLength", 1, "SetDataRateAndClockFrequency needs 8, got " + data.length);
                }
                yield new PcToRdr.SetDataRateAndClockFrequency(slot, seq, le32(data, 0), le32(data, 4));
            }
            default -> throw new CcidFormatException("bMessageType", 0, String.format("unknown command 0x%02X", type));
        };
    }

    /** XfrBlock, SetParameters, Escape, Secure and SetDataRateAndClockFrequency have abData (§6.1). */
    private static boolean carriesData(int type) {
        return type == 0x6F || type == 0x61 || type == 0x6B || type == 0x69 || type == 0x73;
    }

    // ---- responses (reader -> host) ----

    public static byte[] encode(RdrToPc m) {
        byte[] data = m.abData();
        byte[] out = new byte[RdrToPc.HEADER_LENGTH + data.length];
        out[0] = (byte) m.messageType();
        putLe32(out, 1, data.length);
        out[5] = (byte) m.bSlot();
        out[6] = (byte) m.bSeq();
        out[7] = (byte) m.bStatus();
        out[8] = (byte) m.bError();
        out[9] = (byte) m.lastHeaderByte();
        System.arraycopy(data, 0, out, RdrToPc.HEADER_LENGTH, data.length);
        return out;
    }

    /**
     * Decodes one response message received in one bulk-in transfer.
     *
     * @param maxMessageLength dwMaxCCIDMessageLength: a larger dwLength is refused before any allocation
     */
    public static RdrToPc decodeResponse(byte[] buf, int len, int maxMessageLength) throws CcidFormatException {
        int type = len > 0 ? buf[0] & 0xFF : -1;
        byte[] data = type == 0x82 ? parametersFrame(buf, len, maxMessageLength) : frame(buf, len, maxMessageLength);
        int slot = buf[5] & 0xFF;
        int seq = buf[6] & 0xFF;
        int status = buf[7] & 0xFF;
        int error = buf[8] & 0xFF;
        int b9 = buf[9] & 0xFF;
        return switch (type) {
            case 0x80 -> new RdrToPc.DataBlock(slot, seq, status, error, b9, data);
            case 0x81 -> new RdrToPc.SlotStatus(slot, seq, status, error, b9);
            case 0x82 -> new RdrToPc.Parameters(slot, seq, status, error, b9, data);
            case 0x83 -> new RdrToPc.Escape(slot, seq, status, error, data);
            case 0x84 -> {
                if (data.length != 8 && (status & 0xC0) == 0) {
                    throw new CcidFormatException("dwLength", 1, "DataRateAndClockFrequency needs 8, got " + data.length);
                }
                yield data.length == 8
                        ? new RdrToPc.DataRateAndClockFrequency(slot, seq, status, error, le32(data, 0), le32(data, 4))
                        : new RdrToPc.DataRateAndClockFrequency(slot, seq, status, error, 0, 0);
            }
            default -> throw new CcidFormatException("bMessageType", 0, String.format("unknown response 0x%02X", type));
        };
    }

    // ---- interrupt (reader -> host) ----

    /** Decodes one interrupt-in transfer (§6.3). */
    public static InterruptMessage decodeInterrupt(byte[] buf, int len) throws CcidFormatException {
        if (len < 1) {
            throw new CcidFormatException("bMessageType", 0, "empty interrupt transfer");
        }
        if (len > buf.length) {
            throw new IllegalArgumentException("len " + len + " > buffer " + buf.length);
        }
        int type = buf[0] & 0xFF;
        if (type == 0x50) {
            if (len < 2) {
                throw new CcidFormatException("bmSlotICCState", 1, "NotifySlotChange with no slot state");
            }
            return new InterruptMessage.NotifySlotChange(Arrays.copyOfRange(buf, 1, len));
        }
        if (type == 0x51) {
            if (len < 4) {
                throw new CcidFormatException("bHardwareErrorCode", 3, "HardwareError needs 4 bytes, got " + len);
            }
            return new InterruptMessage.HardwareError(buf[1] & 0xFF, buf[2] & 0xFF, buf[3] & 0xFF);
        }
        throw new CcidFormatException("bMessageType", 0, String.format("unknown interrupt message 0x%02X", type));
    }

    public static byte[] encode(InterruptMessage m) {
        if (m instanceof InterruptMessage.NotifySlotChange n) {
            byte[] st = n.bmSlotICCState();
            byte[] out = new byte[1 + st.length];
            out[0] = 0x50;
            System.arraycopy(st, 0, out, 1, st.length);
            return out;
        }
        InterruptMessage.HardwareError h = (InterruptMessage.HardwareError) m;
        return new byte[] {0x51, (byte) h.bSlot(), (byte) h.bSeq(), (byte) h.bHardwareErrorCode()};
    }

    /** dwLength of a header, for a reader of a message split over several transfers. */
    public static int dwLength(byte[] header) { return le32(header, 1); }

    // ---- helpers ----

    private static byte[] frame(byte[] buf, int len, int max) throws CcidFormatException {
        header(buf, len);
        long dwLength = le32(buf, 1) & 0xFFFFFFFFL;
        if (dwLength + 10 > max) {
            throw new CcidFormatException("dwLength", 1, "message of " + (dwLength + 10)
                    + " bytes exceeds dwMaxCCIDMessageLength " + max);
        }
        if (dwLength != len - 10) {
            throw new CcidFormatException("dwLength", 1, "says " + dwLength + " data bytes, " + (len - 10) + " received");
        }
        return Arrays.copyOfRange(buf, 10, len);
    }

    /**
     * RDR_to_PC_Parameters: some readers send a zero dwLength with the structure following anyway
     * (QEMU usb-ccid, traces Q4); the bytes received are the structure, bounded by 7 (§6.2.3).
     */
    private static byte[] parametersFrame(byte[] buf, int len, int max) throws CcidFormatException {
        header(buf, len);
        long dwLength = le32(buf, 1) & 0xFFFFFFFFL;
        if (dwLength == 0 && len > 10) {
            return Arrays.copyOfRange(buf, 10, Math.min(len, 17));
        }
        return frame(buf, len, max);
    }

    private static void header(byte[] buf, int len) throws CcidFormatException {
        if (len < 10) {
            throw new CcidFormatException("header", len, "message of " + len + " bytes, the header alone is 10");
        }
        if (len > buf.length) {
            throw new IllegalArgumentException("len " + len + " > buffer " + buf.length);
        }
    }

    static int le32(byte[] d, int off) {
        return (d[off] & 0xFF) | (d[off + 1] & 0xFF) << 8 | (d[off + 2] & 0xFF) << 16 | (d[off + 3] & 0xFF) << 24;
    }

    static void putLe32(byte[] d, int off, int v) {
        d[off] = (byte) v;
        d[off + 1] = (byte) (v >> 8);
        d[off + 2] = (byte) (v >> 16);
        d[off + 3] = (byte) (v >> 24);
    }
}
