package org.cardstack.sim.reader;

import org.cardstack.usb.UsbDeviceHandle;
import org.cardstack.usb.UsbException;

import java.util.Arrays;

import static org.cardstack.sim.Hex.b;
import static org.cardstack.sim.Hex.n;
import static org.cardstack.sim.Hex.s;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The host side of a test: raw CCID messages as hex, one exchange at a time. */
final class Host {
    final UsbDeviceHandle h;

    Host(UsbDeviceHandle h) {
        this.h = h;
    }

    void send(String hex) throws UsbException {
        byte[] m = b(hex);
        h.bulkOut(VirtualCcidReader.EP_BULK_OUT, m, 0, m.length, 1000);
    }

    byte[] readBytes(int timeoutMillis) throws UsbException {
        byte[] buf = new byte[70000];
        int n = h.bulkIn(VirtualCcidReader.EP_BULK_IN, buf, 0, buf.length, timeoutMillis);
        return Arrays.copyOf(buf, n);
    }

    String read() throws UsbException {
        return s(readBytes(2000));
    }

    /** Sends {@code ">> hex"} and checks that the next answer is {@code "<< hex"} (separators ignored). */
    void x(String out, String in) throws UsbException {
        send(out.replaceFirst("^>>", ""));
        assertEquals(n(in.replaceFirst("^<<", "")), read(), "answer to " + out);
    }

    String interrupt(int timeoutMillis) throws UsbException {
        byte[] buf = new byte[8];
        int n = h.interruptIn(VirtualCcidReader.EP_INTERRUPT, buf, 0, buf.length, timeoutMillis);
        return s(Arrays.copyOf(buf, n));
    }
}
