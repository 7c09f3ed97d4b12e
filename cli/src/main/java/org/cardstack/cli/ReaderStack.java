package org.cardstack.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import org.cardstack.reader.Reader;
import org.cardstack.reader.ccid.CcidDriver;
import org.cardstack.usb.UsbSession;
import org.cardstack.usb.libusb.LibUsbSession;

/**
 * The readers a command works on: the CCID driver over real USB and over a bus of virtual readers.
 * Both go through the same driver code; only the USB session differs.
 */
final class ReaderStack implements AutoCloseable {
    /** Used when no real reader is present and no --simulate is given. */
    static final String DEFAULT_SIMULATION = "applet=hello";

    private final List<UsbSession> buses = new ArrayList<>();
    private final List<CcidDriver> drivers = new ArrayList<>();

    ReaderStack(ReaderOptions options, PrintWriter err) {
        options.applyLogLevel();
        if (!options.noUsb) {
            start(new LibUsbSession());
        }
        List<String> specs = new ArrayList<>(options.simulate);
        boolean vpcd = options.vpcd != null || !options.vpcdConnect.isEmpty();
        if (specs.isEmpty() && !vpcd && readers().isEmpty() && !options.noDefaultSimulator) {
            err.println("cardstack: no USB reader found; using a simulated reader (--simulate " + DEFAULT_SIMULATION + ")");
            specs.add(DEFAULT_SIMULATION);
        }
        try {
            virtual = VirtualReaders.create(options, specs);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        if (vpcd && options.vpcdWait > 0) {
            awaitVpcdCard((long) (options.vpcdWait * 1000));
        }
    }

    private VirtualReaders virtual;

    private void awaitVpcdCard(long millis) {
        long end = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < end) {
            for (org.cardstack.vpcd.VpcdDriver d : virtual.vpcd) {
                for (int i = 0; i < d.readers().size(); i++) {
                    if (d.hasCard(i)) return;
                }
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void start(UsbSession bus) {
        buses.add(bus);
        drivers.add(new CcidDriver(bus).start());
    }

    List<Reader> readers() {
        List<Reader> all = new ArrayList<>();
        drivers.forEach(d -> all.addAll(d.readers()));
        if (virtual != null) {
            if (virtual.simulatedDriver() != null) all.addAll(virtual.simulatedDriver().readers());
            virtual.vpcd.forEach(d -> all.addAll(d.readers()));
        }
        return all;
    }

    @Override
    public void close() {
        if (virtual != null) virtual.close();
        drivers.forEach(CcidDriver::close);
        buses.forEach(UsbSession::close);
    }
}
