package org.cardstack.sim.reader;

import java.util.HexFormat;
import org.cardstack.ccid.CcidCodec;
import org.cardstack.ccid.CcidDescriptor;
import org.cardstack.ccid.CcidFormatException;
import org.cardstack.ccid.ExchangeLevel;
import org.cardstack.ccid.PcToRdr;
import org.cardstack.ccid.RdrToPc;
import org.cardstack.ccid.SlotStatusRegister;
import org.cardstack.sim.card.ApduCard;
import org.cardstack.sim.card.CardAtrs;
import org.cardstack.iso7816.atr.Atr;
import org.cardstack.ccid.ProtocolDataStructure;
import org.cardstack.sim.card.SimulatedCard;
import org.cardstack.sim.card.PpsResponder;
import org.cardstack.sim.card.T0Card;
import org.cardstack.sim.card.T1Card;
import org.cardstack.sim.card.T1Faults;
import org.cardstack.usb.UsbDescriptorException;
import org.cardstack.usb.UsbDevice;
import org.cardstack.usb.UsbDeviceGoneException;
import org.cardstack.usb.UsbDeviceHandle;
import org.cardstack.usb.UsbException;
import org.cardstack.usb.UsbStallException;
import org.cardstack.usb.UsbTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A USB CCID reader modelled at the USB level, answering as CCID rev 1.1 says (not as the QEMU reader of
 * the usb-rig does). Plug it into a {@link VirtualUsbSession}; open it there like any USB device.
 *
 * <h2>USB</h2>
 * Device descriptor (USB 2.0, class per interface, default 1209:0001, strings 1 manufacturer, 2 product,
 * 3 serial), one configuration with one interface (class 0x0B, subclass 0, protocol 0, string 4
 * "CCID Interface") carrying the 54-byte CCID class descriptor ({@link CcidDescriptor#toBytes()}) and the
 * endpoints: interrupt IN {@link #EP_INTERRUPT} (optional), bulk IN {@link #EP_BULK_IN}, bulk OUT
 * {@link #EP_BULK_OUT}, all 64-byte packets. Control transfers: GET_DESCRIPTOR (device, configuration,
 * string), SET_CONFIGURATION, GET_STATUS, CLEAR_FEATURE(ENDPOINT_HALT), and the CCID class requests ABORT,
 * GET_CLOCK_FREQUENCIES and GET_DATA_RATES (§5.3; the last two stall when the lists are empty); anything
 * else stalls.
 *
 * <h2>Bulk framing</h2>
 * A command message ends with a bulk-out transfer that is not a multiple of 64 bytes (a short packet),
 * or when the bytes received reach 10 + dwLength, or dwMaxCCIDMessageLength. Answers are queued in
 * command order; {@code bulkIn} returns one answer per call (or the first {@code length} bytes when the
 * buffer is a multiple of 64 and too small, the rest on the next call, as USB does; a buffer that is no
 * multiple of 64 and too small is an overflow: UsbException, answer lost). With nothing queued
 * {@code bulkIn} waits up to its timeout, then throws {@link UsbTimeoutException}.
 *
 * <h2>Answers (CCID §6.1, §6.2)</h2>
 * Errors are answered with the command's own answer type, bmCommandStatus 1 and bError per §6.2.6: a
 * dwLength that does not match the bytes or exceeds dwMaxCCIDMessageLength: 01; bSlot beyond
 * bMaxSlotIndex: 05; a bad byte 7 field (bPowerSelect, bProtocolNum, bClockCommand): 07; a bad
 * wLevelParameter: 08; a bad field in a SetParameters structure: its offset (10 + index); no card:
 * bStatus x2 with ICC_MUTE (FE); an unpowered card: bStatus x1 with ICC_MUTE; a command while another
 * is in progress (more than bMaxCCIDBusySlots busy): CMD_SLOT_BUSY (E0); commands during an abort:
 * CMD_ABORTED (FF); an unknown bMessageType: RDR_to_PC_SlotStatus with bError 00 (command not
 * supported). Messages shorter than the 10-byte header are dropped (no answer can carry a bSeq).
 * <ul>
 * <li>IccPowerOn: bPowerSelect 0 (automatic) or a voltage in bVoltageSupport, else bError 07; returns the
 *     card's ATR (a warm reset when already powered); parameters are reset from the ATR.</li>
 * <li>IccPowerOff, GetSlotStatus: SlotStatus, bClockStatus 0 running (1/2/3 after IccClock stop).</li>
 * <li>XfrBlock at the configured level: TPDU (the slot's card behind a {@link T0Card} or, when SetParameters
 *     or the ATR chose T=1, a {@link T1Card} front end with the switches of {@link #t1Faults()}; a PPS request,
 *     PPSS = FF, is answered by {@link PpsResponder}),
 *     SHORT_APDU (APDU to the card as it is), EXTENDED_APDU (command and response chaining with
 *     wLevelParameter / bChainParameter per §6.1.4 table 6.1-3 when they exceed dwMaxCCIDMessageLength;
 *     at the other levels wLevelParameter must be 0).</li>
 * <li>GetParameters / ResetParameters / SetParameters: T=0 (5 bytes) and T=1 (7 bytes) structures;
 *     defaults from the ATR (TA1 or 0x11, TC1, WI or 0x0A, IFSC or 0x20, TB3 or 0x4D); bProtocolNum
 *     must be 0 or 1 and in dwProtocols (else 07); dwLength must fit (else 01); Fi/Di indexes that are
 *     RFU, bmTCCKST0 other than 00/02, bmTCCKST1 other than 10..13, BWI over 9, bClockStop over 3, IFSC
 *     0 or FF are refused with the field's offset.</li>
 * <li>Escape (RDR_to_PC_Escape): abData {@code 01 ..}: echo of the bytes after 01; {@code 02}: the
 *     ASCII string "cardstack virtual CCID"; anything else (also empty): failed, bError 00.</li>
 * <li>IccClock: 00 restart, 01 stop (needs dwFeatures 0x100, else not supported), other: 07.</li>
 * <li>T0APDU: stores bClassGetResponse / bClassEnvelope per bmChanges; SlotStatus.</li>
 * <li>Secure: DataBlock failed, bError 00 (not supported; bPINSupport is 0). Mechanical: SlotStatus
 *     failed, bError 00 (dwMechanical is 0).</li>
 * <li>SetDataRateAndClockFrequency: answers the values applied: the listed clock / rate nearest at or
 *     below the one asked (the lowest if none is), or within default..maximum when the lists are empty.</li>
 * <li>Abort: the class request ABORT (wValue = bSeq &lt;&lt; 8 | bSlot) ends the slot's command in
 *     progress (answered failed, CMD_ABORTED); PC_to_RDR_Abort with the same bSeq, before or after the
 *     request, is answered with SlotStatus OK once both have arrived (§5.3.1). In between, other commands
 *     to the slot get CMD_ABORTED.</li>
 * </ul>
 *
 * <h2>Interrupt endpoint</h2>
 * RDR_to_PC_NotifySlotChange (§6.3.1) with present and changed bits for every slot; changes fold into one
 * message until it is read. After plugging, slots holding a card report present + changed.
 *
 * <h2>Runtime changes</h2>
 * {@link #insertCard}, {@link #removeCard}, {@link #unplug()} (every call on its handles then throws
 * {@link UsbDeviceGoneException}, blocked calls wake up with it), {@link #faults()} for fault injection.
 */
public final class VirtualCcidReader {
    private static final HexFormat HEX = HexFormat.of().withUpperCase();
    private static final Logger LOG = LoggerFactory.getLogger(VirtualCcidReader.class);

    public static final int EP_INTERRUPT = 0x81;
    public static final int EP_BULK_IN = 0x82;
    public static final int EP_BULK_OUT = 0x03;
    public static final int PACKET_SIZE = 64;

    /** CCID class requests (§5.3). */
    public static final int REQUEST_ABORT = 0x01;
    public static final int REQUEST_GET_CLOCK_FREQUENCIES = 0x02;
    public static final int REQUEST_GET_DATA_RATES = 0x03;

    /** bmCommandStatus values in bStatus. */
    private static final int FAILED = 0x40;
    private static final int TIME_EXTENSION = 0x80;

    private static final int MAX_CHAINED_COMMAND = 1 << 20;
    private static final String ESCAPE_VERSION = "cardstack virtual CCID";

    private final Builder config;
    private final CcidDescriptor ccid;
    private final byte[] deviceDescriptor;
    private final byte[] configurationDescriptor;
    private final String[] strings;
    private final Slot[] slots;
    private final Faults faults = new Faults();
    private final T1Faults t1Faults = new T1Faults();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();      // bulk IN: an answer, a halt, unplug
    private final Condition slotChange = lock.newCondition();   // interrupt IN: a card came or went, unplug
    // ---- guarded by lock ----
    private int generation;
    private boolean attached;
    private UsbDevice usbDevice;
    private VirtualUsbSession session;
    private final ArrayDeque<byte[]> bulkInQueue = new ArrayDeque<>();
    private byte[] partialIn;
    private int partialInOffset;
    private final ByteArrayOutputStream outAssembly = new ByteArrayOutputStream();
    private boolean haltIn;
    private boolean haltOut;
    private LinkedBlockingQueue<Pending> inbox;
    private Thread worker;
    private long commandsReceived;

    private static final Pending STOP = new Pending(null, -1, -1, -1, null, null);

    private VirtualCcidReader(Builder b) {
        this.config = b;
        int levelBits = switch (b.level) {
            case TPDU -> 0x00010000;
            case SHORT_APDU -> 0x00020000;
            case EXTENDED_APDU -> 0x00040000;
            case CHARACTER -> throw new IllegalArgumentException("character level is not simulated");
        };
        int protocols = b.protocols != null ? b.protocols : b.level == ExchangeLevel.TPDU ? 0x01 : 0x03;
        if ((protocols & 0x03) == 0) {
            throw new IllegalArgumentException(String.format("dwProtocols 0x%X: needs T=0 and/or T=1", protocols));
        }
        int features = b.features != null ? (b.features & ~0x00070000) | levelBits
                : levelBits | 0x02 | 0x08 | 0x10 | 0x20 | 0x40 | 0x80 | 0x100 | ((protocols & 2) != 0 ? 0x400 : 0);
        int maxClock = b.clocks.length == 0 ? b.defaultClock : Math.max(b.defaultClock, Arrays.stream(b.clocks).max().getAsInt());
        int maxRate = b.dataRates.length == 0 ? b.dataRate : Math.max(b.dataRate, Arrays.stream(b.dataRates).max().getAsInt());
        this.ccid = new CcidDescriptor(0x0110, b.slotCount - 1, b.voltages, protocols, b.defaultClock, maxClock,
                b.clocks.length, b.dataRate, maxRate, b.dataRates.length, 254, 0, 0, features, b.maxMessage,
                0xFF, 0xFF, 0, 0, b.busySlots);
        this.strings = new String[] {null, b.manufacturer, b.product, b.serial, "CCID Interface"};
        this.deviceDescriptor = new byte[] {18, 1, 0x00, 0x02, 0, 0, 0, 64, (byte) b.vendorId, (byte) (b.vendorId >> 8),
                (byte) b.productId, (byte) (b.productId >> 8), (byte) b.bcdDevice, (byte) (b.bcdDevice >> 8), 1, 2, 3, 1};
        this.configurationDescriptor = buildConfiguration(b.interrupt, ccid.toBytes(), b.slotCount);
        this.slots = new Slot[b.slotCount];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = new Slot(i);
            if (b.cards[i] != null) {
                slots[i].insert(b.cards[i]);
            }
        }
    }

    private static byte[] buildConfiguration(boolean interrupt, byte[] classDescriptor, int slotCount) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        int endpoints = interrupt ? 3 : 2;
        int total = 9 + 9 + classDescriptor.length + 7 * endpoints;
        o.writeBytes(new byte[] {9, 2, (byte) total, (byte) (total >> 8), 1, 1, 0, (byte) 0x80, 50});
        o.writeBytes(new byte[] {9, 4, 0, 0, (byte) endpoints, 0x0B, 0, 0, 4});
        o.writeBytes(classDescriptor);
        if (interrupt) {
            int size = Math.max(8, 1 + (slotCount + 3) / 4);
            o.writeBytes(new byte[] {7, 5, (byte) EP_INTERRUPT, 3, (byte) size, 0, 16});
        }
        o.writeBytes(new byte[] {7, 5, (byte) EP_BULK_IN, 2, PACKET_SIZE, 0, 0});
        o.writeBytes(new byte[] {7, 5, (byte) EP_BULK_OUT, 2, PACKET_SIZE, 0, 0});
        return o.toByteArray();
    }

    public static Builder builder() {
        return new Builder();
    }

    // ============================================================================================
    // public API
    // ============================================================================================

    public CcidDescriptor ccidDescriptor() { return ccid; }

    public byte[] deviceDescriptor() { return deviceDescriptor.clone(); }

    public byte[] configurationDescriptor() { return configurationDescriptor.clone(); }

    public ExchangeLevel level() { return config.level; }

    public int slotCount() { return slots.length; }

    public Faults faults() { return faults; }

    /** Fault switches of the T=1 card side at TPDU level (ISO/IEC 7816-3 §11.6), shared by the slots. */
    public T1Faults t1Faults() { return t1Faults; }

    /** The USB device while plugged, else null. */
    public UsbDevice usbDevice() {
        lock.lock();
        try {
            return attached ? usbDevice : null;
        } finally {
            lock.unlock();
        }
    }

    public boolean isPlugged() {
        lock.lock();
        try {
            return attached;
        } finally {
            lock.unlock();
        }
    }

    /** The card in a slot, or null. */
    public ApduCard card(int slot) {
        lock.lock();
        try {
            return slots[slot].card;
        } finally {
            lock.unlock();
        }
    }

    /** Command messages received since the reader was built (tests use it to wait for one). */
    public long commandsReceived() {
        lock.lock();
        try {
            return commandsReceived;
        } finally {
            lock.unlock();
        }
    }

    /** True while a slot change waits to be read from the interrupt endpoint (tests wait for it to go). */
    public boolean slotChangePending() {
        lock.lock();
        try {
            return config.interrupt && anyChanged();
        } finally {
            lock.unlock();
        }
    }

    /** Inserts a card (unpowered) into an empty slot; the interrupt endpoint reports it. */
    public void insertCard(int slot, ApduCard card) {
        card.powerOff();
        lock.lock();
        try {
            if (slots[slot].card != null) {
                throw new IllegalStateException("slot " + slot + " holds a card");
            }
            slots[slot].insert(card);
            slots[slot].changed = true;
            slotChange.signalAll();
        } finally {
            lock.unlock();
        }
        LOG.debug("card inserted in slot {}", slot);
    }

    /** Removes the card from a slot (no-op when empty); the interrupt endpoint reports it. */
    public ApduCard removeCard(int slot) {
        ApduCard card;
        lock.lock();
        try {
            card = removeLocked(slot);
        } finally {
            lock.unlock();
        }
        if (card != null) {
            card.powerOff();
            LOG.debug("card removed from slot {}", slot);
        }
        return card;
    }

    private ApduCard removeLocked(int slot) {
        Slot s = slots[slot];
        ApduCard card = s.card;
        if (card != null) {
            s.remove();
            s.changed = true;
            slotChange.signalAll();
        }
        return card;
    }

    /** Unplugs the reader (from its session, with a deviceLeft event). No-op when not plugged. */
    public void unplug() {
        VirtualUsbSession s;
        lock.lock();
        try {
            s = session;
        } finally {
            lock.unlock();
        }
        if (s != null) {
            s.unplug(this);
        } else {
            detach();
        }
    }

    // ============================================================================================
    // attach / detach (called by VirtualUsbSession)
    // ============================================================================================

    UsbDevice attach(VirtualUsbSession s, int bus, int address, String port) {
        for (Slot slot : slots) {
            ApduCard c = card(slot.index);
            if (c != null) c.powerOff();
        }
        lock.lock();
        try {
            if (attached) {
                throw new IllegalStateException("reader already plugged");
            }
            try {
                usbDevice = new UsbDevice(bus, address, port, deviceDescriptor, configurationDescriptor);
            } catch (UsbDescriptorException e) {
                throw new IllegalStateException(e);
            }
            session = s;
            generation++;
            attached = true;
            bulkInQueue.clear();
            partialIn = null;
            outAssembly.reset();
            haltIn = false;
            haltOut = false;
            for (Slot slot : slots) {
                slot.resetState();
                slot.changed = slot.card != null;
            }
            inbox = new LinkedBlockingQueue<>();
            LinkedBlockingQueue<Pending> myInbox = inbox;
            worker = new Thread(() -> work(myInbox), "virtual-ccid-" + port);
            worker.setDaemon(true);
            worker.start();
            return usbDevice;
        } finally {
            lock.unlock();
        }
    }

    /** Takes the reader off the bus; returns the device it was, or null. */
    UsbDevice detach() {
        lock.lock();
        try {
            if (!attached) {
                return null;
            }
            attached = false;
            session = null;
            generation++;
            bulkInQueue.clear();
            partialIn = null;
            for (Slot slot : slots) {
                if (slot.busy != null) {
                    slot.busy.answered = true;
                    slot.busy.wake.countDown();
                    slot.busy = null;
                }
            }
            inbox.add(STOP);
            changed.signalAll();
            slotChange.signalAll();
            LOG.debug("reader {} unplugged", usbDevice);
            return usbDevice;
        } finally {
            lock.unlock();
        }
    }

    UsbDeviceHandle open() throws UsbException {
        lock.lock();
        try {
            if (!attached) {
                throw new UsbDeviceGoneException("virtual reader not plugged");
            }
            return new Handle(generation, usbDevice);
        } finally {
            lock.unlock();
        }
    }

    // ============================================================================================
    // USB transfers
    // ============================================================================================

    private final class Handle implements UsbDeviceHandle {
        private final int gen;
        private final UsbDevice device;
        private volatile boolean closed;

        Handle(int gen, UsbDevice device) {
            this.gen = gen;
            this.device = device;
        }

        @Override
        public UsbDevice device() { return device; }

        /** Called with the lock held. */
        void check() throws UsbException {
            if (closed) {
                throw new UsbException("handle closed");
            }
            if (!attached || gen != generation) {
                throw new UsbDeviceGoneException("virtual reader unplugged");
            }
        }

        private void checkNow() throws UsbException {
            lock.lock();
            try {
                check();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void claimInterface(int interfaceNumber) throws UsbException {
            checkNow();
            if (interfaceNumber != 0) {
                throw new UsbException("no interface " + interfaceNumber);
            }
        }

        @Override
        public void releaseInterface(int interfaceNumber) throws UsbException {
            claimInterface(interfaceNumber);
        }

        @Override
        public int bulkOut(int endpoint, byte[] data, int offset, int length, int timeoutMillis) throws UsbException {
            checkTimeout(timeoutMillis);
            return receiveBulkOut(this, endpoint, Arrays.copyOfRange(data, offset, offset + length));
        }

        @Override
        public int bulkIn(int endpoint, byte[] buffer, int offset, int length, int timeoutMillis) throws UsbException {
            checkTimeout(timeoutMillis);
            return sendBulkIn(this, endpoint, buffer, offset, length, timeoutMillis);
        }

        @Override
        public int interruptIn(int endpoint, byte[] buffer, int offset, int length, int timeoutMillis) throws UsbException {
            checkTimeout(timeoutMillis);
            return sendInterrupt(this, endpoint, buffer, offset, length, timeoutMillis);
        }

        @Override
        public int controlTransfer(int requestType, int request, int value, int index, byte[] data, int timeoutMillis)
                throws UsbException {
            checkTimeout(timeoutMillis);
            return control(this, requestType & 0xFF, request & 0xFF, value & 0xFFFF, index & 0xFFFF,
                    data == null ? new byte[0] : data);
        }

        @Override
        public void clearHalt(int endpoint) throws UsbException {
            lock.lock();
            try {
                check();
                clearHaltLocked(endpoint);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public String stringDescriptor(int index) throws UsbException {
            checkNow();
            return index > 0 && index < strings.length ? strings[index] : null;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static void checkTimeout(int timeoutMillis) {
        if (timeoutMillis <= 0) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeoutMillis);
        }
    }

    private void clearHaltLocked(int endpoint) throws UsbException {
        switch (endpoint) {
            case EP_BULK_IN -> haltIn = false;
            case EP_BULK_OUT -> {
                haltOut = false;
                outAssembly.reset();
            }
            case EP_INTERRUPT -> {
                if (!config.interrupt) throw new UsbException("no endpoint 0x81");
            }
            default -> throw new UsbException(String.format("no endpoint 0x%02X", endpoint));
        }
    }

    private int receiveBulkOut(Handle h, int endpoint, byte[] data) throws UsbException {
        byte[] message;
        Fault fault;
        lock.lock();
        try {
            h.check();
            if (endpoint != EP_BULK_OUT) {
                throw new UsbException(String.format("no bulk OUT endpoint 0x%02X", endpoint));
            }
            if (haltOut) {
                throw new UsbStallException("bulk OUT endpoint halted");
            }
            outAssembly.writeBytes(data);
            int size = outAssembly.size();
            boolean shortPacket = data.length % PACKET_SIZE != 0 || data.length == 0;
            long expected = size >= 10 ? 10 + (le32(outAssembly.toByteArray(), 1) & 0xFFFFFFFFL) : Long.MAX_VALUE;
            if (!shortPacket && size < expected && size < config.maxMessage) {
                return data.length;   // a full packet: the message goes on in the next transfer
            }
            message = outAssembly.toByteArray();
            outAssembly.reset();
            commandsReceived++;

            fault = faults.take(message.length > 0 ? message[0] & 0xFF : -1);
            if (fault instanceof Fault.Stall st && st.endpoint() == EP_BULK_OUT) {
                haltOut = true;
                LOG.debug("fault: bulk OUT stall, message dropped");
                throw new UsbStallException("bulk OUT endpoint halted (injected)");
            }
            if (LOG.isDebugEnabled()) {
                LOG.debug(">> {}", HEX.formatHex(message));
            }
            receiveMessage(message, fault);
        } finally {
            lock.unlock();
        }
        return data.length;
    }

    private int sendBulkIn(Handle h, int endpoint, byte[] buffer, int offset, int length, int timeoutMillis)
            throws UsbException {
        lock.lock();
        try {
            h.check();
            if (endpoint != EP_BULK_IN) {
                throw new UsbException(String.format("no bulk IN endpoint 0x%02X", endpoint));
            }
            long nanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            while (partialIn == null && bulkInQueue.isEmpty()) {
                if (haltIn) {
                    throw new UsbStallException("bulk IN endpoint halted");
                }
                if (nanos <= 0) {
                    throw new UsbTimeoutException("bulk IN", timeoutMillis);
                }
                try {
                    nanos = changed.awaitNanos(nanos);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new UsbException("interrupted");
                }
                h.check();
            }
            if (haltIn) {
                throw new UsbStallException("bulk IN endpoint halted");
            }
            if (partialIn == null) {
                partialIn = bulkInQueue.poll();
                partialInOffset = 0;
            }
            int remaining = partialIn.length - partialInOffset;
            if (remaining <= length) {
                System.arraycopy(partialIn, partialInOffset, buffer, offset, remaining);
                partialIn = null;
                return remaining;
            }
            if (length % PACKET_SIZE == 0 && length > 0) {
                System.arraycopy(partialIn, partialInOffset, buffer, offset, length);
                partialInOffset += length;
                return length;
            }
            partialIn = null;
            throw new UsbException("bulk IN overflow: " + remaining + " bytes for a buffer of " + length);
        } finally {
            lock.unlock();
        }
    }

    private int sendInterrupt(Handle h, int endpoint, byte[] buffer, int offset, int length, int timeoutMillis)
            throws UsbException {
        lock.lock();
        try {
            h.check();
            if (endpoint != EP_INTERRUPT || !config.interrupt) {
                throw new UsbException(String.format("no interrupt IN endpoint 0x%02X", endpoint));
            }
            long nanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            while (!anyChanged()) {
                if (nanos <= 0) {
                    throw new UsbTimeoutException("interrupt IN", timeoutMillis);
                }
                try {
                    nanos = slotChange.awaitNanos(nanos);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new UsbException("interrupted");
                }
                h.check();
            }
            byte[] msg = new byte[1 + (slots.length + 3) / 4];
            msg[0] = 0x50;
            for (Slot s : slots) {
                int bits = (s.card != null ? 1 : 0) | (s.changed ? 2 : 0);
                msg[1 + s.index / 4] |= (byte) (bits << ((s.index % 4) * 2));
            }
            if (msg.length > length) {
                throw new UsbException("interrupt IN overflow: " + msg.length + " bytes for a buffer of " + length);
            }
            for (Slot s : slots) {
                s.changed = false;
            }
            System.arraycopy(msg, 0, buffer, offset, msg.length);
            if (LOG.isDebugEnabled()) {
                LOG.debug("!! {}", HEX.formatHex(msg));
            }
            return msg.length;
        } finally {
            lock.unlock();
        }
    }

    private boolean anyChanged() {
        for (Slot s : slots) {
            if (s.changed) return true;
        }
        return false;
    }

    private int control(Handle h, int requestType, int request, int value, int index, byte[] data) throws UsbException {
        lock.lock();
        try {
            h.check();
            if (requestType == 0x80 && request == 0x06) {
                int type = value >> 8;
                int idx = value & 0xFF;
                byte[] d = switch (type) {
                    case 1 -> idx == 0 ? deviceDescriptor : null;
                    case 2 -> idx == 0 ? configurationDescriptor : null;
                    case 3 -> stringDescriptorBytes(idx);
                    default -> null;
                };
                if (d == null) {
                    throw new UsbStallException(String.format("GET_DESCRIPTOR %04X not supported", value));
                }
                int n = Math.min(d.length, data.length);
                System.arraycopy(d, 0, data, 0, n);
                return n;
            }
            if (requestType == 0x00 && request == 0x09) {
                if (value != 1 && value != 0) throw new UsbStallException("no configuration " + value);
                return 0;
            }
            if ((requestType & 0x80) != 0 && request == 0x00) {   // GET_STATUS
                int n = Math.min(2, data.length);
                Arrays.fill(data, 0, n, (byte) 0);
                if (requestType == 0x82 && ((index == EP_BULK_IN && haltIn) || (index == EP_BULK_OUT && haltOut)) && n > 0) {
                    data[0] = 1;
                }
                return n;
            }
            if (requestType == 0x02 && request == 0x01 && value == 0) {   // CLEAR_FEATURE(ENDPOINT_HALT)
                clearHaltLocked(index);
                return 0;
            }
            if (requestType == 0x21 && request == REQUEST_ABORT && index == 0) {
                controlAbort(value & 0xFF, value >> 8);
                return 0;
            }
            if (requestType == 0xA1 && index == 0
                    && (request == REQUEST_GET_CLOCK_FREQUENCIES || request == REQUEST_GET_DATA_RATES)) {
                int[] list = request == REQUEST_GET_CLOCK_FREQUENCIES ? config.clocks : config.dataRates;
                if (list.length == 0) {
                    throw new UsbStallException("no list: the descriptor says 0 entries");
                }
                byte[] d = new byte[4 * list.length];
                for (int i = 0; i < list.length; i++) {
                    putLe32(d, 4 * i, list[i]);
                }
                int n = Math.min(d.length, data.length);
                System.arraycopy(d, 0, data, 0, n);
                return n;
            }
            throw new UsbStallException(String.format("control request %02X %02X not supported", requestType, request));
        } finally {
            lock.unlock();
        }
    }

    private byte[] stringDescriptorBytes(int idx) {
        if (idx == 0) {
            return new byte[] {4, 3, 0x09, 0x04};
        }
        if (idx >= strings.length || strings[idx] == null) {
            return null;
        }
        byte[] s = strings[idx].getBytes(StandardCharsets.UTF_16LE);
        byte[] d = new byte[2 + s.length];
        d[0] = (byte) d.length;
        d[1] = 3;
        System.arraycopy(s, 0, d, 2, s.length);
        return d;
    }

    // ============================================================================================
    // command intake (lock held)
    // ============================================================================================

    private void receiveMessage(byte[] m, Fault fault) {
        if (m.length < 10) {
            LOG.debug("message of {} bytes dropped: shorter than the header", m.length);
            return;
        }
        int type = m[0] & 0xFF;
        int slot = m[5] & 0xFF;
        int seq = m[6] & 0xFF;
        int answerType = answerType(type);
        long dwLength = le32(m, 1) & 0xFFFFFFFFL;
        if (dwLength + 10 > config.maxMessage || dwLength != m.length - 10) {
            postFailure(answerType, slot, seq, 1, fault);
            return;
        }
        if (answerType < 0) {
            postFailure(0x81, slot, seq, SlotStatusRegister.CMD_NOT_SUPPORTED, fault);
            return;
        }
        if (slot >= slots.length) {
            postFailure(answerType, slot, seq, 5, fault);
            return;
        }
        Slot s = slots[slot];
        if (type == 0x72) {
            bulkAbort(s, seq);
            return;
        }
        if (s.abortSeq >= 0) {
            postFailure(answerType, slot, seq, SlotStatusRegister.CMD_ABORTED, fault);
            return;
        }
        int busy = 0;
        for (Slot x : slots) {
            if (x.busy != null) busy++;
        }
        if (s.busy != null || busy >= ccid.bMaxCCIDBusySlots()) {
            postFailure(answerType, slot, seq, SlotStatusRegister.CMD_SLOT_BUSY, fault);
            return;
        }
        PcToRdr cmd;
        try {
            cmd = CcidCodec.decodeCommand(m, m.length, config.maxMessage);
        } catch (CcidFormatException e) {
            postFailure(answerType, slot, seq, e.offset(), fault);
            return;
        }
        Pending p = new Pending(cmd, slot, seq, answerType, fault, s);
        s.busy = p;
        if (fault == null && busy == 0 && inbox.isEmpty()) {
            // Nothing to time and nothing queued ahead: answer on the caller's thread, as an idle reader
            // answers at once. The worker serves the faults that need timing (delays, extensions, aborts).
            execute(p);
        } else {
            inbox.add(p);
        }
    }

    private static int answerType(int commandType) {
        return switch (commandType) {
            case 0x62, 0x6F, 0x69 -> 0x80;
            case 0x63, 0x65, 0x6E, 0x6A, 0x71, 0x72 -> 0x81;
            case 0x61, 0x6C, 0x6D -> 0x82;
            case 0x6B -> 0x83;
            case 0x73 -> 0x84;
            default -> -1;
        };
    }

    /** A failed answer with no data, posted at once (through the answer faults). Lock held. */
    private void postFailure(int answerType, int slot, int seq, int bError, Fault fault) {
        int icc = slot < slots.length ? slots[slot].iccStatus() : 2;   // no such slot: no ICC
        byte[] msg = header(answerType, 0, slot, seq, FAILED | icc, bError, 0);
        if (answerType == 0x84) {
            msg = Arrays.copyOf(msg, 18);
            putLe32(msg, 1, 8);
        }
        postLocked(applyAnswerFault(msg, fault), fault);
    }

    private void bulkAbort(Slot s, int seq) {
        if (s.abortSeq == seq && s.abortRequested) {
            s.abortSeq = -1;
            s.abortRequested = false;
            postLocked(CcidCodec.encode(new RdrToPc.SlotStatus(s.index, seq, s.iccStatus(), 0, 0)), null);
        } else {
            s.abortSeq = seq;
            s.abortRequested = false;
            s.abortMessage = true;
        }
    }

    private void controlAbort(int slot, int seq) throws UsbException {
        if (slot >= slots.length) {
            throw new UsbStallException("ABORT for slot " + slot);
        }
        Slot s = slots[slot];
        Pending p = s.busy;
        if (p != null && !p.answered) {
            p.answered = true;
            p.wake.countDown();
            s.busy = null;
            s.resetChains();
            byte[] msg = header(p.answerType, 0, slot, p.seq, FAILED | s.iccStatus(), SlotStatusRegister.CMD_ABORTED, 0);
            postLocked(msg, null);
        }
        if (s.abortMessage && s.abortSeq == seq) {
            s.abortSeq = -1;
            s.abortMessage = false;
            postLocked(CcidCodec.encode(new RdrToPc.SlotStatus(slot, seq, s.iccStatus(), 0, 0)), null);
        } else {
            s.abortSeq = seq;
            s.abortRequested = true;
            s.abortMessage = false;
        }
    }

    private void postLocked(byte[] msg, Fault fault) {
        if (!attached) {
            return;
        }
        if (fault instanceof Fault.Stall st && st.endpoint() == EP_BULK_IN) {
            haltIn = true;
            LOG.debug("fault: bulk IN stall, answer dropped");
        } else {
            if (LOG.isDebugEnabled()) {
                LOG.debug("<< {}", HEX.formatHex(msg));
            }
            bulkInQueue.add(msg);
        }
        changed.signalAll();
    }

    private static byte[] applyAnswerFault(byte[] msg, Fault fault) {
        if (fault == null) {
            return msg;
        }
        byte[] m = msg.clone();
        if (fault instanceof Fault.WrongSeq) {
            m[6] = (byte) (m[6] + 1);
        } else if (fault instanceof Fault.Truncate t) {
            m = Arrays.copyOf(m, Math.max(0, Math.min(t.length(), m.length)));
        } else if (fault instanceof Fault.Oversized o) {
            putLe32(m, 1, o.dwLength());
        } else if (fault instanceof Fault.Garbage g) {
            m = g.bytes();
        } else if (fault instanceof Fault.LyingLength l) {
            putLe32(m, 1, m.length - 10 + l.delta());
        }
        return m;
    }

    // ============================================================================================
    // the worker: one command at a time, in order
    // ============================================================================================

    private void work(LinkedBlockingQueue<Pending> queue) {
        while (true) {
            Pending p;
            try {
                p = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (p == STOP) {
                return;
            }
            try {
                execute(p);
            } catch (RuntimeException e) {
                LOG.warn("virtual reader failed on {}: {}", p.cmd, e.toString(), e);
                finish(p, header(p.answerType, 0, p.slot, p.seq, FAILED | p.s.iccStatusLocked(), SlotStatusRegister.HW_ERROR, 0));
            }
        }
    }

    private void execute(Pending p) {
        if (p.answered) {
            return;
        }
        Fault f = p.fault;
        if (f instanceof Fault.Delay d && p.sleep(d.millis())) {
            return;
        }
        if (f instanceof Fault.TimeExtension te) {
            for (int i = 0; i < te.count(); i++) {
                if (p.sleep(te.delayMillis())) {
                    return;
                }
                lock.lock();
                try {
                    if (p.answered) return;
                    postLocked(header(p.answerType, 0, p.slot, p.seq, TIME_EXTENSION | p.s.iccStatus(), te.multiplier(), 0), null);
                } finally {
                    lock.unlock();
                }
            }
        }
        if (f instanceof Fault.NoAnswer) {
            LOG.debug("fault: no answer to {}", p.cmd);
            return;
        }
        if (f instanceof Fault.CardRemoved) {
            ApduCard removed;
            lock.lock();
            try {
                if (p.answered) return;
                p.answered = true;
                if (p.s.busy == p) p.s.busy = null;
                removed = removeLocked(p.slot);
            } finally {
                lock.unlock();
            }
            if (removed != null) removed.powerOff();
            LOG.debug("fault: card removed during {}", p.cmd);
            return;
        }
        if (f instanceof Fault.Unplug) {
            LOG.debug("fault: reader unplugged during {}", p.cmd);
            unplug();
            return;
        }
        RdrToPc answer = handle(p);
        finish(p, applyAnswerFault(CcidCodec.encode(answer), f));
    }

    private void finish(Pending p, byte[] msg) {
        lock.lock();
        try {
            if (p.answered) {
                return;
            }
            p.answered = true;
            if (p.s.busy == p) {
                p.s.busy = null;
            }
            postLocked(msg, p.fault);
        } finally {
            lock.unlock();
        }
    }

    private RdrToPc handle(Pending p) {
        PcToRdr c = p.cmd;
        Slot s = p.s;
        if (c instanceof PcToRdr.IccPowerOn on) return powerOn(s, on);
        if (c instanceof PcToRdr.IccPowerOff off) return powerOff(s, off);
        if (c instanceof PcToRdr.GetSlotStatus g) return slotStatus(s, g.bSeq(), 0);
        if (c instanceof PcToRdr.XfrBlock x) return xfrBlock(s, x);
        if (c instanceof PcToRdr.GetParameters g) return parameters(s, g.bSeq(), false);
        if (c instanceof PcToRdr.ResetParameters r) return parameters(s, r.bSeq(), true);
        if (c instanceof PcToRdr.SetParameters sp) return setParameters(s, sp);
        if (c instanceof PcToRdr.Escape e) return escape(s, e);
        if (c instanceof PcToRdr.IccClock ck) return iccClock(s, ck);
        if (c instanceof PcToRdr.T0APDU t) return t0apdu(s, t);
        if (c instanceof PcToRdr.Secure sec) {
            return new RdrToPc.DataBlock(s.index, sec.bSeq(), FAILED | s.iccStatusLocked(),
                    SlotStatusRegister.CMD_NOT_SUPPORTED, 0, new byte[0]);
        }
        if (c instanceof PcToRdr.SetDataRateAndClockFrequency d) return dataRate(s, d);
        // Mechanical (dwMechanical is 0), and anything new in the codec: not supported
        return new RdrToPc.SlotStatus(s.index, c.bSeq(), FAILED | s.iccStatusLocked(),
                SlotStatusRegister.CMD_NOT_SUPPORTED, 0);
    }

    private RdrToPc.SlotStatus slotStatus(Slot s, int seq, int bError) {
        lock.lock();
        try {
            return new RdrToPc.SlotStatus(s.index, seq, s.iccStatus() | (bError != 0 ? FAILED : 0), bError, s.clockStatus());
        } finally {
            lock.unlock();
        }
    }

    private RdrToPc powerOn(Slot s, PcToRdr.IccPowerOn on) {
        int seq = on.bSeq();
        int ps = on.bPowerSelect();
        int bit = switch (ps) {
            case 0 -> 0;
            case 1 -> CcidDescriptor.VOLTAGE_5V;
            case 2 -> CcidDescriptor.VOLTAGE_3V;
            case 3 -> CcidDescriptor.VOLTAGE_1_8V;
            default -> -1;
        };
        ApduCard card;
        lock.lock();
        try {
            if (bit < 0 || (bit != 0 && (ccid.bVoltageSupport() & bit) == 0)) {
                return new RdrToPc.DataBlock(s.index, seq, FAILED | s.iccStatus(), 7, 0, new byte[0]);
            }
            card = s.card;
            if (card == null) {
                return new RdrToPc.DataBlock(s.index, seq, FAILED | 2, SlotStatusRegister.ICC_MUTE, 0, new byte[0]);
            }
        } finally {
            lock.unlock();
        }
        byte[] atr = card.powerOn();
        lock.lock();
        try {
            if (s.card != card) {
                return new RdrToPc.DataBlock(s.index, seq, FAILED | s.iccStatus(), SlotStatusRegister.ICC_MUTE, 0, new byte[0]);
            }
            s.powered = true;
            s.voltage = bit != 0 ? bit : autoVoltage();
            s.clockStopped = false;
            s.atr = atr;
            s.t0.reset();
            s.t1.reset(atr);
            s.resetChains();
            s.params = defaultParameters(atr);
        } finally {
            lock.unlock();
        }
        applyProtocol(card, s);
        return new RdrToPc.DataBlock(s.index, seq, 0, 0, 0, atr);
    }

    private int autoVoltage() {
        int v = ccid.bVoltageSupport();
        return (v & CcidDescriptor.VOLTAGE_5V) != 0 ? CcidDescriptor.VOLTAGE_5V
                : (v & CcidDescriptor.VOLTAGE_3V) != 0 ? CcidDescriptor.VOLTAGE_3V : CcidDescriptor.VOLTAGE_1_8V;
    }

    private void applyProtocol(ApduCard card, Slot s) {
        int proto;
        lock.lock();
        try {
            proto = s.params[0];
        } finally {
            lock.unlock();
        }
        if (card instanceof SimulatedCard sc) {
            sc.setProtocol(proto == 1 ? "T=1" : "T=0");
        }
    }

    private RdrToPc powerOff(Slot s, PcToRdr.IccPowerOff off) {
        ApduCard card;
        lock.lock();
        try {
            card = s.card;
            s.powered = false;
            s.clockStopped = false;
            s.resetChains();
            if (s.t0 != null) s.t0.reset();
        } finally {
            lock.unlock();
        }
        if (card != null) {
            card.powerOff();
        }
        return slotStatus(s, off.bSeq(), 0);
    }

    private RdrToPc xfrBlock(Slot s, PcToRdr.XfrBlock x) {
        int seq = x.bSeq();
        int level = x.wLevelParameter();
        ApduCard card;
        T0Card t0;
        T1Card t1;
        byte[] apdu;
        lock.lock();
        try {
            card = s.card;
            t0 = s.t0;
            t1 = s.params[0] == 1 ? s.t1 : null;
            if (card == null || !s.powered) {
                return new RdrToPc.DataBlock(s.index, seq, FAILED | s.iccStatus(), SlotStatusRegister.ICC_MUTE, 0, new byte[0]);
            }
            if (config.level != ExchangeLevel.EXTENDED_APDU) {
                if (level != 0) {
                    return new RdrToPc.DataBlock(s.index, seq, FAILED, 8, 0, new byte[0]);
                }
                apdu = x.abData();
            } else {
                byte[] data = x.abData();
                switch (level) {
                    case 0x0000 -> {
                        s.resetChains();
                        apdu = data;
                    }
                    case 0x0001 -> {
                        s.resetChains();
                        s.command = new ByteArrayOutputStream();
                        s.command.writeBytes(data);
                        return new RdrToPc.DataBlock(s.index, seq, 0, 0, 0x10, new byte[0]);
                    }
                    case 0x0002, 0x0003 -> {
                        if (s.command == null || s.command.size() + data.length > MAX_CHAINED_COMMAND) {
                            s.resetChains();
                            return new RdrToPc.DataBlock(s.index, seq, FAILED, 8, 0, new byte[0]);
                        }
                        s.command.writeBytes(data);
                        if (level == 0x0003) {
                            return new RdrToPc.DataBlock(s.index, seq, 0, 0, 0x10, new byte[0]);
                        }
                        apdu = s.command.toByteArray();
                        s.command = null;
                    }
                    case 0x0010 -> {
                        if (s.response == null || data.length != 0) {
                            s.resetChains();
                            return new RdrToPc.DataBlock(s.index, seq, FAILED, 8, 0, new byte[0]);
                        }
                        return responsePiece(s, seq, false);
                    }
                    default -> {
                        s.resetChains();
                        return new RdrToPc.DataBlock(s.index, seq, FAILED, 8, 0, new byte[0]);
                    }
                }
            }
        } finally {
            lock.unlock();
        }
        byte[] response;
        try {
            response = config.level != ExchangeLevel.TPDU ? card.transmit(apdu)
                    : PpsResponder.isPps(apdu) ? PpsResponder.answer(apdu, card.atr())
                    : t1 != null ? t1.receive(apdu) : t0.transmit(apdu);
        } catch (IllegalStateException e) {   // powered off or removed meanwhile
            response = null;
        }
        lock.lock();
        try {
            if (response == null || s.card != card || !s.powered) {
                return new RdrToPc.DataBlock(s.index, seq, FAILED | s.iccStatus(), SlotStatusRegister.ICC_MUTE, 0, new byte[0]);
            }
            int max = config.maxMessage - 10;
            if (response.length <= max) {
                return new RdrToPc.DataBlock(s.index, seq, 0, 0, 0, response);
            }
            if (config.level != ExchangeLevel.EXTENDED_APDU) {
                return new RdrToPc.DataBlock(s.index, seq, FAILED, SlotStatusRegister.XFR_OVERRUN, 0, new byte[0]);
            }
            s.response = response;
            s.responseOffset = 0;
            return responsePiece(s, seq, true);
        } finally {
            lock.unlock();
        }
    }

    /** The next piece of a chained response (§6.2.1 bChainParameter 01, 03, 02). Lock held. */
    private RdrToPc responsePiece(Slot s, int seq, boolean first) {
        int max = config.maxMessage - 10;
        int left = s.response.length - s.responseOffset;
        int n = Math.min(left, max);
        byte[] piece = Arrays.copyOfRange(s.response, s.responseOffset, s.responseOffset + n);
        s.responseOffset += n;
        boolean more = s.responseOffset < s.response.length;
        if (!more) {
            s.response = null;
        }
        int chain = first ? (more ? 0x01 : 0x00) : (more ? 0x03 : 0x02);
        return new RdrToPc.DataBlock(s.index, seq, 0, 0, chain, piece);
    }

    private RdrToPc parameters(Slot s, int seq, boolean reset) {
        ApduCard card;
        lock.lock();
        try {
            if (s.card == null) {
                return new RdrToPc.Parameters(s.index, seq, FAILED | 2, SlotStatusRegister.ICC_MUTE, 0, new byte[0]);
            }
            if (reset) {
                s.params = defaultParameters(s.atr != null ? s.atr : s.card.atr());
            }
            card = s.card;
        } finally {
            lock.unlock();
        }
        if (reset) {
            applyProtocol(card, s);
        }
        lock.lock();
        try {
            return new RdrToPc.Parameters(s.index, seq, s.iccStatus(), 0, s.params[0], Arrays.copyOfRange(s.params, 1, s.params.length));
        } finally {
            lock.unlock();
        }
    }

    private RdrToPc setParameters(Slot s, PcToRdr.SetParameters sp) {
        int seq = sp.bSeq();
        int proto = sp.bProtocolNum();
        byte[] d = sp.abData();
        ApduCard card;
        lock.lock();
        try {
            if (s.card == null) {
                return new RdrToPc.Parameters(s.index, seq, FAILED | 2, SlotStatusRegister.ICC_MUTE, 0, new byte[0]);
            }
            int error = 0;
            if (proto > 1 || (ccid.dwProtocols() & (1 << proto)) == 0) {
                error = 7;
            } else if (d.length != (proto == 0 ? 5 : 7)) {
                error = 1;
            } else {
                error = checkParameters(proto, d);
            }
            if (error != 0) {
                return new RdrToPc.Parameters(s.index, seq, FAILED | s.iccStatus(), error, s.params[0],
                        Arrays.copyOfRange(s.params, 1, s.params.length));
            }
            byte[] p = new byte[1 + d.length];
            p[0] = (byte) proto;
            System.arraycopy(d, 0, p, 1, d.length);
            s.params = p;
            card = s.card;
        } finally {
            lock.unlock();
        }
        applyProtocol(card, s);
        lock.lock();
        try {
            return new RdrToPc.Parameters(s.index, seq, s.iccStatus(), 0, proto, d);
        } finally {
            lock.unlock();
        }
    }

    /** 0 when the structure is valid, else the header offset of the bad field (abData starts at 10). */
    static int checkParameters(int proto, byte[] d) {
        int fi = (d[0] & 0xF0) >> 4;
        int di = d[0] & 0x0F;
        if (fi == 7 || fi == 8 || fi >= 14 || di == 0 || di >= 10) {
            return 10;
        }
        if (proto == 0) {
            if ((d[1] & 0xFF) != 0x00 && (d[1] & 0xFF) != 0x02) return 11;
            if ((d[4] & 0xFF) > 3) return 14;
            return 0;
        }
        if ((d[1] & 0xFC) != 0x10) return 11;
        if (((d[3] & 0xF0) >> 4) > 9) return 13;
        if ((d[4] & 0xFF) > 3) return 14;
        if ((d[5] & 0xFF) == 0 || (d[5] & 0xFF) == 0xFF) return 15;
        return 0;
    }

    /** bProtocolNum followed by the structure, from the ATR (§6.1.7; 7816-3 defaults when absent). */
    private byte[] defaultParameters(byte[] atrBytes) {
        Atr atr;
        try {
            atr = Atr.parse(atrBytes);
        } catch (IllegalArgumentException e) {
            atr = Atr.parse(CardAtrs.rigT0Atr());   // a card with a broken ATR: plain T=0 defaults
        }
        int offered = atr.protocols().stream().mapToInt(t -> t < 2 ? 1 << t : 0).reduce(0, (x, y) -> x | y);
        int supported = ccid.dwProtocols() & offered;
        int first = atr.firstProtocol();
        int proto = first < 2 && (supported & (1 << first)) != 0 ? first : (supported & 1) != 0 ? 0 : (supported & 2) != 0 ? 1 : 0;
        int fiDi = atr.ta(1).orElse(0x11);
        ProtocolDataStructure structure = proto == 0 ? ProtocolDataStructure.T0.of(atr, fiDi)
                : ProtocolDataStructure.T1.of(atr, fiDi);
        byte[] bytes = structure.toBytes();
        byte[] out = new byte[1 + bytes.length];
        out[0] = (byte) proto;
        System.arraycopy(bytes, 0, out, 1, bytes.length);
        return out;
    }

    private RdrToPc escape(Slot s, PcToRdr.Escape e) {
        byte[] d = e.abData();
        lock.lock();
        try {
            int icc = s.iccStatus();
            if (d.length >= 1 && d[0] == 0x01) {
                return new RdrToPc.Escape(s.index, e.bSeq(), icc, 0, Arrays.copyOfRange(d, 1, d.length));
            }
            if (d.length == 1 && d[0] == 0x02) {
                return new RdrToPc.Escape(s.index, e.bSeq(), icc, 0, ESCAPE_VERSION.getBytes(StandardCharsets.US_ASCII));
            }
            return new RdrToPc.Escape(s.index, e.bSeq(), FAILED | icc, SlotStatusRegister.CMD_NOT_SUPPORTED, new byte[0]);
        } finally {
            lock.unlock();
        }
    }

    private RdrToPc iccClock(Slot s, PcToRdr.IccClock ck) {
        lock.lock();
        try {
            int cmd = ck.bClockCommand();
            if (cmd > 1) {
                return new RdrToPc.SlotStatus(s.index, ck.bSeq(), FAILED | s.iccStatus(), 7, s.clockStatus());
            }
            if (cmd == 1 && !ccid.has(CcidDescriptor.FEATURE_CLOCK_STOP)) {
                return new RdrToPc.SlotStatus(s.index, ck.bSeq(), FAILED | s.iccStatus(), SlotStatusRegister.CMD_NOT_SUPPORTED, s.clockStatus());
            }
            if (s.card == null || !s.powered) {
                return new RdrToPc.SlotStatus(s.index, ck.bSeq(), FAILED | s.iccStatus(), SlotStatusRegister.ICC_MUTE, 0);
            }
            s.clockStopped = cmd == 1;
            return new RdrToPc.SlotStatus(s.index, ck.bSeq(), s.iccStatus(), 0, s.clockStatus());
        } finally {
            lock.unlock();
        }
    }

    private RdrToPc t0apdu(Slot s, PcToRdr.T0APDU t) {
        lock.lock();
        try {
            if ((t.bmChanges() & 0x01) != 0) s.classGetResponse = t.bClassGetResponse();
            if ((t.bmChanges() & 0x02) != 0) s.classEnvelope = t.bClassEnvelope();
            return new RdrToPc.SlotStatus(s.index, t.bSeq(), s.iccStatus(), 0, s.clockStatus());
        } finally {
            lock.unlock();
        }
    }

    private RdrToPc dataRate(Slot s, PcToRdr.SetDataRateAndClockFrequency d) {
        lock.lock();
        try {
            if (s.card == null) {
                return new RdrToPc.DataRateAndClockFrequency(s.index, d.bSeq(), FAILED | 2, SlotStatusRegister.ICC_MUTE, 0, 0);
            }
            int clock = pick(config.clocks, d.dwClockFrequency(), ccid.dwDefaultClock(), ccid.dwMaximumClock());
            int rate = pick(config.dataRates, d.dwDataRate(), ccid.dwDataRate(), ccid.dwMaxDataRate());
            s.clock = clock;
            s.dataRate = rate;
            return new RdrToPc.DataRateAndClockFrequency(s.index, d.bSeq(), s.iccStatus(), 0, clock, rate);
        } finally {
            lock.unlock();
        }
    }

    private static int pick(int[] list, int wanted, int min, int max) {
        long w = wanted & 0xFFFFFFFFL;
        if (list.length == 0) {
            return (int) Math.max(min, Math.min(max, w));
        }
        long best = -1;
        long lowest = Long.MAX_VALUE;
        for (int v : list) {
            long x = v & 0xFFFFFFFFL;
            lowest = Math.min(lowest, x);
            if (x <= w && x > best) best = x;
        }
        return (int) (best >= 0 ? best : lowest);
    }

    // ============================================================================================
    // state
    // ============================================================================================

    /** One command waiting for or in execution. */
    private static final class Pending {
        final PcToRdr cmd;
        final int slot;
        final int seq;
        final int answerType;
        final Fault fault;
        final Slot s;
        final CountDownLatch wake = new CountDownLatch(1);
        boolean answered;   // guarded by the reader's lock

        Pending(PcToRdr cmd, int slot, int seq, int answerType, Fault fault, Slot s) {
            this.cmd = cmd;
            this.slot = slot;
            this.seq = seq;
            this.answerType = answerType;
            this.fault = fault;
            this.s = s;
        }

        /** Waits; true when woken early (abort or unplug): stop. */
        boolean sleep(long millis) {
            try {
                return wake.await(millis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return true;
            }
        }
    }

    private final class Slot {
        final int index;
        ApduCard card;
        T0Card t0;
        T1Card t1;
        byte[] atr;
        boolean powered;
        boolean changed;
        boolean clockStopped;
        int voltage;
        int clock;
        int dataRate;
        int classGetResponse = 0xFF;
        int classEnvelope = 0xFF;
        byte[] params = {0, 0x11, 0, 0, 0x0A, 0};
        ByteArrayOutputStream command;   // extended APDU being received in chained blocks
        byte[] response;                 // extended response being sent in chained blocks
        int responseOffset;
        Pending busy;
        int abortSeq = -1;
        boolean abortRequested;          // the class request ABORT came, PC_to_RDR_Abort awaited
        boolean abortMessage;            // PC_to_RDR_Abort came, the class request awaited

        Slot(int index) {
            this.index = index;
        }

        void insert(ApduCard c) {
            card = c;
            t0 = new T0Card(c);
            t1 = new T1Card(c, t1Faults);
            atr = null;
            powered = false;
            params = defaultParameters(c.atr());
            resetChains();
        }

        void remove() {
            card = null;
            t0 = null;
            t1 = null;
            atr = null;
            powered = false;
            clockStopped = false;
            resetChains();
        }

        void resetState() {
            powered = false;
            clockStopped = false;
            busy = null;
            abortSeq = -1;
            abortRequested = false;
            abortMessage = false;
            resetChains();
            if (card != null) {
                params = defaultParameters(card.atr());
            }
        }

        void resetChains() {
            command = null;
            response = null;
            responseOffset = 0;
        }

        /** bmICCStatus: 0 present and active, 1 present and inactive, 2 absent. Lock held. */
        int iccStatus() {
            return card == null ? 2 : powered ? 0 : 1;
        }

        int iccStatusLocked() {
            lock.lock();
            try {
                return iccStatus();
            } finally {
                lock.unlock();
            }
        }

        int clockStatus() {
            if (!powered || !clockStopped) return 0;
            int stop = params[5];   // bClockStop of either structure: 1 low, 2 high, 3 either
            return stop == 2 ? 2 : stop == 3 ? 3 : 1;
        }
    }

    // ============================================================================================
    // bytes
    // ============================================================================================

    private static byte[] header(int type, int dwLength, int slot, int seq, int b7, int b8, int b9) {
        byte[] h = new byte[10];
        h[0] = (byte) type;
        putLe32(h, 1, dwLength);
        h[5] = (byte) slot;
        h[6] = (byte) seq;
        h[7] = (byte) b7;
        h[8] = (byte) b8;
        h[9] = (byte) b9;
        return h;
    }

    private static int le32(byte[] d, int off) {
        return (d[off] & 0xFF) | (d[off + 1] & 0xFF) << 8 | (d[off + 2] & 0xFF) << 16 | (d[off + 3] & 0xFF) << 24;
    }

    private static void putLe32(byte[] d, int off, int v) {
        d[off] = (byte) v;
        d[off + 1] = (byte) (v >> 8);
        d[off + 2] = (byte) (v >> 16);
        d[off + 3] = (byte) (v >> 24);
    }

    // ============================================================================================
    // builder
    // ============================================================================================

    /** Configuration of a virtual reader. Defaults: short APDU level, one empty slot, interrupt endpoint. */
    public static final class Builder {
        private ExchangeLevel level = ExchangeLevel.SHORT_APDU;
        private Integer maxMessageSet;
        private int maxMessage;
        private int slotCount = 1;
        private ApduCard[] cards = new ApduCard[1];
        private boolean interrupt = true;
        private int vendorId = 0x1209;
        private int productId = 0x0001;
        private int bcdDevice = 0x0100;
        private String manufacturer = "cardstack";
        private String product = "cardstack Virtual CCID";
        private String serial = "0001";
        private Integer features;
        private Integer protocols;
        private int voltages = 0x07;
        private int defaultClock = 4000;
        private int dataRate = 10752;
        private int[] clocks = {4000, 8000};
        private int[] dataRates = {10752, 21505, 43010, 86021};
        private int busySlots = 1;

        private Builder() {
        }

        /** TPDU (T=0 or T=1 card front end), SHORT_APDU or EXTENDED_APDU. */
        public Builder level(ExchangeLevel level) {
            this.level = level;
            return this;
        }

        /** dwMaxCCIDMessageLength, at least 271 (261 + 10). Default 271, EXTENDED_APDU 65546. */
        public Builder maxMessageLength(int max) {
            if (max < 271) {
                throw new IllegalArgumentException("dwMaxCCIDMessageLength " + max + " < 271 (CCID §5.1: 261 + 10)");
            }
            this.maxMessageSet = max;
            return this;
        }

        /** Number of slots (1 to 8); cards already placed stay in their slots. */
        public Builder slots(int n) {
            if (n < 1 || n > 8) {
                throw new IllegalArgumentException("slots must be 1 to 8, got " + n);
            }
            cards = Arrays.copyOf(cards, n);
            slotCount = n;
            return this;
        }

        /** The card in slot 0. */
        public Builder card(ApduCard card) {
            return card(0, card);
        }

        public Builder card(int slot, ApduCard card) {
            if (slot < 0 || slot >= slotCount) {
                throw new IllegalArgumentException("no slot " + slot + " (" + slotCount + " slots)");
            }
            cards[slot] = card;
            return this;
        }

        public Builder interruptEndpoint(boolean present) {
            this.interrupt = present;
            return this;
        }

        public Builder ids(int vendorId, int productId) {
            this.vendorId = vendorId & 0xFFFF;
            this.productId = productId & 0xFFFF;
            return this;
        }

        public Builder bcdDevice(int bcd) {
            this.bcdDevice = bcd & 0xFFFF;
            return this;
        }

        public Builder strings(String manufacturer, String product, String serial) {
            this.manufacturer = manufacturer;
            this.product = product;
            this.serial = serial;
            return this;
        }

        /** dwFeatures; the exchange level bits (0x70000) are always those of {@link #level}. */
        public Builder features(int dwFeatures) {
            this.features = dwFeatures;
            return this;
        }

        /** dwProtocols (bit 0 T=0, bit 1 T=1). Default T=0 only at TPDU level, else T=0 and T=1. */
        public Builder protocols(int dwProtocols) {
            this.protocols = dwProtocols;
            return this;
        }

        /** bVoltageSupport: 0x01 5 V, 0x02 3 V, 0x04 1.8 V. */
        public Builder voltages(int bVoltageSupport) {
            if ((bVoltageSupport & 0x07) == 0 || (bVoltageSupport & ~0x07) != 0) {
                throw new IllegalArgumentException(String.format("bVoltageSupport 0x%02X", bVoltageSupport));
            }
            this.voltages = bVoltageSupport;
            return this;
        }

        /** dwDefaultClock (kHz) and the list GET_CLOCK_FREQUENCIES answers (empty: the request stalls). */
        public Builder clocks(int defaultKhz, int... listKhz) {
            this.defaultClock = defaultKhz;
            this.clocks = listKhz.clone();
            return this;
        }

        /** dwDataRate (bps) and the list GET_DATA_RATES answers (empty: the request stalls). */
        public Builder dataRates(int defaultBps, int... listBps) {
            this.dataRate = defaultBps;
            this.dataRates = listBps.clone();
            return this;
        }

        /** bMaxCCIDBusySlots (default 1). */
        public Builder maxBusySlots(int n) {
            this.busySlots = Math.max(1, n);
            return this;
        }

        public VirtualCcidReader build() {
            maxMessage = maxMessageSet != null ? maxMessageSet : level == ExchangeLevel.EXTENDED_APDU ? 65546 : 271;
            return new VirtualCcidReader(this);
        }
    }
}
