package org.cardstack.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import org.cardstack.reader.Reader;
import org.cardstack.reader.ccid.CcidDriver;
import org.cardstack.sim.SimulateSpec;
import org.cardstack.sim.reader.VirtualUsbSession;
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
        if (specs.isEmpty() && readers().isEmpty() && !options.noDefaultSimulator) {
            err.println("cardstack: no USB reader found; using a simulated reader (--simulate " + DEFAULT_SIMULATION + ")");
            specs.add(DEFAULT_SIMULATION);
        }
        if (!specs.isEmpty()) {
            VirtualUsbSession virtualBus = new VirtualUsbSession();
            for (String spec : specs) {
                virtualBus.plug(SimulateSpec.parse(spec).newReader());
            }
            start(virtualBus);
        }
    }

    private void start(UsbSession bus) {
        buses.add(bus);
        drivers.add(new CcidDriver(bus).start());
    }

    List<Reader> readers() {
        List<Reader> all = new ArrayList<>();
        drivers.forEach(d -> all.addAll(d.readers()));
        return all;
    }

    @Override
    public void close() {
        drivers.forEach(CcidDriver::close);
        buses.forEach(UsbSession::close);
    }
}
