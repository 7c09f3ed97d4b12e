package org.cardstack.pcsc.daemon;

import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code --debug} APDU trace: every TRANSMIT at DEBUG on the logger
 * {@value #LOGGER}. The data field of VERIFY (INS 20/21), CHANGE REFERENCE DATA (24/25) and RESET RETRY
 * COUNTER (2C/2D) commands, which carries PINs and PUKs, is replaced by {@code **} per byte; header,
 * Lc/Le and the response stay visible.
 */
public final class ApduTrace {
    public static final String LOGGER = "org.cardstack.pcsc.daemon.apdu";
    static final Logger LOG = LoggerFactory.getLogger(LOGGER);
    private static final HexFormat HEX = HexFormat.ofDelimiter(" ").withUpperCase();

    private ApduTrace() { }

    /** True for the commands whose data is secret (INS of VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER). */
    static boolean secret(byte[] apdu) {
        if (apdu.length < 5 || (apdu[0] & 0xFF) == 0xFF) {
            return false;   // too short to carry data; CLA FF is a reader pseudo-APDU
        }
        int ins = apdu[1] & 0xFE;
        return ins == 0x20 || ins == 0x24 || ins == 0x2C;
    }

    /** The command as hex with the data field of a secret command masked. */
    public static String mask(byte[] apdu) {
        if (!secret(apdu)) {
            return HEX.formatHex(apdu);
        }
        int dataStart;
        int dataLength;
        if (apdu[4] != 0 || apdu.length == 5) {
            dataStart = 5;
            dataLength = apdu[4] & 0xFF;
        } else if (apdu.length >= 7) {
            dataStart = 7;
            dataLength = (apdu[5] & 0xFF) << 8 | apdu[6] & 0xFF;
        } else {
            dataStart = 5;
            dataLength = apdu.length - 5;
        }
        if (apdu.length == 5) {
            return HEX.formatHex(apdu);   // case 2 form (VERIFY status query): no data
        }
        if (dataStart + dataLength > apdu.length || dataLength == 0) {
            dataLength = apdu.length - dataStart;   // malformed: hide everything after the header
        }
        StringBuilder sb = new StringBuilder(HEX.formatHex(apdu, 0, dataStart));
        for (int i = 0; i < dataLength; i++) {
            sb.append(" **");
        }
        if (dataStart + dataLength < apdu.length) {
            sb.append(' ').append(HEX.formatHex(apdu, dataStart + dataLength, apdu.length));
        }
        return sb.toString();
    }

    static void trace(Object client, String reader, byte[] command, byte[] response, long micros, int rv) {
        if (!LOG.isDebugEnabled()) {
            return;
        }
        if (response != null) {
            LOG.debug("{} [{}] > {} < {} ({} us)", client, reader, mask(command), HEX.formatHex(response), micros);
        } else {
            LOG.debug("{} [{}] > {} failed 0x{}", client, reader, mask(command), Integer.toHexString(rv).toUpperCase());
        }
    }
}
