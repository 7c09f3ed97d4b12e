package org.cardstack.pcsc;

/** {@code SCARD_ATTR_*} tags for SCardGetAttrib (PC/SC part 3 / pcsc-lite {@code reader.h}). */
public final class Attributes {
    public static final int VENDOR_NAME = 0x00010100;
    public static final int VENDOR_IFD_TYPE = 0x00010101;
    public static final int VENDOR_IFD_VERSION = 0x00010102;
    public static final int VENDOR_IFD_SERIAL_NO = 0x00010103;
    public static final int CHANNEL_ID = 0x00020110;
    public static final int DEFAULT_CLK = 0x00030121;
    public static final int MAXINPUT = 0x0007A007;
    public static final int CURRENT_PROTOCOL_TYPE = 0x00080201;
    public static final int ICC_PRESENCE = 0x00090300;
    public static final int ICC_INTERFACE_STATUS = 0x00090301;
    public static final int ATR_STRING = 0x00090303;
    public static final int DEVICE_FRIENDLY_NAME_A = 0x7FFF0003;
    public static final int DEVICE_SYSTEM_NAME_A = 0x7FFF0004;

    private Attributes() {
    }
}
