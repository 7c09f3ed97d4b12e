package org.cardstack.iso7816.t1;

import org.cardstack.iso7816.atr.T1ErrorDetection;

/**
 * The epilogue field of a T=1 block, ISO/IEC 7816-3 §11.3.4: LRC (one byte, exclusive-or of all
 * prologue and information bytes) or CRC (two bytes, the CRC of ISO/IEC 13239 with generator
 * x^16 + x^12 + x^5 + 1, register preset to FFFF, bits processed least significant first, sent most
 * significant byte first and without final complement, as libccid and the cards it drives do).
 */
public final class ErrorDetectionCode {
    private static final int[] CRC_TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int c = i;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? c >>> 1 ^ 0x8408 : c >>> 1;
            }
            CRC_TABLE[i] = c;
        }
    }

    private ErrorDetectionCode() {
    }

    /** @return 1 for LRC, 2 for CRC */
    public static int length(T1ErrorDetection edc) {
        return edc == T1ErrorDetection.CRC ? 2 : 1;
    }

    /** @return the LRC of {@code len} bytes from {@code off} */
    public static int lrc(byte[] b, int off, int len) {
        int x = 0;
        for (int i = off; i < off + len; i++) {
            x ^= b[i];
        }
        return x & 0xFF;
    }

    /** @return the 16-bit CRC of {@code len} bytes from {@code off} (high byte is sent first) */
    public static int crc(byte[] b, int off, int len) {
        int v = 0xFFFF;
        for (int i = off; i < off + len; i++) {
            v = v >>> 8 ^ CRC_TABLE[(v ^ b[i]) & 0xFF];
        }
        return v & 0xFFFF;
    }

    /** Writes the epilogue of the {@code len} bytes before {@code off} at {@code off}. */
    static void write(T1ErrorDetection edc, byte[] b, int off) {
        if (edc == T1ErrorDetection.CRC) {
            int c = crc(b, 0, off);
            b[off] = (byte) (c >> 8);
            b[off + 1] = (byte) c;
        } else {
            b[off] = (byte) lrc(b, 0, off);
        }
    }

    /** @return whether the epilogue at {@code off} matches the {@code off} bytes before it */
    static boolean check(T1ErrorDetection edc, byte[] b, int off) {
        if (edc == T1ErrorDetection.CRC) {
            int c = crc(b, 0, off);
            return (b[off] & 0xFF) == c >> 8 && (b[off + 1] & 0xFF) == (c & 0xFF);
        }
        return (b[off] & 0xFF) == lrc(b, 0, off);
    }
}
