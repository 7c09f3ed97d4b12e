package org.cardstack.usb.libusb;

import org.cardstack.usb.UsbDescriptorException;
import org.cardstack.usb.UsbDevice;
import org.cardstack.usb.UsbDeviceGoneException;
import org.cardstack.usb.UsbDeviceHandle;
import org.cardstack.usb.UsbException;
import org.cardstack.usb.UsbHotplugListener;
import org.cardstack.usb.UsbSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.usb4java.ConfigDescriptor;
import org.usb4java.Context;
import org.usb4java.Device;
import org.usb4java.DeviceDescriptor;
import org.usb4java.DeviceHandle;
import org.usb4java.DeviceList;
import org.usb4java.EndpointDescriptor;
import org.usb4java.HotplugCallbackHandle;
import org.usb4java.Interface;
import org.usb4java.InterfaceDescriptor;
import org.usb4java.LibUsb;
import org.usb4java.Version;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link UsbSession} on libusb through usb4java's low-level API.
 *
 * <ul>
 *   <li>One libusb context per session, and one event thread ({@code cardstack-usb-events-N}) running
 *       {@code libusb_handle_events_timeout} until {@link #close()}, but only while no synchronous
 *       transfer is in flight and none ended in the last {@value #QUIET_MILLIS} ms. A thread in a
 *       synchronous transfer then handles libusb's events itself (async completions and hotplug
 *       included), so a completion wakes that one thread only. Were the event thread in libusb too, it
 *       would own the event lock, and each completion would wake it and then the waiting caller: twice
 *       the wake-ups and system calls per transfer, which is what made the daemon slow on an emulated
 *       CPU.</li>
 *   <li>Hotplug: libusb's hotplug callbacks when libusb has {@code LIBUSB_CAP_HAS_HOTPLUG} (on Linux
 *       they come from udev, so udevd must run), otherwise the device list is polled every
 *       {@value #DEFAULT_POLL_MILLIS} ms and diffed by bus, address and port path. Listeners are called
 *       on the session's dispatch thread ({@code cardstack-usb-hotplug-N}), never inside libusb's
 *       callback, so they may open devices and call {@link #devices()}.</li>
 *   <li>Descriptors come from libusb's cache (no device is opened to enumerate): the raw configuration
 *       descriptor is reassembled from libusb's parsed descriptors and their {@code extra} bytes.</li>
 *   <li>No USB subsystem (no {@code /dev/bus/usb}, libusb_init fails, or the native library cannot be
 *       loaded): the session is <em>unavailable</em>: one WARN line is logged, {@link #devices()}
 *       returns an empty list, {@link #open} throws {@link UsbException}, no event is ever reported.</li>
 * </ul>
 */
public final class LibUsbSession implements UsbSession {
    private static final Logger log = LoggerFactory.getLogger(LibUsbSession.class);
    private static final AtomicInteger SESSIONS = new AtomicInteger();

    public static final long DEFAULT_POLL_MILLIS = 500;
    /** System property: {@code -Dcardstack.usb.disabled=true} makes every session unavailable (no libusb at all). */
    public static final String DISABLE_PROPERTY = "cardstack.usb.disabled";
    /**
     * How long one libusb_handle_events_timeout call waits. Only a bound: close() and foreground
     * transfers interrupt the wait, and libusb returns early for every event. Each return costs a
     * wake-up, which an idle daemon should not spend ten times a second.
     */
    private static final long EVENT_TIMEOUT_MICROS = 500_000;
    /**
     * The event thread stays out of libusb until synchronous transfers have paused this long: longer
     * than the gap between a client's back-to-back commands, short enough that an event arriving in
     * such a gap (handled by no one meanwhile) is late by no more than that.
     */
    static final long QUIET_MILLIS = 50;

    /** How hotplug events are found. */
    public enum HotplugMode {
        /** libusb hotplug callbacks when libusb supports them, polling otherwise. */
        AUTO,
        /** Poll the device list even when libusb has hotplug callbacks. */
        POLLING
    }

    private final int id = SESSIONS.incrementAndGet();
    private final Context context;
    private final String unavailableReason;
    private final boolean usesCallbacks;
    private final Thread eventThread;
    private final ScheduledExecutorService dispatcher;
    private volatile Thread dispatcherThread;
    private final HotplugCallbackHandle callbackHandle;
    private final List<UsbHotplugListener> listeners = new CopyOnWriteArrayList<>();
    /** Devices seen, by {@link #key}: so a DEVICE_LEFT reports the same UsbDevice that arrived. */
    private final Map<String, UsbDevice> known = new ConcurrentHashMap<>();
    /** The device keys at the last poll (polling mode only; touched on the dispatch thread only). */
    private Map<String, UsbDevice> polled = new LinkedHashMap<>();
    private final Set<LibUsbDeviceHandle> handles = ConcurrentHashMap.newKeySet();
    private final Object lifecycle = new Object();
    private volatile boolean closed;
    /** Synchronous transfers in flight; see {@link #foreground}. */
    private final AtomicInteger foreground = new AtomicInteger();
    private volatile long lastForegroundNanos;
    /** The event thread is in (or about to enter) libusb_handle_events. */
    private volatile boolean eventThreadInLibusb;
    private final Object eventGate = new Object();

    /** A session with {@link HotplugMode#AUTO}. */
    public LibUsbSession() {
        this(HotplugMode.AUTO, DEFAULT_POLL_MILLIS);
    }

    public LibUsbSession(HotplugMode mode, long pollMillis) {
        Context ctx = null;
        String reason;
        if (Boolean.getBoolean(DISABLE_PROPERTY)) {
            reason = "disabled by -D" + DISABLE_PROPERTY + "=true";
        } else {
            try {
                ctx = new Context();
                int rc = LibUsb.init(ctx);
                reason = rc < 0 ? "libusb_init failed: " + LibUsbErrors.name(rc) + describeHost() : null;
            } catch (RuntimeException | LinkageError e) { // usb4java's LoaderException, UnsatisfiedLinkError, ...
                reason = "libusb (usb4java's native library) could not be loaded: " + e + describeHost();
            }
            if (reason != null) {
                ctx = null;
            }
        }
        this.context = ctx;
        this.unavailableReason = reason;
        if (ctx == null) {
            log.warn("USB unavailable, reporting no devices: {}", reason);
            this.usesCallbacks = false;
            this.eventThread = null;
            this.dispatcher = null;
            this.callbackHandle = null;
            return;
        }

        this.dispatcher = Executors.newSingleThreadScheduledExecutor(this::dispatchThread);
        boolean callbacks = false;
        HotplugCallbackHandle handle = null;
        if (mode == HotplugMode.AUTO && hasHotplugCapability()) {
            handle = new HotplugCallbackHandle();
            int rc = LibUsb.hotplugRegisterCallback(ctx,
                    LibUsb.HOTPLUG_EVENT_DEVICE_ARRIVED | LibUsb.HOTPLUG_EVENT_DEVICE_LEFT, LibUsb.HOTPLUG_NO_FLAGS,
                    LibUsb.HOTPLUG_MATCH_ANY, LibUsb.HOTPLUG_MATCH_ANY, LibUsb.HOTPLUG_MATCH_ANY,
                    (c, device, event, user) -> {
                        onHotplug(device, event);
                        return 0; // stay registered
                    }, null, handle);
            if (rc < 0) {
                log.warn("libusb_hotplug_register_callback failed ({}); polling the device list instead",
                        LibUsbErrors.name(rc));
                handle = null;
            } else {
                callbacks = true;
            }
        }
        this.callbackHandle = handle;
        this.usesCallbacks = callbacks;
        if (!callbacks) {
            try {
                polled = snapshot();
            } catch (UsbException e) {
                log.warn("cannot list USB devices: {}", e.getMessage());
            }
            dispatcher.scheduleWithFixedDelay(this::poll, pollMillis, pollMillis, TimeUnit.MILLISECONDS);
        }
        this.eventThread = new Thread(this::eventLoop, "cardstack-usb-events-" + id);
        eventThread.setDaemon(true);
        eventThread.start();

        Version v = LibUsb.getVersion();
        String hotplug = callbacks ? "libusb hotplug callbacks"
                + (Files.exists(Path.of("/run/udev/control")) || !isLinux() ? "" : " (no udevd running: none will come)")
                : "polling every " + pollMillis + " ms";
        int count = countDevices();
        log.info("USB session {} open: libusb {}.{}.{}, {} device(s){}, hotplug by {}", id, v.major(), v.minor(),
                v.micro(), count, count == 0 ? describeHost() : "", hotplug);
    }

    /** Why this session sees no USB at all, or empty when libusb is working. */
    public Optional<String> unavailableReason() {
        return Optional.ofNullable(unavailableReason);
    }

    /** True when hotplug events come from libusb's callbacks, false when the device list is polled. */
    public boolean usesHotplugCallbacks() {
        return usesCallbacks;
    }

    @Override
    public List<UsbDevice> devices() throws UsbException {
        if (context == null) {
            return List.of();
        }
        ensureOpen();
        return List.copyOf(snapshot().values());
    }

    @Override
    public UsbDeviceHandle open(UsbDevice device) throws UsbException {
        if (context == null) {
            throw new UsbException("cannot open " + device + ": USB unavailable (" + unavailableReason + ")");
        }
        synchronized (lifecycle) {
            ensureOpen();
            DeviceList list = new DeviceList();
            LibUsbErrors.check(LibUsb.getDeviceList(context, list), "libusb_get_device_list");
            try {
                for (Device d : list) {
                    if (LibUsb.getBusNumber(d) == device.bus() && LibUsb.getDeviceAddress(d) == device.address()
                            && portPath(d).equals(device.portPath())) {
                        DeviceHandle handle = new DeviceHandle();
                        LibUsbErrors.check(LibUsb.open(d, handle), "libusb_open " + device);
                        LibUsbDeviceHandle h = new LibUsbDeviceHandle(this, handle, device);
                        handles.add(h);
                        return h;
                    }
                }
            } finally {
                LibUsb.freeDeviceList(list, true); // an open handle keeps its own reference
            }
        }
        throw new UsbDeviceGoneException("cannot open " + device + ": no longer on the bus");
    }

    @Override
    public AutoCloseable addHotplugListener(UsbHotplugListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /**
     * Stops the event thread and polling, closes handles still open (waiting for transfers in flight
     * to end) and frees the libusb context. Idempotent.
     */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
        }
        listeners.clear();
        if (context == null) {
            return;
        }
        if (callbackHandle != null) {
            LibUsb.hotplugDeregisterCallback(context, callbackHandle);
        }
        dispatcher.shutdown(); // cancels polling; queued events see 'closed' and are dropped (no interrupt:
                               // close() may be running on the dispatch thread, inside a listener)
        for (LibUsbDeviceHandle h : List.copyOf(handles)) {
            h.close();
        }
        LibUsb.interruptEventHandler(context);
        synchronized (eventGate) {
            eventGate.notifyAll();
        }
        boolean stopped = join(eventThread);
        if (Thread.currentThread() != dispatcherThread) {
            try {
                dispatcher.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (stopped) {
            LibUsb.exit(context);
            log.debug("USB session {} closed", id);
        } else {
            log.warn("USB session {}: event thread did not stop; libusb context not freed", id);
        }
    }

    // ---- package-private, for LibUsbDeviceHandle ----

    void handleClosed(LibUsbDeviceHandle h) {
        handles.remove(h);
    }

    // ---- events ----

    private void eventLoop() {
        int failures = 0;
        while (!closed) {
            if (!awaitBackground()) {
                continue;
            }
            int rc;
            eventThreadInLibusb = true; // before the check: foreground() sees one or the other
            try {
                if (foreground.get() > 0) {
                    continue;
                }
                rc = LibUsb.handleEventsTimeout(context, EVENT_TIMEOUT_MICROS);
            } finally {
                eventThreadInLibusb = false;
            }
            if (rc < 0 && rc != LibUsbErrors.ERROR_INTERRUPTED && !closed) {
                if (failures++ == 0) {
                    log.warn("libusb_handle_events_timeout: {}", LibUsbErrors.name(rc));
                }
                sleep(EVENT_TIMEOUT_MICROS / 1000);
            }
        }
    }

    /**
     * Waits (bounded, so close is noticed) until no synchronous transfer is in flight and the last
     * ended {@value #QUIET_MILLIS} ms ago; true when the event thread may enter libusb now.
     */
    private boolean awaitBackground() {
        long quiet = TimeUnit.MILLISECONDS.toNanos(QUIET_MILLIS);
        synchronized (eventGate) {
            if (foreground.get() > 0) {
                waitGate(QUIET_MILLIS); // a look per quiet period, not a wake-up per transfer
                return false;
            }
            long left = lastForegroundNanos + quiet - System.nanoTime();
            if (lastForegroundNanos != 0 && left > 0) {
                waitGate(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                return false;
            }
            return true;
        }
    }

    private void waitGate(long millis) {
        try {
            eventGate.wait(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs a synchronous libusb transfer on the calling thread, which handles libusb's events meanwhile:
     * the event thread is asked out of libusb (libusb_interrupt_event_handler returns it from its poll
     * at once; a stale request only ends one later poll early) and stays out until the quiet period.
     */
    int foreground(java.util.function.IntSupplier transfer) {
        enterForeground();
        try {
            return transfer.getAsInt();
        } finally {
            leaveForeground();
        }
    }

    /** {@link #foreground} without a lambda; each call is paired with {@link #leaveForeground} in a finally. */
    void enterForeground() {
        if (foreground.getAndIncrement() == 0 && eventThreadInLibusb) {
            LibUsb.interruptEventHandler(context);
        }
    }

    void leaveForeground() {
        lastForegroundNanos = System.nanoTime();
        foreground.decrementAndGet(); // the event thread notices on its next timed look at the gate
    }

    /**
     * Runs libusb's event handling on the calling thread until {@code done} is set or {@code deadlineNanos}
     * ({@link System#nanoTime}) has passed. libusb returns from each wait at the first event.
     */
    void handleEventsUntil(java.nio.IntBuffer done, long deadlineNanos) {
        long left;
        while (done.get(0) == 0 && (left = deadlineNanos - System.nanoTime()) > 0) {
            LibUsb.handleEventsTimeoutCompleted(context, Math.min(TimeUnit.NANOSECONDS.toMicros(left) + 1, 1_000_000), done);
        }
    }

    /** Called by libusb on the event thread: read what is needed now, report on the dispatch thread. */
    private void onHotplug(Device device, int event) {
        if (closed) {
            return;
        }
        try {
            String k = key(device);
            if (event == LibUsb.HOTPLUG_EVENT_DEVICE_ARRIVED) {
                UsbDevice d = describe(device);
                if (d == null) {
                    return;
                }
                known.put(k, d);
                dispatch(d, true);
            } else if (event == LibUsb.HOTPLUG_EVENT_DEVICE_LEFT) {
                UsbDevice d = known.remove(k);
                if (d == null) {
                    d = describe(device);
                }
                if (d != null) {
                    dispatch(d, false);
                }
            }
        } catch (RuntimeException e) {
            log.warn("hotplug event for USB {}/{}: {}", LibUsb.getBusNumber(device), LibUsb.getDeviceAddress(device),
                    e.toString());
        }
    }

    /** Polling mode: diff the device list against the last one (on the dispatch thread). */
    private void poll() {
        if (closed) {
            return;
        }
        try {
            Map<String, UsbDevice> now = snapshot();
            for (Map.Entry<String, UsbDevice> e : polled.entrySet()) {
                if (!now.containsKey(e.getKey())) {
                    fire(e.getValue(), false);
                }
            }
            for (Map.Entry<String, UsbDevice> e : now.entrySet()) {
                if (!polled.containsKey(e.getKey())) {
                    fire(e.getValue(), true);
                }
            }
            polled = now;
        } catch (UsbException | RuntimeException e) {
            log.debug("polling the USB device list: {}", e.toString());
        }
    }

    private void dispatch(UsbDevice d, boolean arrived) {
        try {
            dispatcher.execute(() -> fire(d, arrived));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing
        }
    }

    private void fire(UsbDevice d, boolean arrived) {
        if (closed) {
            return;
        }
        log.debug("USB device {}: {}", arrived ? "arrived" : "left", d);
        for (UsbHotplugListener l : listeners) {
            try {
                if (arrived) {
                    l.deviceArrived(d);
                } else {
                    l.deviceLeft(d);
                }
            } catch (RuntimeException e) {
                log.warn("hotplug listener {} failed on {}", l, d, e);
            }
        }
    }

    // ---- enumeration ----

    /** The devices on the bus now, by key, with descriptors. */
    private Map<String, UsbDevice> snapshot() throws UsbException {
        DeviceList list = new DeviceList();
        LibUsbErrors.check(LibUsb.getDeviceList(context, list), "libusb_get_device_list");
        Map<String, UsbDevice> now = new LinkedHashMap<>();
        try {
            for (Device d : list) {
                String k = key(d);
                UsbDevice cached = known.get(k);
                UsbDevice u = cached != null ? cached : describe(d);
                if (u != null) {
                    now.put(k, u);
                }
            }
        } finally {
            LibUsb.freeDeviceList(list, true);
        }
        // forget devices no longer present (keeps 'known' bounded; a re-plug gets a new address anyway)
        known.keySet().retainAll(now.keySet());
        known.putAll(now);
        return now;
    }

    private int countDevices() {
        try {
            return snapshot().size();
        } catch (UsbException e) {
            return 0;
        }
    }

    /** The UsbDevice for a libusb device, from libusb's cached descriptors; null if they cannot be read. */
    private UsbDevice describe(Device d) {
        int bus = LibUsb.getBusNumber(d);
        int address = LibUsb.getDeviceAddress(d);
        DeviceDescriptor dd = new DeviceDescriptor();
        int rc = LibUsb.getDeviceDescriptor(d, dd);
        if (rc < 0) {
            log.debug("USB {}/{}: no device descriptor ({})", bus, address, LibUsbErrors.name(rc));
            return null;
        }
        byte[] device = RawDescriptorWriter.device(dd.bcdUSB() & 0xFFFF, dd.bDeviceClass() & 0xFF,
                dd.bDeviceSubClass() & 0xFF, dd.bDeviceProtocol() & 0xFF, dd.bMaxPacketSize0() & 0xFF,
                dd.idVendor() & 0xFFFF, dd.idProduct() & 0xFFFF, dd.bcdDevice() & 0xFFFF, dd.iManufacturer() & 0xFF,
                dd.iProduct() & 0xFF, dd.iSerialNumber() & 0xFF, dd.bNumConfigurations() & 0xFF);
        ConfigDescriptor config = new ConfigDescriptor();
        rc = LibUsb.getActiveConfigDescriptor(d, config);
        if (rc < 0) {
            rc = LibUsb.getConfigDescriptor(d, (byte) 0, config); // unconfigured: the first configuration
        }
        if (rc < 0) {
            log.debug("USB {}/{} {}: skipped, no configuration descriptor ({})", bus, address,
                    String.format("%04x:%04x", dd.idVendor() & 0xFFFF, dd.idProduct() & 0xFFFF), LibUsbErrors.name(rc));
            return null;
        }
        byte[] raw;
        try {
            raw = rawConfiguration(config);
        } finally {
            LibUsb.freeConfigDescriptor(config);
        }
        try {
            return new UsbDevice(bus, address, portPath(d), device, raw);
        } catch (UsbDescriptorException e) {
            log.debug("USB {}/{}: skipped, {}", bus, address, e.getMessage());
            return null;
        }
    }

    static byte[] rawConfiguration(ConfigDescriptor c) {
        RawDescriptorWriter w = new RawDescriptorWriter().configuration(c.bNumInterfaces() & 0xFF,
                c.bConfigurationValue() & 0xFF, c.iConfiguration() & 0xFF, c.bmAttributes() & 0xFF,
                c.bMaxPower() & 0xFF, extra(c.extra(), c.extraLength()));
        for (Interface i : c.iface()) {
            for (InterfaceDescriptor a : i.altsetting()) {
                w.iface(a.bInterfaceNumber() & 0xFF, a.bAlternateSetting() & 0xFF, a.bNumEndpoints() & 0xFF,
                        a.bInterfaceClass() & 0xFF, a.bInterfaceSubClass() & 0xFF, a.bInterfaceProtocol() & 0xFF,
                        a.iInterface() & 0xFF, extra(a.extra(), a.extraLength()));
                for (EndpointDescriptor e : a.endpoint()) {
                    w.endpoint(e.bLength() & 0xFF, e.bEndpointAddress() & 0xFF, e.bmAttributes() & 0xFF,
                            e.wMaxPacketSize() & 0xFFFF, e.bInterval() & 0xFF, e.bRefresh() & 0xFF,
                            e.bSynchAddress() & 0xFF, extra(e.extra(), e.extraLength()));
                }
            }
        }
        return w.toByteArray();
    }

    private static byte[] extra(ByteBuffer b, int length) {
        if (length <= 0 || b == null) {
            return new byte[0];
        }
        byte[] a = new byte[Math.min(length, b.capacity())];
        b.get(0, a);
        return a;
    }

    /** "bus-port.port...", e.g. "1-2.1"; "1-0" for a root hub. */
    static String portPath(Device d) {
        ByteBuffer ports = ByteBuffer.allocateDirect(8);
        int n = LibUsb.getPortNumbers(d, ports);
        StringBuilder sb = new StringBuilder().append(LibUsb.getBusNumber(d)).append('-');
        if (n <= 0) {
            return sb.append('0').toString();
        }
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append('.');
            }
            sb.append(ports.get(i) & 0xFF);
        }
        return sb.toString();
    }

    private static String key(Device d) {
        return LibUsb.getBusNumber(d) + "/" + LibUsb.getDeviceAddress(d) + "@" + portPath(d);
    }

    // ---- helpers ----

    private void ensureOpen() throws UsbException {
        if (closed) {
            throw new UsbException("USB session closed");
        }
    }

    private Thread dispatchThread(Runnable r) {
        Thread t = new Thread(r, "cardstack-usb-hotplug-" + id);
        t.setDaemon(true);
        dispatcherThread = t;
        return t;
    }

    private static boolean hasHotplugCapability() {
        return LibUsb.hasCapability(LibUsb.CAP_HAS_HOTPLUG);
    }

    private static boolean join(Thread t) {
        if (t == Thread.currentThread()) {
            return false;
        }
        try {
            t.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !t.isAlive();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean isLinux() {
        return System.getProperty("os.name", "").toLowerCase().contains("linux");
    }

    private static String describeHost() {
        if (isLinux() && !Files.isDirectory(Path.of("/dev/bus/usb"))) {
            return " (no /dev/bus/usb: this machine has no USB subsystem)";
        }
        return "";
    }

    @Override
    public String toString() {
        return "LibUsbSession " + id + (context == null ? " (unavailable)" : closed ? " (closed)" : "");
    }
}
