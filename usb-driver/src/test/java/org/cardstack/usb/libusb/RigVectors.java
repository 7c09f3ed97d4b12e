package org.cardstack.usb.libusb;

import java.util.HexFormat;

/** Descriptors of the rig's reader (QEMU usb-ccid), as captured in shared/docs/ccid-traces.md U1. */
final class RigVectors {
    static final byte[] DEVICE = HexFormat.of().parseHex("1201100100000040E6083344000001020301");
    static final byte[] CCID_CLASS = HexFormat.of().parseHex(
            "36211001000701000000A00F000000000100008025000000C2010000FE000000"
                    + "0000000000000000FE04010012000100FFFF00000101");
    static final byte[] CONFIG = HexFormat.of().parseHex("09025D00010100E032" + "09040000030B000004"
            + HexFormat.of().formatHex(CCID_CLASS) + "070581034000FF" + "07058202400000"
            + "07050302400000");

    private RigVectors() {
    }
}
