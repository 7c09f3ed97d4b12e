package org.cardstack.vpcd.wire;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * The vpcd protocol of vsmartcard (virtualsmartcard/src/vpcd/vpcd.c, vpicc's VirtualICC) as bytes.
 *
 * <p>Every message, in both directions, is a 2-byte big-endian length followed by that many bytes.
 * The reader side (vpcd, here cardstack) sends either a one-byte control message ({@link
 * VpcdCommand.Control}: 0x00 power off, 0x01 power on, 0x02 reset, 0x04 ATR request) or a command APDU
 * (any other length). The card side (vicc, jCardSim's VSmartCard) answers only the ATR request (with
 * the ATR) and APDUs (with the response APDU, data and SW1 SW2). Whoever listens (vpcd by default, on
 * TCP port 35963) is the reader side; in vpcd's reverse mode the reader side connects out.
 *
 * <p>A length of zero carries no message: vpcd treats a zero-length answer as a failed exchange and
 * vicc logs it as a protocol error. This codec refuses it.
 */
public final class VpcdWire {
    /** vpcd's default TCP port (0x8C7B); its n-th reader listens on 35963 + n. */
    public static final int DEFAULT_PORT = 35963;
    /** The length prefix: 2 bytes, big-endian. */
    public static final int HEADER_LENGTH = 2;
    /** The largest payload a length prefix can announce. */
    public static final int MAX_PAYLOAD = 0xFFFF;
    /** The longest ATR ISO/IEC 7816-3 allows (TS + 32 bytes). */
    public static final int MAX_ATR = 33;

    private VpcdWire() {}

    /** The message on the wire: the length prefix, then the payload. */
    public static byte[] frame(byte[] payload) {
        if (payload.length == 0 || payload.length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("vpcd message of " + payload.length + " bytes (1 to " + MAX_PAYLOAD + ")");
        }
        byte[] f = new byte[HEADER_LENGTH + payload.length];
        f[0] = (byte) (payload.length >>> 8);
        f[1] = (byte) payload.length;
        System.arraycopy(payload, 0, f, HEADER_LENGTH, payload.length);
        return f;
    }

    /** A command on the wire. APDUs must be at least 4 bytes (CLA INS P1 P2), so that none is taken for a control byte. */
    public static byte[] encode(VpcdCommand command) {
        if (command instanceof VpcdCommand.Apdu a && a.apdu().length < 4) {
            throw new IllegalArgumentException("command APDU of " + a.apdu().length + " bytes (at least 4: CLA INS P1 P2)");
        }
        return frame(command.payload());
    }

    /**
     * The command in a payload received by the card side.
     *
     * @throws VpcdFormatException for an empty payload or an unknown control byte
     */
    public static VpcdCommand decodeCommand(byte[] payload) throws VpcdFormatException {
        if (payload.length == 0) {
            throw new VpcdFormatException("empty vpcd message");
        }
        if (payload.length == 1) {
            VpcdCommand.Control c = VpcdCommand.Control.of(payload[0]);
            if (c == null) {
                throw new VpcdFormatException(String.format("unknown vpcd control byte 0x%02X", payload[0] & 0xFF));
            }
            return c;
        }
        return new VpcdCommand.Apdu(payload);
    }

    /**
     * The length announced by a header, checked against {@code max}.
     *
     * @throws VpcdFormatException if it is zero or over {@code max}
     */
    public static int payloadLength(int hi, int lo, int max) throws VpcdFormatException {
        int n = (hi & 0xFF) << 8 | (lo & 0xFF);
        if (n == 0) {
            throw new VpcdFormatException("vpcd message with length 0");
        }
        if (n > max) {
            throw new VpcdFormatException("vpcd message of " + n + " bytes, more than the " + max + " expected");
        }
        return n;
    }

    /**
     * Reads one message. The length is checked before anything is allocated, and the payload buffer grows
     * only as bytes arrive (a peer announcing 64 KiB and sending nothing costs nothing). Blocks as the
     * stream does: use a socket read timeout to bound the wait.
     *
     * @param max the longest payload accepted, 1 to {@link #MAX_PAYLOAD}
     * @return the payload, or null at a clean end of stream before the first header byte
     * @throws VpcdFormatException for a zero or over-long length
     * @throws EOFException        if the stream ends inside a message
     */
    public static byte[] readMessage(InputStream in, int max) throws IOException {
        if (max < 1 || max > MAX_PAYLOAD) {
            throw new IllegalArgumentException("max " + max);
        }
        int hi = in.read();
        if (hi < 0) {
            return null;
        }
        int lo = in.read();
        if (lo < 0) {
            throw new EOFException("vpcd stream ended inside a length prefix");
        }
        int n = payloadLength(hi, lo, max);
        byte[] payload = in.readNBytes(n);
        if (payload.length < n) {
            throw new EOFException("vpcd stream ended after " + payload.length + " of " + n + " bytes");
        }
        return payload;
    }
}
