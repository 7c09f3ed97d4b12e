package org.cardstack.usb.libusb;

import org.cardstack.usb.UsbException;
import org.cardstack.usb.UsbTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.usb4java.DeviceHandle;
import org.usb4java.LibUsb;
import org.usb4java.Transfer;
import org.usb4java.TransferCallback;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * One asynchronous interrupt-in transfer kept outstanding on an endpoint, resubmitted as each one
 * completes (libccid keeps its NotifySlotChange read outstanding the same way). Readers wait on this
 * object, not in libusb: whichever thread handles libusb's events runs the callback, so a reader
 * costs libusb nothing while it waits, and a read that times out loses no message.
 */
final class InterruptPipe implements TransferCallback {
    private static final Logger LOG = LoggerFactory.getLogger(InterruptPipe.class);
    /** Messages kept for a slow reader; beyond this the oldest go (a reader that far behind re-reads status). */
    static final int MAX_QUEUED = 32;
    private static final long CANCEL_WAIT_MILLIS = 1000;

    private final LibUsbSession session;
    private final String what;
    private final Transfer transfer;
    private final ByteBuffer buffer;
    /** Set to 1 by the callback once the transfer has ended for good (for handleEventsUntil). */
    private final IntBuffer ended = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).asIntBuffer();
    private final ArrayDeque<byte[]> messages = new ArrayDeque<>();
    private UsbException failure;
    private boolean inFlight;
    private boolean closing;

    InterruptPipe(LibUsbSession session, DeviceHandle handle, int endpoint, int length, String what) {
        this.session = session;
        this.what = what;
        this.buffer = ByteBuffer.allocateDirect(Math.max(1, length));
        this.transfer = LibUsb.allocTransfer();
        // timeout 0: the transfer waits for the device as long as it takes; readers time out here instead
        LibUsb.fillInterruptTransfer(transfer, handle, (byte) endpoint, buffer, this, null, 0);
    }

    /**
     * Submits the transfer unless it is in flight or has failed. Submissions happen under this object's
     * lock (here and in the callback), so close() never misses one; libusb takes none of our locks, so
     * holding this one across libusb_submit_transfer cannot deadlock.
     */
    synchronized void start() throws UsbException {
        if (inFlight || failure != null || closing) {
            return;
        }
        submit();
        if (failure != null) {
            throw failure;
        }
    }

    private void submit() {
        int rc = LibUsb.submitTransfer(transfer);
        if (rc < 0) {
            failure = LibUsbErrors.exception(rc, what, 0);
            ended.put(0, 1);
            notifyAll();
        } else {
            inFlight = true;
        }
    }

    /** The next message (up to {@code length} bytes copied), waiting at most {@code timeoutMillis}. */
    int read(byte[] dst, int offset, int length, int timeoutMillis) throws UsbException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        synchronized (this) {
            while (messages.isEmpty() && failure == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new UsbTimeoutException(what, timeoutMillis);
                }
                try {
                    wait(Math.max(1, left / 1_000_000L));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new UsbException(what + ": interrupted");
                }
            }
            byte[] m = messages.poll();
            if (m == null) {
                throw failure;
            }
            int n = Math.min(m.length, length);
            System.arraycopy(m, 0, dst, offset, n);
            return n;
        }
    }

    /** Runs on whichever thread handles libusb's events: keep the message, submit again. */
    @Override
    public void processTransfer(Transfer t) {
        int status = t.status();
        synchronized (this) {
            inFlight = false;
            if (status == LibUsbErrors.TRANSFER_COMPLETED && !closing) {
                int n = Math.max(0, Math.min(t.actualLength(), buffer.capacity()));
                byte[] m = new byte[n];
                buffer.get(0, m);
                if (messages.size() >= MAX_QUEUED) {
                    messages.poll();
                    LOG.debug("{}: reader too slow, oldest interrupt message dropped", what);
                }
                messages.add(m);
                submit();
            } else {
                if (failure == null) {
                    failure = closing ? new UsbException(what + ": handle closed")
                            : LibUsbErrors.transferException(status, what, 0);
                }
                ended.put(0, 1);
            }
            notifyAll();
        }
    }

    /**
     * Cancels the transfer and waits (handling libusb's events on this thread if need be) until its
     * callback has run, then frees it. Readers get "handle closed". Returns false if the transfer did
     * not end in time: then it is not freed (libusb may still write to it) and the handle must stay open.
     */
    boolean close() {
        boolean wasInFlight;
        synchronized (this) {
            closing = true;
            wasInFlight = inFlight;
            if (failure == null) {
                failure = new UsbException(what + ": handle closed");
            }
            notifyAll();
        }
        if (wasInFlight) {
            LibUsb.cancelTransfer(transfer); // NOT_FOUND: it is completing now; the callback still comes
            session.handleEventsUntil(ended, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CANCEL_WAIT_MILLIS));
            synchronized (this) {
                if (inFlight) {
                    LOG.warn("{}: transfer did not end after cancel; not freed", what);
                    return false;
                }
            }
        }
        LibUsb.freeTransfer(transfer);
        return true;
    }
}
