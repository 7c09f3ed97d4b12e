package org.cardstack.usb.libusb;

import org.cardstack.usb.UsbDevice;
import org.cardstack.usb.UsbException;
import org.cardstack.usb.UsbHotplugListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs on any machine: with no USB subsystem (no /dev/bus/usb, as in containers and CI) the session
 * must report no devices and close cleanly; with USB it must enumerate without throwing.
 */
class LibUsbSessionTest {

    private static boolean noUsbHere() {
        return System.getProperty("os.name", "").toLowerCase().contains("linux")
                && !Files.isDirectory(Path.of("/dev/bus/usb"));
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void enumeratesOrReportsNoDevicesWithoutCrashing() throws Exception {
        try (LibUsbSession session = new LibUsbSession()) {
            List<UsbDevice> devices = assertDoesNotThrow(session::devices);
            assertNotNull(devices);
            if (noUsbHere()) {
                assertTrue(devices.isEmpty(), "no /dev/bus/usb, yet devices: " + devices);
            }
            if (session.unavailableReason().isPresent()) {
                assertTrue(devices.isEmpty());
                assertFalse(session.usesHotplugCallbacks());
                UsbDevice fake = new UsbDevice(1, 2, "1-1", RigVectors.DEVICE, RigVectors.CONFIG);
                UsbException e = assertThrows(UsbException.class, () -> session.open(fake));
                assertTrue(e.getMessage().contains("USB unavailable"), e.getMessage());
            }
            for (UsbDevice d : devices) { // every device's configuration parses
                assertDoesNotThrow(() -> org.cardstack.usb.UsbDescriptors.parseConfiguration(
                        d.rawConfigurationDescriptor()), d.toString());
            }
            AutoCloseable registration = session.addHotplugListener(new UsbHotplugListener() {
                @Override public void deviceArrived(UsbDevice device) { }

                @Override public void deviceLeft(UsbDevice device) { }
            });
            registration.close();
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void sessionsOpenAndCloseWithoutLeakingThreads() throws Exception {
        for (LibUsbSession.HotplugMode mode : LibUsbSession.HotplugMode.values()) {
            for (int i = 0; i < 5; i++) {
                LibUsbSession s = new LibUsbSession(mode, 50);
                s.devices();
                s.close();
                s.close(); // idempotent
                assertThrows(UsbException.class, s::devices, "devices() after close");
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (liveSessionThreads() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0, liveSessionThreads(), "cardstack-usb-* threads still running");
    }

    /** The "no USB at all" path, forced: no libusb call is made, nothing is reported, open() says why. */
    @Test
    void disabledSessionIsUnavailable() throws Exception {
        String old = System.setProperty(LibUsbSession.DISABLE_PROPERTY, "true");
        try (LibUsbSession s = new LibUsbSession()) {
            assertTrue(s.unavailableReason().orElseThrow().contains(LibUsbSession.DISABLE_PROPERTY));
            assertEquals(List.of(), s.devices());
            UsbDevice fake = new UsbDevice(1, 2, "1-1", RigVectors.DEVICE, RigVectors.CONFIG);
            UsbException e = assertThrows(UsbException.class, () -> s.open(fake));
            assertTrue(e.getMessage().contains("USB unavailable"), e.getMessage());
            s.addHotplugListener(new UsbHotplugListener() {
                @Override public void deviceArrived(UsbDevice device) { }

                @Override public void deviceLeft(UsbDevice device) { }
            }).close();
        } finally {
            if (old == null) {
                System.clearProperty(LibUsbSession.DISABLE_PROPERTY);
            } else {
                System.setProperty(LibUsbSession.DISABLE_PROPERTY, old);
            }
        }
        assertEquals(0, liveSessionThreads());
    }

    /** A closed unavailable session still answers devices() with an empty list or a clear exception. */
    @Test
    void closedSessionRefusesWork() {
        LibUsbSession s = new LibUsbSession();
        s.close();
        if (s.unavailableReason().isPresent()) {
            assertDoesNotThrow(s::devices);
        } else {
            assertThrows(UsbException.class, s::devices);
        }
    }

    private static long liveSessionThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("cardstack-usb-")).count();
    }
}
