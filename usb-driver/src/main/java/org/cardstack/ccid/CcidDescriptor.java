package org.cardstack.ccid;

import org.cardstack.reader.ReaderProtocolException;

/**
 * The Smart Card Device Class descriptor, CCID rev 1.1 §5.1 table 5.1-1 (54 bytes, type 0x21).
 * Fields carry the spec's names; the accessor methods below decode dwFeatures and the voltages.
 */
public record CcidDescriptor(int bcdCCID, int bMaxSlotIndex, int bVoltageSupport, int dwProtocols,
                             int dwDefaultClock, int dwMaximumClock, int bNumClockSupported, int dwDataRate,
                             int dwMaxDataRate, int bNumDataRatesSupported, int dwMaxIFSD, int dwSynchProtocols,
                             int dwMechanical, int dwFeatures, int dwMaxCCIDMessageLength, int bClassGetResponse,
                             int bClassEnvelope, int wLcdLayout, int bPINSupport, int bMaxCCIDBusySlots) {

    public static final int DESCRIPTOR_TYPE = 0x21;
    public static final int LENGTH = 54;

    // dwFeatures bits, CCID §5.1
    public static final int FEATURE_AUTO_CONFIG_ATR = 0x00000002;
    public static final int FEATURE_AUTO_ACTIVATION = 0x00000004;
    public static final int FEATURE_AUTO_VOLTAGE = 0x00000008;
    public static final int FEATURE_AUTO_CLOCK = 0x00000010;
    public static final int FEATURE_AUTO_BAUD = 0x00000020;
    public static final int FEATURE_AUTO_PARAMETER_NEGOTIATION = 0x00000040;
    public static final int FEATURE_AUTO_PPS = 0x00000080;
    public static final int FEATURE_CLOCK_STOP = 0x00000100;
    public static final int FEATURE_NAD_OTHER_THAN_0 = 0x00000200;
    public static final int FEATURE_AUTO_IFSD = 0x00000400;
    public static final int FEATURE_USB_WAKEUP = 0x00100000;

    // bVoltageSupport bits
    public static final int VOLTAGE_5V = 0x01;
    public static final int VOLTAGE_3V = 0x02;
    public static final int VOLTAGE_1_8V = 0x04;

    /**
     * Parses the class descriptor. Also accepts the 0xFF type some vendor-specific interfaces use
     * (libccid does the same for readers that predate the final class number).
     */
    public static CcidDescriptor parse(byte[] d) throws ReaderProtocolException {
        if (d.length < LENGTH) {
            throw new ReaderProtocolException("CCID class descriptor: " + d.length + " bytes, need " + LENGTH);
        }
        if ((d[0] & 0xFF) < LENGTH) {
            throw new ReaderProtocolException("CCID class descriptor: bLength " + (d[0] & 0xFF) + " < " + LENGTH);
        }
        int type = d[1] & 0xFF;
        if (type != DESCRIPTOR_TYPE && type != 0xFF) {
            throw new ReaderProtocolException(String.format("CCID class descriptor: bDescriptorType 0x%02X, expected 0x21", type));
        }
        return new CcidDescriptor(u16(d, 2), u8(d, 4), u8(d, 5), u32(d, 6), u32(d, 10), u32(d, 14), u8(d, 18),
                u32(d, 19), u32(d, 23), u8(d, 27), u32(d, 28), u32(d, 32), u32(d, 36), u32(d, 40), u32(d, 44),
                u8(d, 48), u8(d, 49), u16(d, 50), u8(d, 52), u8(d, 53));
    }

    /** The 54 bytes of this descriptor (used by virtual readers). */
    public byte[] toBytes() {
        byte[] d = new byte[LENGTH];
        d[0] = LENGTH;
        d[1] = DESCRIPTOR_TYPE;
        put16(d, 2, bcdCCID);
        d[4] = (byte) bMaxSlotIndex;
        d[5] = (byte) bVoltageSupport;
        put32(d, 6, dwProtocols);
        put32(d, 10, dwDefaultClock);
        put32(d, 14, dwMaximumClock);
        d[18] = (byte) bNumClockSupported;
        put32(d, 19, dwDataRate);
        put32(d, 23, dwMaxDataRate);
        d[27] = (byte) bNumDataRatesSupported;
        put32(d, 28, dwMaxIFSD);
        put32(d, 32, dwSynchProtocols);
        put32(d, 36, dwMechanical);
        put32(d, 40, dwFeatures);
        put32(d, 44, dwMaxCCIDMessageLength);
        d[48] = (byte) bClassGetResponse;
        d[49] = (byte) bClassEnvelope;
        put16(d, 50, wLcdLayout);
        d[52] = (byte) bPINSupport;
        d[53] = (byte) bMaxCCIDBusySlots;
        return d;
    }

    public int slotCount() { return bMaxSlotIndex + 1; }

    public ExchangeLevel exchangeLevel() { return ExchangeLevel.fromFeatures(dwFeatures); }

    public boolean has(int feature) { return (dwFeatures & feature) != 0; }

    public boolean supportsT0() { return (dwProtocols & 0x1) != 0; }

    public boolean supportsT1() { return (dwProtocols & 0x2) != 0; }

    /**
     * True when the reader chooses protocol and parameters itself (automatic parameter configuration
     * from the ATR, or automatic PPS), so the host need not run PPS or SetParameters (CCID §5.1).
     */
    public boolean setsParametersItself() {
        return has(FEATURE_AUTO_CONFIG_ATR) || has(FEATURE_AUTO_PPS) || has(FEATURE_AUTO_PARAMETER_NEGOTIATION);
    }

    @Override
    public String toString() {
        return String.format("CCID %x.%02x, %d slot(s), %s level, protocols 0x%X, features 0x%08X, voltages 0x%02X, "
                        + "max message %d, max IFSD %d, busy slots %d", bcdCCID >> 8, bcdCCID & 0xFF, slotCount(),
                exchangeLevel().label(), dwProtocols, dwFeatures, bVoltageSupport, dwMaxCCIDMessageLength, dwMaxIFSD,
                bMaxCCIDBusySlots);
    }

    private static int u8(byte[] d, int off) { return d[off] & 0xFF; }

    private static int u16(byte[] d, int off) { return (d[off] & 0xFF) | (d[off + 1] & 0xFF) << 8; }

    private static int u32(byte[] d, int off) { return u16(d, off) | u16(d, off + 2) << 16; }

    private static void put16(byte[] d, int off, int v) {
        d[off] = (byte) v;
        d[off + 1] = (byte) (v >> 8);
    }

    private static void put32(byte[] d, int off, int v) {
        put16(d, off, v);
        put16(d, off + 2, v >>> 16);
    }
}
