package org.cardstack.usb.libusb;

import org.cardstack.usb.UsbBulkOutException;
import org.cardstack.usb.UsbException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.usb4java.DeviceHandle;
import org.usb4java.LibUsb;
import org.usb4java.Transfer;
import org.usb4java.TransferCallback;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.util.concurrent.TimeUnit;

/**
 * A bulk OUT transfer and the bulk IN transfer that reads the device's answer, as two asynchronous
 * libusb transfers allocated once and reused. The IN is submitted first, the OUT right after it, and
 * the calling thread handles libusb's events until both have called back. So the IN request is already
 * waiting (NAKed, USB 2.0 §8.5.2) when the device has its answer: the answer is taken at once, not after
 * the host has seen the OUT complete, reaped it and submitted a read (a wake-up and two system calls on
 * the critical path of every command; libccid's WritePort-then-ReadPort pays them). Callers serialise
 * runs (the handle holds both endpoints' locks).
 *
 * <p>The transfers carry no libusb timeout: libusb would arm and disarm its timerfd for each, two more
 * system calls per command. The deadlines are kept here; a transfer past its own is cancelled and
 * reported as timed out, which is what libusb does with an expired one.
 */
final class BulkExchange implements TransferCallback {
    private static final Logger LOG = LoggerFactory.getLogger(BulkExchange.class);
    /** After a cancel, how long to wait for the transfer's callback. */
    private static final long CALLBACK_GRACE_MILLIS = 1000;

