package org.cardstack.reader.ccid;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.cardstack.ccid.CcidDescriptor;
import org.cardstack.quirks.QuirkTable;
import org.cardstack.reader.Reader;
import org.cardstack.reader.ReaderDriver;
import org.cardstack.reader.ReaderException;
import org.cardstack.reader.ReaderInfo;
import org.cardstack.reader.ReaderListener;
import org.cardstack.reader.ReaderSession;
import org.cardstack.reader.SlotState;
import org.cardstack.usb.UsbDevice;
import org.cardstack.usb.UsbDeviceHandle;
import org.cardstack.usb.UsbException;
import org.cardstack.usb.UsbHotplugListener;
import org.cardstack.usb.UsbSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The USB CCID driver component: finds CCID readers on a {@link UsbSession}, follows them as they
 * are plugged and unplugged, and offers them to clients through {@link ReaderSession}s.
 * Listener callbacks run on one event thread, in the order things happened.
 */
public final class CcidDriver implements ReaderDriver {
    private static final Logger LOG = LoggerFactory.getLogger(CcidDriver.class);
    private static final int USB_CLASS_CHANNEL = 0x0020;

    private final UsbSession usb;
    private final QuirkTable quirks;
    private final CcidTimeouts timeouts;
    private final Map<UsbDevice, Attached> attached = new LinkedHashMap<>();
    private final Set<Session> sessions = new CopyOnWriteArraySet<>();
    private final ExecutorService events;
    private AutoCloseable hotplug;
    private boolean closed;

    public CcidDriver(UsbSession usb) {
        this(usb, QuirkTable.standard(), CcidTimeouts.DEFAULT);
    }

    public CcidDriver(UsbSession usb, QuirkTable quirks, CcidTimeouts timeouts) {
        this.usb = usb;
        this.quirks = quirks;
        this.timeouts = timeouts;
        this.events = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "cardstack-reader-events");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts following the bus: readers present now are opened before this returns. */
    public synchronized CcidDriver start() {
        hotplug = usb.addHotplugListener(new UsbHotplugListener() {
            @Override
            public void deviceArrived(UsbDevice device) { attach(device); }

            @Override
            public void deviceLeft(UsbDevice device) { detach(device, "unplugged"); }
        });
        try {
            for (UsbDevice device : usb.devices()) {
                attach(device);
            }
        } catch (UsbException e) {
            LOG.warn("cannot list USB devices: {}", e.getMessage());
        }
        return this;
    }

    @Override
    public ReaderSession openSession(String clientLabel) {
        Session s = new Session(clientLabel);
        sessions.add(s);
        return s;
    }

    /** Readers present now. */
    public synchronized List<Reader> readers() {
        List<Reader> all = new ArrayList<>();
        attached.values().forEach(a -> all.addAll(a.readers));
        return all;
    }

    private synchronized void attach(UsbDevice device) {
        if (closed || attached.containsKey(device)) {
            return;
        }
        List<CcidInterface> interfaces;
        try {
            interfaces = CcidInterface.find(device, quirks);
        } catch (UsbException | ReaderException e) {
            LOG.warn("{}: descriptors do not parse, ignored: {}", device, e.getMessage());
            return;
        }
        if (interfaces.isEmpty()) {
            return;
        }
        UsbDeviceHandle handle;
        try {
            handle = usb.open(device);
        } catch (UsbException e) {
            LOG.warn("{}: cannot open CCID reader: {}", device, e.getMessage());
            return;
        }
        Attached a = new Attached(handle);
        for (CcidInterface itf : interfaces) {
            try {
                handle.claimInterface(itf.interfaceNumber());
                ReaderInfo info = info(handle, itf, interfaces.size() > 1);
                CcidReader reader = new CcidReader(info, itf.descriptor(), new CcidTransport(handle, itf, timeouts));
                for (int slot = 0; slot < reader.slotCount(); slot++) {
                    reader.slotState(slot);
                }
                a.readers.add(reader);
                a.watchers.add(new SlotWatcher(reader, handle, itf.interruptIn(), timeouts.pollMillis(), watcherEvents));
                LOG.info("reader {}: {}", info.name(), itf.descriptor());
            } catch (UsbException | ReaderException e) {
                LOG.warn("{} interface {}: not usable: {}", device, itf.interfaceNumber(), e.getMessage());
            }
        }
        if (a.readers.isEmpty()) {
            handle.close();
            return;
        }
        attached.put(device, a);
        for (CcidReader r : a.readers) {
            publish(l -> l.readerAdded(r));
        }
        a.watchers.forEach(SlotWatcher::start);
    }

