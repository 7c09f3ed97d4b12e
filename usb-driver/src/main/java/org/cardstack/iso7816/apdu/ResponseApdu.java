package org.cardstack.iso7816.apdu;

import java.util.Arrays;
import java.util.Objects;

/** A response APDU, ISO/IEC 7816-4 §5.1: response data (Nr bytes) followed by SW1 SW2. Immutable. */
public final class ResponseApdu {
    private final byte[] bytes;

    private ResponseApdu(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * @param apdu data + SW1 SW2 (copied)
     * @return the response
     * @throws ApduFormatException if shorter than the 2 status bytes
     */
    public static ResponseApdu parse(byte[] apdu) {
        Objects.requireNonNull(apdu, "apdu");
        if (apdu.length < 2) {
            throw new ApduFormatException("response APDU of " + apdu.length + " bytes lacks the trailer SW1 SW2");
        }
        return new ResponseApdu(Arrays.copyOf(apdu, apdu.length));
    }

    /**
     * @param data response data (copied)
     * @param sw status word SW1 SW2, 0..0xFFFF
     * @return the response
     */
    public static ResponseApdu of(byte[] data, int sw) {
        if (sw < 0 || sw > 0xFFFF) {
            throw new ApduFormatException(String.format("SW = 0x%X is not a 2-byte status word", sw));
        }
        byte[] b = Arrays.copyOf(data, data.length + 2);
        b[data.length] = (byte) (sw >> 8);
        b[data.length + 1] = (byte) sw;
        return new ResponseApdu(b);
    }

    /** @return a copy of the response data field */
    public byte[] data() {
        return Arrays.copyOf(bytes, bytes.length - 2);
    }

    /** @return Nr, the number of response data bytes */
    public int nr() {
        return bytes.length - 2;
    }

    /** @return SW1 */
    public int sw1() {
        return bytes[bytes.length - 2] & 0xFF;
    }

    /** @return SW2 */
    public int sw2() {
        return bytes[bytes.length - 1] & 0xFF;
    }

    /** @return SW1 SW2 as one 16-bit value, e.g. 0x9000 */
    public int sw() {
        return (sw1() << 8) | sw2();
    }

    /** @return a copy of the encoded response */
    public byte[] toBytes() {
        return Arrays.copyOf(bytes, bytes.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ResponseApdu r && Arrays.equals(r.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return String.format("ResponseApdu[Nr=%d, SW=%04X]", nr(), sw());
    }
}
