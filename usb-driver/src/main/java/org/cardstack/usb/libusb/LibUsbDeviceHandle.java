package org.cardstack.usb.libusb;

import org.cardstack.usb.UsbDevice;
import org.cardstack.usb.UsbDeviceHandle;
import org.cardstack.usb.UsbException;
import org.cardstack.usb.UsbStallException;
import org.usb4java.DeviceHandle;
import org.usb4java.LibUsb;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * An open libusb device. Bulk and control transfers are libusb's synchronous ones, run as the session's
 * foreground (the calling thread handles libusb's events meanwhile; see {@link LibUsbSession}); each
 * endpoint has its own direct buffer, reused from call to call (transfers on one endpoint are
 * serialised, different endpoints run in parallel). Interrupt-in reads come from an {@link InterruptPipe}:
 * one asynchronous transfer kept outstanding. {@link #close()} waits for synchronous transfers in flight
 * (each bounded by its timeout, and ended at once by an unplug) and cancels the interrupt transfers, so
 * that libusb never sees a closed handle.
 */
public final class LibUsbDeviceHandle implements UsbDeviceHandle {
    private static final int LANG_US_ENGLISH = 0x0409;
    private static final int STRING_TIMEOUT_MS = 1000;
    /** System property: {@code -Dcardstack.usb.sequentialBulk=true} makes bulkOutIn send, then read. */
    public static final String SEQUENTIAL_PROPERTY = "cardstack.usb.sequentialBulk";
    private static final boolean SEQUENTIAL = Boolean.getBoolean(SEQUENTIAL_PROPERTY);

    private final LibUsbSession session;
    private final DeviceHandle handle;
    private final UsbDevice device;
    private final String name;
    private final Map<Integer, EndpointBuffer> buffers = new ConcurrentHashMap<>();
    private final Map<Integer, InterruptPipe> pipes = new ConcurrentHashMap<>();
    /** By OUT endpoint << 8 | IN endpoint. */
    private final Map<Integer, BulkExchange> exchanges = new ConcurrentHashMap<>();
    private final EndpointBuffer control = new EndpointBuffer();
    private final Set<Integer> claimed = ConcurrentHashMap.newKeySet();
    private final Set<Integer> detached = ConcurrentHashMap.newKeySet();
    /** Read lock: a libusb call on the handle; write lock: close. */
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile boolean closed;
    private volatile int langId = -1;

    LibUsbDeviceHandle(LibUsbSession session, DeviceHandle handle, UsbDevice device) {
        this.session = session;
        this.handle = handle;
        this.device = device;
        this.name = String.format("USB %03d/%03d", device.bus(), device.address());
    }

    @Override
    public UsbDevice device() {
        return device;
    }

    @Override
    public void claimInterface(int interfaceNumber) throws UsbException {
        enter();
        try {
            int active = LibUsb.kernelDriverActive(handle, interfaceNumber);
            if (active == 1) {
                LibUsbErrors.check(LibUsb.detachKernelDriver(handle, interfaceNumber),
                        "detach kernel driver from interface " + interfaceNumber + " of " + name);
                detached.add(interfaceNumber);
            } else if (active < 0 && active != LibUsbErrors.ERROR_NOT_SUPPORTED) {
                LibUsbErrors.check(active, "kernel driver check on interface " + interfaceNumber + " of " + name);
            }
            LibUsbErrors.check(LibUsb.claimInterface(handle, interfaceNumber),
                    "claim interface " + interfaceNumber + " of " + name);
            claimed.add(interfaceNumber);
        } finally {
            leave();
        }
    }

    @Override
    public void releaseInterface(int interfaceNumber) throws UsbException {
        enter();
        try {
            release(interfaceNumber);
        } finally {
            leave();
        }
    }

    private void release(int interfaceNumber) throws UsbException {
        claimed.remove(interfaceNumber);
        int rc = LibUsb.releaseInterface(handle, interfaceNumber);
        if (detached.remove(interfaceNumber) && rc == 0) {
            LibUsb.attachKernelDriver(handle, interfaceNumber); // give it back; failure is harmless
        }
        LibUsbErrors.check(rc, "release interface " + interfaceNumber + " of " + name);
    }

    @Override
    public int bulkOut(int endpoint, byte[] data, int offset, int length, int timeoutMillis) throws UsbException {
        Objects.checkFromIndexSize(offset, length, data.length);
        checkTimeout(timeoutMillis);
        EndpointBuffer eb = buffer(endpoint);
        enter();
        try {
            synchronized (eb) {
                ByteBuffer b = eb.window(length);
                b.put(0, data, offset, length);
                eb.transferred.put(0, 0);
                int rc = session.foreground(() -> LibUsb.bulkTransfer(handle, (byte) endpoint, b, eb.transferred,
                        timeoutMillis));
                if (rc < 0) {
                    // The description is built only for a failure: this runs once per transfer.
                    LibUsbErrors.check(rc, what("bulk-out", endpoint), timeoutMillis);
                }
                return eb.transferred.get(0);
            }
        } finally {
            leave();
        }
    }

    @Override
    public int bulkIn(int endpoint, byte[] buffer, int offset, int length, int timeoutMillis) throws UsbException {
        Objects.checkFromIndexSize(offset, length, buffer.length);
        checkTimeout(timeoutMillis);
        EndpointBuffer eb = buffer(endpoint);
        enter();
        try {
            synchronized (eb) {
                ByteBuffer b = eb.window(length);
                eb.transferred.put(0, 0);
                int rc = session.foreground(() -> LibUsb.bulkTransfer(handle, (byte) endpoint, b, eb.transferred,
                        timeoutMillis));
                if (rc < 0) {
                    LibUsbErrors.check(rc, what("bulk-in", endpoint), timeoutMillis);
                }
                int n = Math.min(eb.transferred.get(0), length);
                b.get(0, buffer, offset, n);
                return n;
            }
        } finally {
            leave();
        }
    }

    /**
     * The IN is queued before the OUT goes (a {@link BulkExchange}), unless
     * {@value #SEQUENTIAL_PROPERTY} is set: then OUT, wait, IN, as libccid does (for comparison, or for a
     * device that mishandles an early IN request).
     */
    @Override
    public int bulkOutIn(int outEndpoint, byte[] out, int outOffset, int outLength, int outTimeoutMillis,
            int inEndpoint, byte[] in, int inOffset, int inLength, int inTimeoutMillis) throws UsbException {
        if (SEQUENTIAL) {
            return UsbDeviceHandle.super.bulkOutIn(outEndpoint, out, outOffset, outLength, outTimeoutMillis,
                    inEndpoint, in, inOffset, inLength, inTimeoutMillis);
        }
        Objects.checkFromIndexSize(outOffset, outLength, out.length);
        Objects.checkFromIndexSize(inOffset, inLength, in.length);
        checkTimeout(outTimeoutMillis);
        checkTimeout(inTimeoutMillis);
        EndpointBuffer outLock = buffer(outEndpoint);
        EndpointBuffer inLock = buffer(inEndpoint);
        enter();
        try {
            // the same locks as bulkOut and bulkIn: one transfer at a time on each endpoint
            synchronized (outLock) {
                synchronized (inLock) {
                    int key = (outEndpoint & 0xFF) << 8 | inEndpoint & 0xFF;
                    BulkExchange x = exchanges.get(key); // not computeIfAbsent: its capturing lambda costs a VM call under C1
                    if (x == null) {
                        x = new BulkExchange(session, handle, outEndpoint, inEndpoint, what("bulk-out", outEndpoint),
                                what("bulk-in", inEndpoint));
                        exchanges.put(key, x);
                    }
                    return x.run(out, outOffset, outLength, outTimeoutMillis, in, inOffset, inLength, inTimeoutMillis);
                }
            }
        } finally {
            leave();
        }
    }

    /**
     * The next message from the endpoint's {@link InterruptPipe} (submitted on the first call). The
     * handle's lock is held only to start the pipe, not while waiting, so close() does not wait for
     * readers: they get "handle closed".
     */
    @Override
    public int interruptIn(int endpoint, byte[] buffer, int offset, int length, int timeoutMillis)
            throws UsbException {
        Objects.checkFromIndexSize(offset, length, buffer.length);
        checkTimeout(timeoutMillis);
        InterruptPipe pipe;
        enter();
        try {
            pipe = pipes.computeIfAbsent(endpoint & 0xFF, e -> new InterruptPipe(session, handle, e,
                    Math.max(length, 64), what("interrupt-in", e)));
            pipe.start();
        } finally {
            leave();
        }
        return pipe.read(buffer, offset, length, timeoutMillis);
    }

    @Override
    public int controlTransfer(int requestType, int request, int value, int index, byte[] data, int timeoutMillis)
            throws UsbException {
        checkTimeout(timeoutMillis);
        byte[] d = data == null ? new byte[0] : data;
        if (d.length > 0xFFFF) {
            throw new IllegalArgumentException("wLength " + d.length + " > 65535");
        }
        boolean in = (requestType & 0x80) != 0;
        enter();
        try {
            synchronized (control) {
                ByteBuffer b = control.window(d.length);
                if (!in) {
                    b.put(0, d);
                }
                int rc = session.foreground(() -> LibUsb.controlTransfer(handle, (byte) requestType, (byte) request,
                        (short) value, (short) index, b, timeoutMillis));
                LibUsbErrors.check(rc, String.format("control transfer %02X %02X %04X %04X on %s", requestType & 0xFF,
                        request & 0xFF, value & 0xFFFF, index & 0xFFFF, name), timeoutMillis);
                if (in) {
                    b.get(0, d, 0, Math.min(rc, d.length));
                }
                return rc;
            }
        } finally {
            leave();
        }
    }

    @Override
    public void clearHalt(int endpoint) throws UsbException {
        enter();
        try {
            LibUsbErrors.check(LibUsb.clearHalt(handle, (byte) endpoint), what("clear halt", endpoint));
        } finally {
            leave();
        }
    }

    @Override
    public String stringDescriptor(int index) throws UsbException {
        if (index <= 0 || index > 255) {
            return null;
        }
        enter();
        try {
            int lang = languageId();
            if (lang < 0) {
                return null; // no string descriptors at all
            }
            byte[] d = readString(index, lang);
            if (d == null || d.length < 2 || (d[1] & 0xFF) != 0x03) {
                return null;
            }
            int len = Math.min(d[0] & 0xFF, d.length) & ~1;
            return new String(d, 2, Math.max(0, len - 2), StandardCharsets.UTF_16LE);
        } finally {
            leave();
        }
    }

    /** US English when the device offers it (string descriptor 0, USB 2.0 §9.6.7), else its first language. */
    private int languageId() throws UsbException {
        if (langId == -1) {
            byte[] d;
            try {
                d = readString(0, 0);
            } catch (UsbStallException e) {
                d = null;
            }
            int lang = -2;
            if (d != null && d.length >= 4 && (d[1] & 0xFF) == 0x03) {
                lang = (d[2] & 0xFF) | (d[3] & 0xFF) << 8;
                for (int i = 2; i + 1 < Math.min(d[0] & 0xFF, d.length); i += 2) {
                    if (((d[i] & 0xFF) | (d[i + 1] & 0xFF) << 8) == LANG_US_ENGLISH) {
                        lang = LANG_US_ENGLISH;
                    }
                }
            } else if (d == null) {
                lang = LANG_US_ENGLISH; // table refused: try US English anyway
            }
            langId = lang;
        }
        return langId;
    }

    /** One string descriptor, raw; null when the device stalls the request (it has no such string). */
    private byte[] readString(int index, int lang) throws UsbException {
        synchronized (control) {
            ByteBuffer b = control.window(255);
            int rc = session.foreground(() -> LibUsb.getStringDescriptor(handle, (byte) index, (short) lang, b));
            if (rc == LibUsbErrors.ERROR_PIPE && index != 0) {
                return null;
            }
            LibUsbErrors.check(rc, "string descriptor " + index + " of " + name, STRING_TIMEOUT_MS);
            byte[] d = new byte[Math.min(rc, 255)];
            b.get(0, d);
            return d;
        }
    }

    /** Releases claimed interfaces and closes the handle, after transfers in flight have ended. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true; // new calls are refused from here
        lock.writeLock().lock();
        try {
            if (handle.getPointer() == 0) {
                return;
            }
            boolean transfersEnded = true;
            for (InterruptPipe p : pipes.values()) {
                transfersEnded &= p.close();
            }
            pipes.clear();
            for (BulkExchange x : exchanges.values()) {
                transfersEnded &= x.close();
            }
            exchanges.clear();
            if (!transfersEnded) {
                return; // a transfer still in libusb's hands: leak the handle rather than free it under libusb
            }
            for (int i : Set.copyOf(claimed)) {
                try {
                    release(i);
                } catch (UsbException e) {
                    // unplugged: nothing to release
                }
            }
            LibUsb.close(handle);
        } finally {
            lock.writeLock().unlock();
            session.handleClosed(this);
        }
    }

    @Override
    public String toString() {
        return "LibUsbDeviceHandle " + device + (closed ? " (closed)" : "");
    }

    // ---- helpers ----

    private void enter() throws UsbException {
        if (closed) {
            throw new UsbException(name + ": handle closed");
        }
        lock.readLock().lock();
        if (closed) {
            lock.readLock().unlock();
            throw new UsbException(name + ": handle closed");
        }
    }

    private void leave() {
        lock.readLock().unlock();
    }

    private EndpointBuffer buffer(int endpoint) {
        return buffers.computeIfAbsent(endpoint & 0xFF, e -> new EndpointBuffer());
    }

    private String what(String kind, int endpoint) {
        return String.format("%s 0x%02X on %s", kind, endpoint & 0xFF, name);
    }

    private static void checkTimeout(int timeoutMillis) {
        if (timeoutMillis <= 0) {
            throw new IllegalArgumentException("timeout must be > 0 ms, got " + timeoutMillis);
        }
    }

    /**
     * A direct buffer per endpoint, grown as needed. usb4java transfers a direct buffer's whole
     * capacity (not position..limit), so each transfer gets a window of exactly its length; the window
     * for the last length is kept, as the same lengths tend to repeat.
     */
    private static final class EndpointBuffer {
        final IntBuffer transferred = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).asIntBuffer();
        private ByteBuffer buffer;
        private ByteBuffer window;

        ByteBuffer window(int length) {
            if (buffer == null || buffer.capacity() < length) {
                buffer = ByteBuffer.allocateDirect(Math.max(64, Integer.highestOneBit(Math.max(1, length - 1)) << 1));
                window = null;
            }
            if (window == null || window.capacity() != length) {
                window = buffer.slice(0, length);
            }
            return window;
        }
    }
}