    private void detach(UsbDevice device, String why) {
        Attached a;
        synchronized (this) {
            a = attached.remove(device);
        }
        if (a == null) {
            return;
        }
        a.readers.forEach(r -> r.markGone());
        a.watchers.forEach(SlotWatcher::stop);
        a.handle.close();
        for (CcidReader r : a.readers) {
            LOG.info("reader {} removed ({})", r.info().name(), why);
            publish(l -> l.readerRemoved(r));
        }
    }

    private final SlotWatcher.Events watcherEvents = new SlotWatcher.Events() {
        @Override
        public void slotChanged(CcidReader reader, int slot, SlotState state) {
            publish(l -> l.slotChanged(reader, slot, state));
        }

        @Override
        public void readerFailed(CcidReader reader) {
            // The watcher thread cannot join itself: detach on the event thread.
            events.execute(() -> detach(reader.device(), "failed"));
        }
    };

    private ReaderInfo info(UsbDeviceHandle handle, CcidInterface itf, boolean severalInterfaces) {
        UsbDevice d = itf.device();
        String vendor = string(handle, d.descriptor().iManufacturer(), String.format("%04X", d.vendorId()));
        String product = string(handle, d.descriptor().iProduct(), String.format("%04X", d.productId()));
        String serial = string(handle, d.descriptor().iSerialNumber(), "");
        StringBuilder name = new StringBuilder(product.startsWith(vendor) ? product : vendor + " " + product);
        if (severalInterfaces) {
            name.append(" [").append(string(handle, itf.iInterface(), "Interface " + itf.interfaceNumber())).append(']');
        }
        name.append(" (").append(serial.isEmpty() ? d.portPath() : serial).append(')');
        String unique = uniqueName(name.toString());
        CcidDescriptor c = itf.descriptor();
        return new ReaderInfo(unique, vendor, product, serial, d.vendorId(), d.productId(), d.descriptor().bcdDevice(),
                c.slotCount(), c.dwMaxCCIDMessageLength() - 10, USB_CLASS_CHANNEL << 16 | (d.bus() & 0xFF) << 8
                | (d.address() & 0xFF), c.exchangeLevel().label());
    }

    private String uniqueName(String base) {
        Set<String> taken = new java.util.HashSet<>();
        readers().forEach(r -> taken.add(r.info().name()));
        String name = base;
        for (int n = 2; taken.contains(name); n++) {
            name = base + " #" + n;
        }
        return name;
    }

    private static String string(UsbDeviceHandle handle, int index, String fallback) {
        if (index == 0) {
            return fallback;
        }
        try {
            String s = handle.stringDescriptor(index);
            return s == null || s.isBlank() ? fallback : s.trim();
        } catch (UsbException e) {
            return fallback;
        }
    }

    private void publish(java.util.function.Consumer<ReaderListener> event) {
        for (Session s : sessions) {
            for (ReaderListener l : s.listeners) {
                events.execute(() -> {
                    try {
                        event.accept(l);
                    } catch (RuntimeException e) {
                        LOG.warn("reader listener of {} failed: {}", s.label, e.toString());
                    }
                });
            }
        }
    }

    @Override
    public void close() {
        List<UsbDevice> devices;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            devices = new ArrayList<>(attached.keySet());
        }
        try {
            if (hotplug != null) {
                hotplug.close();
            }
        } catch (Exception e) {
            LOG.debug("hotplug deregistration: {}", e.toString());
        }
        devices.forEach(d -> detach(d, "driver closed"));
        events.shutdown();
        try {
            events.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class Attached {
        final UsbDeviceHandle handle;
        final List<CcidReader> readers = new ArrayList<>();
        final List<SlotWatcher> watchers = new ArrayList<>();

        Attached(UsbDeviceHandle handle) { this.handle = handle; }
    }

    private final class Session implements ReaderSession {
        final String label;
        final Set<ReaderListener> listeners = new CopyOnWriteArraySet<>();

        Session(String label) { this.label = label; }

        @Override
        public String clientLabel() { return label; }

        @Override
        public List<Reader> readers() { return CcidDriver.this.readers(); }

        @Override
        public AutoCloseable addListener(ReaderListener listener) {
            synchronized (CcidDriver.this) {
                listeners.add(listener);
                for (Reader r : CcidDriver.this.readers()) {
                    events.execute(() -> listener.readerAdded(r));
                }
            }
            return () -> listeners.remove(listener);
        }

        @Override
        public void close() {
            listeners.clear();
            sessions.remove(this);
        }
    }
}
