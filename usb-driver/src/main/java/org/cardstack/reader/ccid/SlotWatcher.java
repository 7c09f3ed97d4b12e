package org.cardstack.reader.ccid;

import org.cardstack.ccid.CcidCodec;
import org.cardstack.ccid.CcidFormatException;
import org.cardstack.ccid.InterruptMessage;
import org.cardstack.reader.ReaderException;
import org.cardstack.reader.ReaderGoneException;
import org.cardstack.reader.SlotState;
import org.cardstack.usb.UsbDeviceGoneException;
import org.cardstack.usb.UsbDeviceHandle;
import org.cardstack.usb.UsbException;
import org.cardstack.usb.UsbTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a reader's slots for card insertion and removal: RDR_to_PC_NotifySlotChange on the
 * interrupt endpoint (CCID §6.3.1), one read always outstanding as libccid does, or GetSlotStatus
 * polling for readers without one. Runs on its own daemon thread until stopped or the reader goes.
 */
final class SlotWatcher implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(SlotWatcher.class);
    /**
     * Interrupt reads time out this often, a bound only: stop() interrupts the read (every
     * UsbDeviceHandle here waits interruptibly; the libusb one keeps its transfer outstanding in
     * between, so nothing is lost at a slice's end). A short slice would wake an idle daemon for nothing.
     */
    private static final int READ_SLICE_MILLIS = 2000;

    interface Events {
        void slotChanged(CcidReader reader, int slot, SlotState state);

        void readerFailed(CcidReader reader);
    }

    private final CcidReader reader;
    private final UsbDeviceHandle handle;
    private final int interruptEndpoint;
    private final int pollMillis;
    private final Events events;
    private final Thread thread;
    private volatile boolean running = true;

    SlotWatcher(CcidReader reader, UsbDeviceHandle handle, int interruptEndpoint, int pollMillis, Events events) {
        this.reader = reader;
        this.handle = handle;
        this.interruptEndpoint = interruptEndpoint;
        this.pollMillis = pollMillis;
        this.events = events;
        this.thread = new Thread(this, "cardstack-slots " + reader.info().name());
        this.thread.setDaemon(true);
    }

    void start() { thread.start(); }

    void stop() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2L * Math.max(READ_SLICE_MILLIS, pollMillis) + 500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void run() {
        try {
            if (interruptEndpoint >= 0) {
                listen();
            } else {
                poll();
            }
        } catch (RuntimeException e) {
            LOG.warn("slot watcher of {} stopped: {}", reader, e.toString());
        }
    }

    private void listen() {
        byte[] buf = new byte[64];
        boolean first = true;
        while (running) {
            int n;
            try {
                n = handle.interruptIn(interruptEndpoint, buf, 0, buf.length, READ_SLICE_MILLIS);
            } catch (UsbTimeoutException e) {
                continue;
            } catch (UsbDeviceGoneException e) {
                gone();
                return;
            } catch (UsbException e) {
                if (!running) {
                    return;
                }
                // The reader's interrupt pipe failed (e.g. UHCI ends it with an error on unplug): fall back to
                // status polling, which also tells us when the device is gone.
                LOG.debug("interrupt endpoint of {} failed ({}); polling slot status", reader, e.getMessage());
                poll();
                return;
            }
            InterruptMessage message;
            try {
                message = CcidCodec.decodeInterrupt(buf, n);
            } catch (CcidFormatException e) {
                LOG.warn("{}: ignoring interrupt message: {}", reader, e.getMessage());
                continue;
            }
            if (message instanceof InterruptMessage.NotifySlotChange change) {
                for (int slot = 0; slot < reader.slotCount(); slot++) {
                    // Readers announce a card present since enumeration as "changed" in their first message
                    // (ccid-traces U8); the driver read that state at attach time, so it is no swap.
                    boolean announcement = first && change.present(slot)
                            && reader.knownState(slot) != SlotState.ABSENT;
                    if (change.changed(slot) && !announcement) {
                        events.slotChanged(reader, slot, reader.cardChanged(slot, change.present(slot)));
                    }
                }
                first = false;
            } else if (message instanceof InterruptMessage.HardwareError error) {
                LOG.warn("{}: hardware error 0x{} on slot {}", reader, Integer.toHexString(error.bHardwareErrorCode()),
                        error.bSlot());
            }
        }
    }

    private void poll() {
        while (running) {
            for (int slot = 0; slot < reader.slotCount() && running; slot++) {
                SlotState before = reader.knownState(slot);
                try {
                    SlotState now = reader.slotState(slot);
                    if ((before == SlotState.ABSENT) != (now == SlotState.ABSENT)) {
                        events.slotChanged(reader, slot, reader.cardChanged(slot, now != SlotState.ABSENT));
                    }
                } catch (ReaderGoneException e) {
                    gone();
                    return;
                } catch (ReaderException e) {
                    LOG.debug("{}: slot status poll failed: {}", reader, e.getMessage());
                }
            }
            try {
                Thread.sleep(pollMillis);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void gone() {
        if (running) {
            events.readerFailed(reader);
        }
    }
}
