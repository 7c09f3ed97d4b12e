package org.cardstack.sim.reader;

import org.cardstack.usb.UsbDevice;
import org.cardstack.usb.UsbDeviceGoneException;
import org.cardstack.usb.UsbDeviceHandle;
import org.cardstack.usb.UsbException;
import org.cardstack.usb.UsbHotplugListener;
import org.cardstack.usb.UsbSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A USB bus of virtual devices. {@link #plug} and {@link #unplug} fire hotplug events on the session's
 * event thread (one thread, events in order). A re-plugged reader gets a new address (so a new
 * {@link UsbDevice}) on the same port path, "1-N" with N fixed per reader.
 */
public final class VirtualUsbSession implements UsbSession {
    private static final Logger LOG = LoggerFactory.getLogger(VirtualUsbSession.class);
    private static final int BUS = 1;

    private final List<VirtualCcidReader> plugged = new ArrayList<>();
    private final Map<VirtualCcidReader, Integer> ports = new HashMap<>();
    private final CopyOnWriteArrayList<UsbHotplugListener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService events = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "virtual-usb-events");
        t.setDaemon(true);
        return t;
    });
    private int nextAddress = 2;
    private boolean closed;

    public VirtualUsbSession() {
    }

    /** A session with these readers plugged (no events: nobody listens yet). */
    public VirtualUsbSession(VirtualCcidReader... readers) {
        for (VirtualCcidReader r : readers) {
            plug(r);
        }
    }

    /** Plugs a reader in: it enumerates with a new address; listeners get deviceArrived. */
    public UsbDevice plug(VirtualCcidReader reader) {
        UsbDevice d;
        synchronized (this) {
            if (closed) throw new IllegalStateException("session closed");
            int port = ports.computeIfAbsent(reader, r -> ports.size() + 1);
            int address = nextAddress++;
            if (nextAddress > 127) nextAddress = 2;
            d = reader.attach(this, BUS, address, BUS + "-" + port);
            plugged.add(reader);
        }
        LOG.debug("plugged {}", d);
        fire(l -> l.deviceArrived(d));
        return d;
    }

    /** Unplugs a reader; its handles die; listeners get deviceLeft. No-op if not plugged here. */
    public void unplug(VirtualCcidReader reader) {
        UsbDevice d;
        synchronized (this) {
            if (!plugged.remove(reader)) return;
            d = reader.detach();
        }
        if (d != null) {
            LOG.debug("unplugged {}", d);
            fire(l -> l.deviceLeft(d));
        }
    }

    public synchronized List<VirtualCcidReader> readers() {
        return List.copyOf(plugged);
    }

    @Override
    public synchronized List<UsbDevice> devices() throws UsbException {
        if (closed) throw new UsbException("session closed");
        List<UsbDevice> out = new ArrayList<>();
        for (VirtualCcidReader r : plugged) {
            UsbDevice d = r.usbDevice();
            if (d != null) out.add(d);
        }
        return out;
    }

    @Override
    public UsbDeviceHandle open(UsbDevice device) throws UsbException {
        VirtualCcidReader reader = null;
        synchronized (this) {
            if (closed) throw new UsbException("session closed");
            for (VirtualCcidReader r : plugged) {
                if (device.equals(r.usbDevice())) reader = r;
            }
        }
        if (reader == null) {
            throw new UsbDeviceGoneException(device + " is not plugged");
        }
        return reader.open();
    }

    @Override
    public AutoCloseable addHotplugListener(UsbHotplugListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Waits until the events fired so far have been delivered (for tests). */
    public void awaitEvents() throws InterruptedException {
        java.util.concurrent.CountDownLatch l = new java.util.concurrent.CountDownLatch(1);
        events.execute(l::countDown);
        l.await(10, TimeUnit.SECONDS);
    }

    private void fire(java.util.function.Consumer<UsbHotplugListener> event) {
        if (events.isShutdown()) return;
        try {
            events.execute(() -> {
                for (UsbHotplugListener l : listeners) {
                    try {
                        event.accept(l);
                    } catch (RuntimeException e) {
                        LOG.warn("hotplug listener failed", e);
                    }
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed meanwhile
        }
    }

    /** Stops event delivery and unplugs every reader (without events). */
    @Override
    public void close() {
        List<VirtualCcidReader> rs;
        synchronized (this) {
            if (closed) return;
            closed = true;
            rs = new ArrayList<>(plugged);
            plugged.clear();
        }
        events.shutdownNow();
        for (VirtualCcidReader r : rs) r.detach();
    }
}
