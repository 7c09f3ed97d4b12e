package org.cardstack.reader.ccid;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntFunction;
import org.cardstack.ccid.CcidCodec;
import org.cardstack.ccid.CcidFormatException;
import org.cardstack.ccid.PcToRdr;
import org.cardstack.ccid.RdrToPc;
import org.cardstack.ccid.SlotStatusRegister;
import org.cardstack.reader.ReaderBusyException;
import org.cardstack.reader.ReaderException;
import org.cardstack.reader.ReaderGoneException;
import org.cardstack.reader.ReaderProtocolException;
import org.cardstack.reader.ReaderTimeoutException;
import org.cardstack.usb.UsbBulkOutException;
import org.cardstack.usb.UsbDeviceGoneException;
import org.cardstack.usb.UsbDeviceHandle;
import org.cardstack.usb.UsbException;
import org.cardstack.usb.UsbStallException;
import org.cardstack.usb.UsbTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One command, one response on the bulk pipes (CCID §6): bSeq numbering, matching of the answer
 * to its command, time extensions, the abort procedure on timeout, and recovery from stalls and
 * malformed answers. One command at a time per reader; callers are serialised here.
 */
final class CcidTransport {
    private static final Logger LOG = LoggerFactory.getLogger(CcidTransport.class);
    /** Stale answers (wrong bSeq) dropped before giving up; libccid's ReadUSB uses the same bound. */
    private static final int MAX_STALE_ANSWERS = 10;
    private static final int ABORT_REQUEST = 0x01;
    private static final int DRAIN_MILLIS = 20;
    /**
     * How much of an answer the first bulk-in asks for: every short-APDU answer (10 + 256 + 2 bytes) and
     * every control answer fits. Asking for the whole dwMaxCCIDMessageLength (64 KiB here) would make
     * the kernel allocate, clear and map that much for every command (usbfs, xHCI scatter-gather). A
     * multiple of every bulk wMaxPacketSize (8 to 64, 512, 1024; USB 2.0 §5.8.3, USB 3.2 §9.6.6), so a
     * longer message fills it exactly, ends that transfer, and the rest is read on (§5.8.3: a transfer
     * ends with a short packet or a full buffer).
     */
    static final int FIRST_READ = 1024;

    private final UsbDeviceHandle handle;
    private final CcidInterface itf;
    private final CcidTimeouts timeouts;
    private final ReentrantLock lock = new ReentrantLock(true);
    private final byte[] in;
    private final int first;
    private int seq;
    private volatile boolean gone;

    CcidTransport(UsbDeviceHandle handle, CcidInterface itf, CcidTimeouts timeouts) {
        this.handle = handle;
        this.itf = itf;
        this.timeouts = timeouts;
        // Bounded by the reader's own limit: one bulk-in transfer holds one whole message.
        this.in = new byte[Math.max(RdrToPc.HEADER_LENGTH + 261, Math.min(maxMessageLength(), 65_536 + 1_024))];
        this.first = Math.min(FIRST_READ, in.length);
    }

    int maxMessageLength() {
        return Math.max(RdrToPc.HEADER_LENGTH + 5, itf.descriptor().dwMaxCCIDMessageLength());
    }

    boolean isGone() { return gone; }

    CcidTimeouts timeouts() { return timeouts; }

    org.cardstack.usb.UsbDevice device() { return itf.device(); }

    void markGone() { gone = true; }

    /**
     * Sends the command built for the next bSeq and returns the reader's answer to it. Failed
     * answers (bmCommandStatus 1) are returned as they are: mapping bError is the caller's business.
     */
    RdrToPc exchange(IntFunction<PcToRdr> command) throws ReaderException {
        return exchange(command, 1);
    }

