package org.cardstack.usb.libusb;

import org.cardstack.usb.ConfigurationDescriptor;
import org.cardstack.usb.UsbDescriptors;
import org.cardstack.usb.UsbDeviceGoneException;
import org.cardstack.usb.UsbException;
import org.cardstack.usb.UsbStallException;
import org.cardstack.usb.UsbTimeoutException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pure-Java parts of the libusb backend: error mapping and raw descriptor reassembly (no native code). */
class LibUsbUnitTest {

    @Test
    void errorCodesMapToExceptionTypes() {
        UsbException timeout = LibUsbErrors.exception(-7, "bulk-in 0x82 on USB 001/002", 5000);
        assertInstanceOf(UsbTimeoutException.class, timeout);
        assertEquals(5000, ((UsbTimeoutException) timeout).timeoutMillis());
        assertInstanceOf(UsbDeviceGoneException.class, LibUsbErrors.exception(-4, "x", 1));
        assertInstanceOf(UsbStallException.class, LibUsbErrors.exception(-9, "x", 1));
        UsbException io = LibUsbErrors.exception(-1, "bulk-out 0x03 on USB 001/002", 1);
        assertSame(UsbException.class, io.getClass());
        assertEquals("bulk-out 0x03 on USB 001/002: LIBUSB_ERROR_IO", io.getMessage());
        assertTrue(LibUsbErrors.exception(-99, "x", 1).getMessage().endsWith("LIBUSB_ERROR_OTHER"));
        assertTrue(LibUsbErrors.exception(-42, "x", 1).getMessage().endsWith("libusb error -42"));
        assertThrows(UsbDeviceGoneException.class, () -> LibUsbErrors.check(-4, "x"));
        assertEquals(7, assertDoesNotThrowInt(() -> LibUsbErrors.check(7, "x")));
    }

    /** libusb.h enum libusb_transfer_status: how an asynchronous (interrupt-in) transfer ended. */
    @Test
    void transferStatusesMapToExceptionTypes() {
        assertInstanceOf(UsbDeviceGoneException.class, LibUsbErrors.transferException(5, "interrupt-in 0x81", 0));
        assertInstanceOf(UsbStallException.class, LibUsbErrors.transferException(4, "interrupt-in 0x81", 0));
        assertInstanceOf(UsbTimeoutException.class, LibUsbErrors.transferException(2, "interrupt-in 0x81", 250));
        UsbException error = LibUsbErrors.transferException(1, "interrupt-in 0x81 on USB 001/002", 0);
        assertSame(UsbException.class, error.getClass());
        assertEquals("interrupt-in 0x81 on USB 001/002: LIBUSB_TRANSFER_ERROR", error.getMessage());
        assertTrue(LibUsbErrors.transferException(3, "x", 0).getMessage().endsWith("LIBUSB_TRANSFER_CANCELLED"));
        assertTrue(LibUsbErrors.transferException(6, "x", 0).getMessage().contains("LIBUSB_TRANSFER_OVERFLOW"));
        assertTrue(LibUsbErrors.transferException(9, "x", 0).getMessage().endsWith("transfer status 9"));
    }

    @Test
    void reassemblesTheRigReadersConfigurationFromParsedFields() throws Exception {
        // what libusb gives for the rig's reader: the CCID class descriptor is the interface's extra
        byte[] raw = new RawDescriptorWriter()
                .configuration(1, 1, 0, 0xE0, 0x32, new byte[0])
                .iface(0, 0, 3, 0x0B, 0, 0, 4, RigVectors.CCID_CLASS)
                .endpoint(7, 0x81, 0x03, 64, 0xFF, 0, 0, new byte[0])
                .endpoint(7, 0x82, 0x02, 64, 0, 0, 0, new byte[0])
                .endpoint(7, 0x03, 0x02, 64, 0, 0, 0, new byte[0])
                .toByteArray();
        assertEquals(93, raw.length);
        assertArrayEquals(RigVectors.CONFIG, raw);
        ConfigurationDescriptor c = UsbDescriptors.parseConfiguration(raw);
        assertEquals(0x0B, c.interfaces().get(0).bInterfaceClass());
        assertArrayEquals(RigVectors.CCID_CLASS, c.interfaces().get(0).extra(0x21).orElseThrow());
    }

    @Test
    void reassemblesDeviceDescriptorAndAudioEndpoints() {
        assertArrayEquals(RigVectors.DEVICE, RawDescriptorWriter.device(0x0110, 0, 0, 0, 64, 0x08E6, 0x4433, 0, 1, 2, 3, 1));
        byte[] iad = {8, 0x0B, 0, 2, 1, 1, 0, 0}; // interface association, kept in the configuration's extra
        byte[] csEndpoint = {7, 0x25, 1, 0, 0, 0, 0};
        byte[] raw = new RawDescriptorWriter().configuration(2, 1, 0, 0x80, 50, iad)
                .iface(1, 1, 1, 1, 2, 0, 0, new byte[0])
                .endpoint(9, 0x01, 0x09, 0x00C0, 1, 0, 0, csEndpoint)
                .toByteArray();
        assertEquals(9 + 8 + 9 + 9 + 7, raw.length);
        assertEquals(raw.length, (raw[2] & 0xFF) | (raw[3] & 0xFF) << 8);
        assertArrayEquals(iad, Arrays.copyOfRange(raw, 9, 17));
        assertArrayEquals(new byte[] {9, 5, 1, 9, (byte) 0xC0, 0, 1, 0, 0}, Arrays.copyOfRange(raw, 26, 35));
        assertArrayEquals(csEndpoint, Arrays.copyOfRange(raw, 35, 42));
    }

    private interface IntCall {
        int call() throws Exception;
    }

    private static int assertDoesNotThrowInt(IntCall c) {
        try {
            return c.call();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