    private final LibUsbSession session;
    private final String outWhat;
    private final String inWhat;
    private final Transfer out;
    private final Transfer in;
    private ByteBuffer outBuffer;
    private ByteBuffer inBuffer;
    /** Set to 1 once both callbacks have run (libusb_handle_events_timeout_completed watches it). */
    private final IntBuffer done = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).asIntBuffer();
    private int outLength = -1;
    private int inLength = -1;
    /** Per run, guarded by this (callbacks may run on another thread that holds libusb's event lock). */
    private int pending;
    private int outStatus;
    private int outActual;
    private int inStatus;
    private int inActual;
    /** Cancelled here at its deadline: its CANCELLED callback is recorded as TIMED_OUT. */
    private boolean outExpired;
    private boolean inExpired;
    /** A run whose transfers never called back: libusb may still own them, so they are never reused or freed. */
    private boolean stuck;

    BulkExchange(LibUsbSession session, DeviceHandle handle, int outEndpoint, int inEndpoint, String outWhat,
            String inWhat) {
        this.session = session;
        this.outWhat = outWhat;
        this.inWhat = inWhat;
        this.out = LibUsb.allocTransfer();
        this.in = LibUsb.allocTransfer();
        this.outBuffer = ByteBuffer.allocateDirect(64);
        this.inBuffer = ByteBuffer.allocateDirect(64);
        LibUsb.fillBulkTransfer(out, handle, (byte) outEndpoint, outBuffer, this, null, 0);
        LibUsb.fillBulkTransfer(in, handle, (byte) inEndpoint, inBuffer, this, null, 0);
    }

    /** Sends {@code data}, reads the answer into {@code dst}; returns its length. */
    int run(byte[] data, int offset, int length, int outTimeoutMillis, byte[] dst, int dstOffset, int dstLength,
            int inTimeoutMillis) throws UsbException {
        if (stuck) {
            throw new UsbException(outWhat + ": an earlier exchange never ended; the device must be reopened");
        }
        prepare(data, offset, length, dstLength);
        int submitIn;
        int submitOut = 0;
        // session.foreground(lambda) unrolled: C1, the daemon's JIT, creates a capturing lambda through a
        // method handle and a call into the VM, and this runs once per command.
        session.enterForeground();
        try {
            long start = System.nanoTime();
            submitIn = LibUsb.submitTransfer(in);
            if (submitIn >= 0) {
                submitOut = LibUsb.submitTransfer(out);
                if (submitOut < 0) {
                    synchronized (this) {
                        pending--;
                    }
                    LibUsb.cancelTransfer(in);
                } else if (outTimeoutMillis < inTimeoutMillis) {
                    session.handleEventsUntil(done, start + TimeUnit.MILLISECONDS.toNanos(outTimeoutMillis));
                    expire(true, false); // its callback cancels the IN: no answer to a command not sent
                }
                session.handleEventsUntil(done, start + TimeUnit.MILLISECONDS.toNanos(inTimeoutMillis));
                if (done.get(0) == 0 && expire(true, true)) {
                    session.handleEventsUntil(done, System.nanoTime()
                            + TimeUnit.MILLISECONDS.toNanos(CALLBACK_GRACE_MILLIS));
                }
            } // else nothing is in flight
        } finally {
            session.leaveForeground();
        }
        if (submitIn < 0) {
            throw LibUsbErrors.exception(submitIn, inWhat, inTimeoutMillis);
        }
        synchronized (this) {
            if (pending > 0) {
                stuck = true;
                LOG.warn("{}: transfers did not end after cancel; not reused or freed", outWhat);
                throw new UsbException(outWhat + ": transfers did not end within their timeouts");
            }
            if (submitOut < 0) {
                throw new UsbBulkOutException(LibUsbErrors.exception(submitOut, outWhat, outTimeoutMillis));
            }
            if (outStatus != LibUsbErrors.TRANSFER_COMPLETED) {
                throw new UsbBulkOutException(LibUsbErrors.transferException(outStatus, outWhat, outTimeoutMillis));
            }
            if (outActual != length) {
                throw new UsbBulkOutException(outWhat, outActual, length);
            }
            if (inStatus != LibUsbErrors.TRANSFER_COMPLETED) {
                throw LibUsbErrors.transferException(inStatus, inWhat, inTimeoutMillis);
            }
            int n = Math.max(0, Math.min(inActual, dstLength));
            inBuffer.get(0, dst, dstOffset, n);
            return n;
        }
    }

    /**
     * Cancels the named transfers that are still pending, marking them expired; true if any was. A
     * transfer that completes meanwhile still calls back COMPLETED, and that result stands.
     */
    private boolean expire(boolean outToo, boolean inToo) {
        boolean cancelOut;
        boolean cancelIn;
        synchronized (this) {
            cancelOut = outToo && outStatus == -1;
            cancelIn = inToo && inStatus == -1;
            outExpired |= cancelOut;
            inExpired |= cancelIn;
        }
        if (cancelOut) {
            LibUsb.cancelTransfer(out);
        }
        if (cancelIn) {
            LibUsb.cancelTransfer(in);
        }
        return cancelOut || cancelIn;
    }

    /** Buffers and lengths for this run; each JNI setter only when its value changed. */
    private void prepare(byte[] data, int offset, int length, int dstLength) {
        if (outBuffer.capacity() < length) {
            outBuffer = ByteBuffer.allocateDirect(Integer.highestOneBit(length - 1) << 1);
            out.setBuffer(outBuffer);
            outLength = -1;
        }
        outBuffer.put(0, data, offset, length);
        if (length != outLength) {
            out.setLength(length);
            outLength = length;
        }
        if (inBuffer.capacity() < dstLength) {
            inBuffer = ByteBuffer.allocateDirect(dstLength);
            in.setBuffer(inBuffer);
            inLength = -1;
        }
        if (dstLength != inLength) {
            in.setLength(dstLength);
            inLength = dstLength;
        }
        synchronized (this) {
            pending = 2;
            outStatus = inStatus = -1;
            outActual = inActual = 0;
            outExpired = inExpired = false;
            done.put(0, 0);
        }
    }

    /** Runs on the thread handling libusb's events. A failed or short OUT cancels the IN: no answer is coming. */
    @Override
    public void processTransfer(Transfer t) {
        int status = t.status();
        int actual = t.actualLength();
        boolean cancelIn = false;
        synchronized (this) {
            if (status == LibUsbErrors.TRANSFER_CANCELLED && (t == out ? outExpired : inExpired)) {
                status = LibUsbErrors.TRANSFER_TIMED_OUT; // cancelled by expire(): what libusb reports for a timeout
            }
            if (t == out) {
                outStatus = status;
                outActual = actual;
                cancelIn = (status != LibUsbErrors.TRANSFER_COMPLETED || actual != outLength) && inStatus == -1;
            } else {
                inStatus = status;
                inActual = actual;
            }
            if (--pending == 0) {
                done.put(0, 1);
            }
        }
        if (cancelIn) {
            LibUsb.cancelTransfer(in); // NOT_FOUND if it has just completed: its callback comes anyway
        }
    }

    /** Frees the transfers, unless a run left them with libusb; false then (the handle must stay open). */
    boolean close() {
        synchronized (this) {
            if (stuck) {
                return false;
            }
        }
        LibUsb.freeTransfer(out);
        LibUsb.freeTransfer(in);
        return true;
    }
}