    /**
     * As {@link #exchange(IntFunction)}, waiting {@code waitMultiplier} times the command timeout for
     * the answer (bounded by the overall timeout): a T=1 block after S(WTX) (ISO/IEC 7816-3 §11.4.3).
     */
    RdrToPc exchange(IntFunction<PcToRdr> command, int waitMultiplier) throws ReaderException {
        try {
            if (!lock.tryLock(timeouts.overallMillis(), TimeUnit.MILLISECONDS)) {
                throw new ReaderBusyException("reader busy: no turn within " + timeouts.overallMillis() + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReaderException("interrupted while waiting for the reader", e);
        }
        try {
            checkGone();
            int s = seq;
            seq = (seq + 1) & 0xFF;
            PcToRdr message = command.apply(s);
            long wait = Math.min((long) timeouts.commandMillis() * Math.max(1, waitMultiplier), timeouts.overallMillis());
            return transact(message, (int) wait);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sends the command and reads until its answer: one bulk OUT and bulk IN pair (the IN may be queued
     * while the OUT is still going, see {@link UsbDeviceHandle#bulkOutIn}), then bulk IN again for as
     * long as the reader sends stale answers or time extensions.
     */
    private RdrToPc transact(PcToRdr message, int waitMillis) throws ReaderException {
        byte[] bytes = CcidCodec.encode(message);
        if (bytes.length > maxMessageLength()) {
            throw new ReaderProtocolException("message of " + bytes.length + " bytes exceeds dwMaxCCIDMessageLength "
                    + maxMessageLength());
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeouts.overallMillis());
        int stale = 0;
        boolean sent = false;
        while (true) {
            int n;
            try {
                if (sent) {
                    n = handle.bulkIn(itf.bulkIn(), in, 0, first, waitMillis);
                } else {
                    sent = true;
                    n = handle.bulkOutIn(itf.bulkOut(), bytes, 0, bytes.length, timeouts.commandMillis(),
                            itf.bulkIn(), in, 0, first, waitMillis);
                }
                if (n == first && n < in.length && n >= RdrToPc.HEADER_LENGTH
                        && RdrToPc.HEADER_LENGTH + (CcidCodec.dwLength(in) & 0xFFFFFFFFL) > n) {
                    n += handle.bulkIn(itf.bulkIn(), in, n, in.length - n, waitMillis); // the rest of a long message
                }
            } catch (UsbBulkOutException e) {
                throw sendFailure(message, e);
            } catch (UsbTimeoutException e) {
                abort(message);
                throw new ReaderTimeoutException("no answer to " + name(message) + " within "
                        + waitMillis + " ms; command aborted", e);
            } catch (UsbStallException e) {
                clearHalt(itf.bulkIn());
                throw new ReaderProtocolException("reader stalled the bulk-in pipe after " + name(message), e);
            } catch (UsbException e) {
                throw usbFailure(e);
            }
            if (n == 0) {
                // The zero-length packet after a message of exactly FIRST_READ bytes (a multiple of
                // wMaxPacketSize, USB 2.0 §5.8.3), which that message's read did not wait for.
                if (++stale > MAX_STALE_ANSWERS) {
                    throw new ReaderProtocolException("reader sent " + MAX_STALE_ANSWERS + " empty transfers after "
                            + name(message));
                }
                continue;
            }
            RdrToPc answer;
            try {
                answer = CcidCodec.decodeResponse(in, n, maxMessageLength());
            } catch (CcidFormatException e) {
                drain();
                throw e;
            }
            if (answer.bSeq() != message.bSeq() || answer.bSlot() != message.bSlot()) {
                // A late answer to an earlier, timed-out command (libccid ReadUSB does the same).
                LOG.debug("dropping answer with bSeq {} slot {} while waiting for bSeq {}", answer.bSeq(),
                        answer.bSlot(), message.bSeq());
                if (++stale > MAX_STALE_ANSWERS) {
                    throw new ReaderProtocolException("reader answered " + MAX_STALE_ANSWERS
                            + " times with a wrong bSeq (expected " + message.bSeq() + ")");
                }
                continue;
            }
            if (answer.status().commandStatus() == SlotStatusRegister.CommandStatus.TIME_EXTENSION) {
                // CCID §6.2.6: bmCommandStatus 2 asks for more time (bError = BWT multiplier); keep waiting.
                if (System.nanoTime() > deadline) {
                    abort(message);
                    throw new ReaderTimeoutException(name(message) + " still asking for time after "
                            + timeouts.overallMillis() + " ms; command aborted");
                }
                LOG.trace("time extension requested for bSeq {} (multiplier {})", answer.bSeq(), answer.bError());
                continue;
            }
            return answer;
        }
    }

    /** The command did not get to the reader: nothing was read, so there is nothing to abort. */
    private ReaderException sendFailure(PcToRdr message, UsbBulkOutException e) {
        UsbException cause = e.getCause();
        if (cause == null) {
            return new ReaderProtocolException("bulk-out of " + name(message) + ": " + e.getMessage());
        }
        if (cause instanceof UsbStallException) {
            clearHalt(itf.bulkOut());
            return new ReaderProtocolException("reader stalled the bulk-out pipe on " + name(message), cause);
        }
        if (cause instanceof UsbTimeoutException) {
            return new ReaderTimeoutException("reader did not accept " + name(message) + ": " + cause.getMessage(), cause);
        }
        return usbFailure(cause);
    }

    /**
     * A CCID class request to the interface with data from the reader (CCID §5.3: GET_CLOCK_FREQUENCIES,
     * GET_DATA_RATES), bmRequestType A1, wValue 0, wIndex the interface.
     *
     * @return the bytes the reader returned, at most {@code length}
     */
    byte[] classRequestIn(int request, int length) throws ReaderException {
        byte[] data = new byte[length];
        try {
            int n = handle.controlTransfer(0xA1, request, 0, itf.interfaceNumber(), data, timeouts.commandMillis());
            return java.util.Arrays.copyOf(data, Math.max(0, Math.min(n, length)));
        } catch (UsbStallException e) {
            throw new org.cardstack.reader.NotSupportedException("reader stalls class request 0x"
                    + Integer.toHexString(request) + ": " + e.getMessage());
        } catch (UsbTimeoutException e) {
            throw new ReaderTimeoutException("class request 0x" + Integer.toHexString(request) + " timed out", e);
        } catch (UsbException e) {
            throw usbFailure(e);
        }
    }

    /**
     * The abort procedure, CCID §5.3.1: class request ABORT with bSeq and bSlot, then PC_to_RDR_Abort
     * with the same bSeq, then wait for its SlotStatus. Readers that stall the request (ccid-traces Q10)
     * are still sent PC_to_RDR_Abort; what they answer is drained.
     */
    private void abort(PcToRdr message) {
        if (gone) {
            return;
        }
        try {
            handle.controlTransfer(0x21, ABORT_REQUEST, message.bSeq() << 8 | message.bSlot(), itf.interfaceNumber(),
                    new byte[0], timeouts.abortMillis());
        } catch (UsbDeviceGoneException e) {
            gone = true;
            return;
        } catch (UsbException e) {
            LOG.debug("class request ABORT refused: {}", e.getMessage());
        }
        try {
            byte[] abort = CcidCodec.encode(new PcToRdr.Abort(message.bSlot(), message.bSeq()));
            handle.bulkOut(itf.bulkOut(), abort, 0, abort.length, timeouts.abortMillis());
        } catch (UsbDeviceGoneException e) {
            gone = true;
            return;
        } catch (UsbException e) {
            LOG.debug("PC_to_RDR_Abort not sent: {}", e.getMessage());
        }
        drain();
    }

    /** Reads and discards whatever the reader still has queued, so the next command starts clean. */
    private void drain() {
        for (int i = 0; i < MAX_STALE_ANSWERS && !gone; i++) {
            try {
                handle.bulkIn(itf.bulkIn(), in, 0, in.length, DRAIN_MILLIS);
            } catch (UsbDeviceGoneException e) {
                gone = true;
            } catch (UsbStallException e) {
                clearHalt(itf.bulkIn());
                return;
            } catch (UsbException e) {
                return;
            }
        }
    }

    private void clearHalt(int endpoint) {
        try {
            handle.clearHalt(endpoint);
        } catch (UsbDeviceGoneException e) {
            gone = true;
        } catch (UsbException e) {
            // Some readers refuse CLEAR_FEATURE and work anyway (ccid-traces Q12).
            LOG.debug("clear halt of endpoint 0x{} refused: {}", Integer.toHexString(endpoint), e.getMessage());
        }
    }

    private ReaderException usbFailure(UsbException e) {
        // A handle closed under a waiting command because the device left is the same as "gone".
        if (e instanceof UsbDeviceGoneException || gone) {
            gone = true;
            return new ReaderGoneException("reader unplugged", e);
        }
        return new ReaderException("USB transfer failed: " + e.getMessage(), e);
    }

    private void checkGone() throws ReaderGoneException {
        if (gone) {
            throw new ReaderGoneException("reader unplugged");
        }
    }

    private static String name(PcToRdr m) {
        return "PC_to_RDR_" + m.getClass().getSimpleName() + " (bSeq " + m.bSeq() + ")";
    }
}
