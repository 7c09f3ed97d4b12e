package org.cardstack.pcsc;

/**
 * SCardControl codes and PC/SC part 10 feature tags, with pcsc-lite's control code encoding
 * ({@code SCARD_CTL_CODE(n) = 0x42000000 + n}) and libccid's feature code numbering
 * ({@code SCARD_CTL_CODE(0x330000 + tag)}).
 */
public final class ControlCodes {
    /** pcsc-lite's SCARD_CTL_CODE. */
    public static int ctlCode(int code) { return 0x42000000 + code; }

    /** PC/SC part 10 §2.2: the reader lists its features as TLV (tag, 4, control code big-endian). */
    public static final int CM_IOCTL_GET_FEATURE_REQUEST = ctlCode(3400);
    /** The same request as Windows encodes it (SCARD_CTL_CODE(3400) = 0x00313520 there). */
    public static final int CM_IOCTL_GET_FEATURE_REQUEST_WINDOWS = 0x00313520;
    /** libccid's IOCTL_SMARTCARD_VENDOR_IFD_EXCHANGE: the command goes to the reader as an escape. */
    public static final int IOCTL_SMARTCARD_VENDOR_IFD_EXCHANGE = ctlCode(1);

    // PC/SC part 10 feature tags
    public static final int FEATURE_VERIFY_PIN_START = 0x01;
    public static final int FEATURE_VERIFY_PIN_FINISH = 0x02;
    public static final int FEATURE_MODIFY_PIN_START = 0x03;
    public static final int FEATURE_MODIFY_PIN_FINISH = 0x04;
    public static final int FEATURE_GET_KEY_PRESSED = 0x05;
    public static final int FEATURE_VERIFY_PIN_DIRECT = 0x06;
    public static final int FEATURE_MODIFY_PIN_DIRECT = 0x07;
    public static final int FEATURE_MCT_READER_DIRECT = 0x08;
    public static final int FEATURE_MCT_UNIVERSAL = 0x09;
    public static final int FEATURE_IFD_PIN_PROPERTIES = 0x0A;
    public static final int FEATURE_ABORT = 0x0B;
    public static final int FEATURE_SET_SPE_MESSAGE = 0x0C;
    public static final int FEATURE_VERIFY_PIN_DIRECT_APP_ID = 0x0D;
    public static final int FEATURE_MODIFY_PIN_DIRECT_APP_ID = 0x0E;
    public static final int FEATURE_WRITE_DISPLAY = 0x0F;
    public static final int FEATURE_GET_KEY = 0x10;
    public static final int FEATURE_IFD_DISPLAY_PROPERTIES = 0x11;
    public static final int FEATURE_GET_TLV_PROPERTIES = 0x12;
    public static final int FEATURE_CCID_ESC_COMMAND = 0x13;
    public static final int FEATURE_EXECUTE_PACE = 0x20;

    /** The control code libccid assigns to a feature tag. */
    public static int featureCode(int tag) { return ctlCode(0x330000 + tag); }

    // PC/SC part 10 §2.6.14 properties returned by FEATURE_GET_TLV_PROPERTIES
    public static final int PCSCv2_PART10_PROPERTY_wLcdLayout = 1;
    public static final int PCSCv2_PART10_PROPERTY_bEntryValidationCondition = 2;
    public static final int PCSCv2_PART10_PROPERTY_bTimeOut2 = 3;
    public static final int PCSCv2_PART10_PROPERTY_wLcdMaxCharacters = 4;
    public static final int PCSCv2_PART10_PROPERTY_wLcdMaxLines = 5;
    public static final int PCSCv2_PART10_PROPERTY_bMinPINSize = 6;
    public static final int PCSCv2_PART10_PROPERTY_bMaxPINSize = 7;
    public static final int PCSCv2_PART10_PROPERTY_sFirmwareID = 8;
    public static final int PCSCv2_PART10_PROPERTY_bPPDUSupport = 9;
    public static final int PCSCv2_PART10_PROPERTY_dwMaxAPDUDataSize = 10;
    public static final int PCSCv2_PART10_PROPERTY_wIdVendor = 11;
    public static final int PCSCv2_PART10_PROPERTY_wIdProduct = 12;

    private ControlCodes() {
    }
}
