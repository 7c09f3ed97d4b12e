package org.cardstack.iso7816.apdu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** ISO/IEC 7816-4 §5.1 response APDU: data field then SW1 SW2. */
class ResponseApduTest {

    @Test
    void splitsDataAndStatus() {
        ResponseApdu r = ResponseApdu.parse(new byte[] {0x01, 0x02, 0x61, 0x10});
        assertArrayEquals(new byte[] {0x01, 0x02}, r.data());
        assertEquals(2, r.nr());
        assertEquals(0x61, r.sw1());
        assertEquals(0x10, r.sw2());
        assertEquals(0x6110, r.sw());
    }

    @Test
    void statusOnly() {
        ResponseApdu r = ResponseApdu.parse(new byte[] {(byte) 0x90, 0x00});
        assertEquals(0, r.nr());
        assertEquals(0x9000, r.sw());
        assertEquals(r, ResponseApdu.of(new byte[0], 0x9000));
    }

    @Test
    void ofEncodesTrailer() {
        assertArrayEquals(new byte[] {0x41, 0x6A, (byte) 0x82}, ResponseApdu.of(new byte[] {0x41}, 0x6A82).toBytes());
        assertThrows(ApduFormatException.class, () -> ResponseApdu.of(new byte[0], 0x10000));
    }

    @Test
    void rejectsMissingTrailer() {
        assertThrows(ApduFormatException.class, () -> ResponseApdu.parse(new byte[] {(byte) 0x90}));
        assertThrows(ApduFormatException.class, () -> ResponseApdu.parse(new byte[0]));
    }
}
