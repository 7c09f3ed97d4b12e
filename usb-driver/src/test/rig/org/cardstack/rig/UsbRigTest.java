package org.cardstack.rig;

import org.cardstack.ccid.CcidCodec;
import org.cardstack.ccid.CcidDescriptor;
import org.cardstack.ccid.ExchangeLevel;
import org.cardstack.ccid.InterruptMessage;
import org.cardstack.ccid.PcToRdr;
import org.cardstack.ccid.RdrToPc;
import org.cardstack.usb.ConfigurationDescriptor;
import org.cardstack.usb.EndpointDescriptor;
import org.cardstack.usb.InterfaceDescriptor;
import org.cardstack.usb.UsbDescriptors;
import org.cardstack.usb.UsbDevice;
import org.cardstack.usb.UsbBulkOutException;
import org.cardstack.usb.UsbDeviceGoneException;
import org.cardstack.usb.UsbDeviceHandle;
import org.cardstack.usb.UsbException;
import org.cardstack.usb.UsbHotplugListener;
import org.cardstack.usb.UsbSession;
import org.cardstack.usb.UsbStallException;
import org.cardstack.usb.UsbTimeoutException;
import org.cardstack.usb.libusb.LibUsbSession;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The rig's real-USB test of {@link LibUsbSession} (raw CCID through {@link CcidCodec}; no reader
 * driver). Run in the guest by run-rig-tests.sh; see the README there.
 *
 * <pre>
 *   java -cp CLASSPATH org.cardstack.rig.UsbRigTest [full|rtt] [ROUNDS] [AID_HEX]
 * </pre>
 * {@code full} (default): descriptors, power-on, SELECT, ROUNDS (1000) timed round trips, error
 * mapping (timeout, stall), card removal and insertion (NotifySlotChange on interrupt-in), reader
 * unplug and re-plug (hotplug events of two sessions: libusb callbacks and polling). {@code rtt}:
 * power-on, SELECT and the timed round trips only (for bench/rig-rtt.sh). Ends with
 * "usb-rig-test: N passed, M failed"; exit status 1 on any failure.
 */
public final class UsbRigTest {
    static final int VID = 0x08E6, PID = 0x4433;
    static final int TIMEOUT_MS = 5000;
    static final byte[] RIG_ATR = RigSupport.HEX.parseHex("3B0A4A434F50333156323332");

    private final RigSupport t = new RigSupport("usb-rig-test");
    private UsbDeviceHandle handle;
    private int bulkIn, bulkOut, interruptIn, ifnum;
    /** xfr() through bulkOutIn instead of bulkOut then bulkIn. */
    private boolean pipelined;
    private int maxMessage = 65554;
    private int seq;
    private final byte[] in = new byte[65_600];

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "full";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        byte[] aid = RigSupport.HEX.parseHex(args.length > 2 ? args[2] : "F000000001");
        UsbRigTest test = new UsbRigTest();
        try {
            test.run(mode.equals("full"), rounds, aid);
        } catch (Exception | AssertionError e) {
            test.t.fail("unexpected", e);
        }
        System.out.println(test.t.summary());
        System.exit(test.t.failed() == 0 ? 0 : 1);
    }

    private void run(boolean full, int rounds, byte[] aid) throws Exception {
        BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        BlockingQueue<Event> polledEvents = new LinkedBlockingQueue<>();
        try (LibUsbSession session = new LibUsbSession();
             LibUsbSession polling = full ? new LibUsbSession(LibUsbSession.HotplugMode.POLLING, 100) : null) {
            t.expect("libusb session available", session.unavailableReason().isEmpty(),
                    session.unavailableReason().orElse("hotplug by " + (session.usesHotplugCallbacks()
                            ? "libusb callbacks" : "polling")));
            session.addHotplugListener(recorder(events));
            if (polling != null) {
                polling.addHotplugListener(recorder(polledEvents));
            }
            UsbDevice reader = findReader(session);
            if (reader == null) {
                return;
            }
            if (full) {
                checkDescriptors(reader);
            } else {
                parseEndpoints(reader);
            }
            handle = session.open(reader);
            handle.claimInterface(ifnum);
            if (full) {
                checkOpenDescriptors(reader);
            }
            byte[] pending = interrupt(300);
            System.out.println("interrupt-in at start: " + (pending == null ? "nothing" : RigSupport.HEX.formatHex(pending)));

            byte[] select = RigSupport.selectApdu(aid);
            RdrToPc status = exchange(new PcToRdr.GetSlotStatus(0, seq++));
            t.expect("GetSlotStatus answers SlotStatus", status instanceof RdrToPc.SlotStatus, status.status().toString());
            RdrToPc atr = exchange(new PcToRdr.IccPowerOn(0, seq++, 0));
            t.expect("IccPowerOn gives the rig's ATR", atr instanceof RdrToPc.DataBlock && !atr.status().failed()
                    && Arrays.equals(atr.abData(), RIG_ATR), RigSupport.HEX.formatHex(atr.abData()));
            byte[] r = xfr(select);
            t.expect("XfrBlock SELECT " + RigSupport.HEX.formatHex(aid) + " gives 9000", RigSupport.sw(r) == 0x9000,
                    RigSupport.HEX.formatHex(select) + " -> " + RigSupport.HEX.formatHex(r));
            timedRoundTrips(select, rounds, "raw-libusb");
            pipelined = true;
            byte[] p = xfr(select);
            t.expect("bulkOutIn (IN queued before the OUT): XfrBlock SELECT gives 9000", RigSupport.sw(p) == 0x9000,
                    RigSupport.HEX.formatHex(p));
            timedRoundTrips(select, rounds, "raw-libusb-bulkOutIn");
            pipelined = false;
            if (interruptIn != 0) { // as a driver runs: a slot watcher reading interrupt-in meanwhile
                Thread watcher = interruptWatcher();
                timedRoundTrips(select, rounds, "raw-libusb+interrupt-watcher");
                watcher.interrupt();
                watcher.join(5000);
            }

            if (full) {
                errorMapping();
                Path control = RigSupport.control();
                if (control == null) {
                    t.expect("running under the rig ($RIG_CONTROL set)", false, "card and reader hotplug skipped");
                } else {
                    cardRemovalAndInsertion(control, select);
                    readerUnplugAndPlug(session, control, events, polledEvents, select);
                }
            }
            if (handle != null) {
                exchange(new PcToRdr.IccPowerOff(0, seq++));
                handle.close();
            }
        }
    }

    // ---- enumeration and descriptors ----

    private UsbDevice findReader(UsbSession session) throws UsbException {
        List<UsbDevice> devices = session.devices();
        devices.forEach(d -> System.out.println("  " + d));
        for (UsbDevice d : devices) {
            ConfigurationDescriptor c = UsbDescriptors.parseConfiguration(d.rawConfigurationDescriptor());
            for (InterfaceDescriptor i : c.interfaces()) {
                if (i.bInterfaceClass() == 0x0B) {
                    t.expect("reader found by interface class 0x0B", d.vendorId() == VID && d.productId() == PID,
                            d + ", interface " + i.bInterfaceNumber());
                    return d;
                }
            }
        }
        t.expect("reader found by interface class 0x0B", false, devices.size() + " devices, none with class 0x0B");
        return null;
    }

    private InterfaceDescriptor parseEndpoints(UsbDevice reader) throws Exception {
        ConfigurationDescriptor c = UsbDescriptors.parseConfiguration(reader.rawConfigurationDescriptor());
        InterfaceDescriptor ccid = c.interfaces().stream().filter(i -> i.bInterfaceClass() == 0x0B).findFirst().orElseThrow();
        ifnum = ccid.bInterfaceNumber();
        bulkIn = ccid.endpoint(EndpointDescriptor.TRANSFER_BULK, true).orElseThrow().bEndpointAddress();
        bulkOut = ccid.endpoint(EndpointDescriptor.TRANSFER_BULK, false).orElseThrow().bEndpointAddress();
        interruptIn = ccid.endpoint(EndpointDescriptor.TRANSFER_INTERRUPT, true).map(EndpointDescriptor::bEndpointAddress)
                .orElse(0);
        return ccid;
    }

    private void checkDescriptors(UsbDevice reader) throws Exception {
        byte[] dd = reader.rawDeviceDescriptor();
        t.expect("raw device descriptor as in traces U1",
                RigSupport.HEX.formatHex(dd).equals("1201100100000040E6083344000001020301"), RigSupport.HEX.formatHex(dd));
        byte[] raw = reader.rawConfigurationDescriptor();
        InterfaceDescriptor ccid = parseEndpoints(reader);
        t.expect("configuration: 93 bytes, interface 0 class 0x0B with 3 endpoints (0x81 int, 0x82 bulk in, 0x03 bulk out)",
                raw.length == 93 && ifnum == 0 && ccid.endpoints().size() == 3 && interruptIn == 0x81 && bulkIn == 0x82
                        && bulkOut == 0x03, raw.length + " bytes, " + ccid.endpoints());
        byte[] cls = ccid.extra(CcidDescriptor.DESCRIPTOR_TYPE).orElse(new byte[0]);
        CcidDescriptor d = CcidDescriptor.parse(cls);
        maxMessage = d.dwMaxCCIDMessageLength();
        t.expect("CCID class descriptor: 1.10, 1 slot, T=0 only, TPDU level, features 0x000104FE, max message 65554",
                d.bcdCCID() == 0x0110 && d.slotCount() == 1 && d.supportsT0() && !d.supportsT1()
                        && d.exchangeLevel() == ExchangeLevel.TPDU && d.dwFeatures() == 0x000104FE
                        && d.dwMaxCCIDMessageLength() == 65554, d.toString());
        System.out.println("  CCID class descriptor " + RigSupport.HEX.formatHex(cls));
    }

    /** With the device open: the reassembled descriptors equal what GET_DESCRIPTOR returns; strings. */
    private void checkOpenDescriptors(UsbDevice reader) throws UsbException {
        byte[] cfg = new byte[512];
        int n = handle.controlTransfer(0x80, 0x06, 0x0200, 0, cfg, TIMEOUT_MS);
        byte[] wire = Arrays.copyOf(cfg, n);
        t.expect("configuration reassembled from libusb's cache == GET_DESCRIPTOR(CONFIGURATION) from the device",
                Arrays.equals(wire, reader.rawConfigurationDescriptor()), n + " bytes from the device");
        byte[] dev = new byte[18];
        n = handle.controlTransfer(0x80, 0x06, 0x0100, 0, dev, TIMEOUT_MS);
        t.expect("device descriptor == GET_DESCRIPTOR(DEVICE)", n == 18 && Arrays.equals(dev, reader.rawDeviceDescriptor()),
                RigSupport.HEX.formatHex(dev));
        String m = handle.stringDescriptor(reader.descriptor().iManufacturer());
        String p = handle.stringDescriptor(reader.descriptor().iProduct());
        String s = handle.stringDescriptor(reader.descriptor().iSerialNumber());
        String none = handle.stringDescriptor(0);
        t.expect("string descriptors: \"QEMU\", \"QEMU USB CCID\", a serial; index 0 -> null",
                "QEMU".equals(m) && "QEMU USB CCID".equals(p) && s != null && !s.isEmpty() && none == null,
                m + " / " + p + " / " + s);
    }

    // ---- CCID over the handle ----

    private RdrToPc exchange(PcToRdr command) throws Exception {
        byte[] out = CcidCodec.encode(command);
        int sent = handle.bulkOut(bulkOut, out, 0, out.length, TIMEOUT_MS);
        int stale = 0;
        if (sent != out.length) {
            throw new IllegalStateException("bulk-out sent " + sent + " of " + out.length);
        }
        while (true) {
            int have = 0;
            do { // a message longer than one transfer comes in several; it ends with a short packet
                have += handle.bulkIn(bulkIn, in, have, in.length - have, TIMEOUT_MS);
            } while (have < 10 || have < 10 + CcidCodec.dwLength(in));
            RdrToPc r = CcidCodec.decodeResponse(in, have, maxMessage);
            if (r.bSeq() != (command.bSeq() & 0xFF)) {
                // a late answer to someone else's command (e.g. pcscd's last one, when bench/rig-rtt.sh runs
                // this after pcscd on the same reader): drop it, as libccid and CcidTransport do
                if (++stale > 4) {
                    throw new IllegalStateException("answer for bSeq " + r.bSeq() + ", expected " + command.bSeq());
                }
                System.out.println("  dropped a stale answer with bSeq " + r.bSeq() + " (expected " + command.bSeq() + ")");
                continue;
            }
            if (r.status().commandStatus() != org.cardstack.ccid.SlotStatusRegister.CommandStatus.TIME_EXTENSION) {
                return r;
            }
        }
    }

    private byte[] xfr(byte[] apdu) throws Exception {
        return pipelined
                ? pipelinedExchange(new PcToRdr.XfrBlock(0, seq++ & 0xFF, 0, 0, apdu)).abData()
                : exchange(new PcToRdr.XfrBlock(0, seq++ & 0xFF, 0, 0, apdu)).abData();
    }

    /** One bulkOutIn (the IN queued before the OUT goes), as CcidTransport sends a command. */
    private RdrToPc pipelinedExchange(PcToRdr command) throws Exception {
        byte[] out = CcidCodec.encode(command);
        int n = handle.bulkOutIn(bulkOut, out, 0, out.length, TIMEOUT_MS, bulkIn, in, 0, in.length, TIMEOUT_MS);
        RdrToPc r = CcidCodec.decodeResponse(in, n, maxMessage);
        if (r.bSeq() != (command.bSeq() & 0xFF)) {
            throw new IllegalStateException("answer for bSeq " + r.bSeq() + ", expected " + command.bSeq());
        }
        return r;
    }

    private byte[] interrupt(int timeoutMs) throws UsbException {
        byte[] b = new byte[64];
        try {
            int n = handle.interruptIn(interruptIn, b, 0, b.length, timeoutMs);
            return Arrays.copyOf(b, n);
        } catch (UsbTimeoutException e) {
            return null;
        }
    }

    /** A thread reading interrupt-in in 400 ms slices until interrupted (like the driver's slot watcher). */
    private Thread interruptWatcher() {
        Thread w = new Thread(() -> {
            byte[] b = new byte[64];
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    handle.interruptIn(interruptIn, b, 0, b.length, 400);
                } catch (UsbTimeoutException e) {
                    // nothing happened
                } catch (UsbException e) {
                    return;
                }
            }
        }, "rig-interrupt-watcher");
        w.setDaemon(true);
        w.start();
        return w;
    }

    private void timedRoundTrips(byte[] select, int rounds, String label) throws Exception {
        // warm-up, not timed: at least 200 round trips and 3 s (the JIT compiles meanwhile; in the emulated
        // guest that takes a while and would otherwise land in the measurement)
        long warmEnd = System.nanoTime() + 3_000_000_000L;
        for (int i = 0; i < 200 || System.nanoTime() < warmEnd; i++) {
            xfr(select);
        }
        long[] nanos = new long[rounds];
        int bad = 0;
        for (int i = 0; i < rounds; i++) {
            long t0 = System.nanoTime();
            byte[] r = xfr(select);
            nanos[i] = System.nanoTime() - t0;
            if (RigSupport.sw(r) != 0x9000) {
                bad++;
            }
        }
        RigSupport.report(label, nanos);
        t.expect(rounds + " XfrBlock SELECT round trips through LibUsbSession (" + label + ") all give 9000", bad == 0,
                bad + " did not");
    }

    // ---- error mapping on the real device ----

    private void errorMapping() throws Exception {
        long t0 = System.nanoTime();
        try {
            handle.bulkIn(bulkIn, in, 0, in.length, 300);
            t.expect("bulk-in with no command pending -> UsbTimeoutException", false, "got data");
        } catch (UsbTimeoutException e) {
            t.expect("bulk-in with no command pending -> UsbTimeoutException", e.timeoutMillis() == 300,
                    RigSupport.ms(System.nanoTime() - t0) + " ms: " + e.getMessage());
        }
        byte[] bad = RigSupport.HEX.parseHex("65000000000000000000010203"); // GetSlotStatus, dwLength 0, 3 bytes (U6 F2)
        try {
            handle.bulkOut(bulkOut, bad, 0, bad.length, TIMEOUT_MS);
            t.expect("length mismatch on bulk-out -> UsbStallException (traces Q11)", false, "accepted");
        } catch (UsbStallException e) {
            t.expect("length mismatch on bulk-out -> UsbStallException (traces Q11)", true, e.getMessage());
        }
        String clear;
        try {
            handle.clearHalt(bulkOut);
            clear = "clearHalt ok";
        } catch (UsbException e) {
            clear = "clearHalt: " + e.getMessage() + " (Q12: expected on this reader)";
        }
        RdrToPc s = exchange(new PcToRdr.GetSlotStatus(0, seq++ & 0xFF));
        t.expect("after the stall the reader answers again", s instanceof RdrToPc.SlotStatus, clear);

        // the same stall through bulkOutIn: the OUT's failure, and the queued IN cancelled at once (not
        // left to its 3 s timeout)
        t0 = System.nanoTime();
        try {
            handle.bulkOutIn(bulkOut, bad, 0, bad.length, TIMEOUT_MS, bulkIn, in, 0, in.length, 3000);
            t.expect("bulkOutIn, OUT stalled -> UsbBulkOutException(UsbStallException), IN cancelled", false, "accepted");
        } catch (UsbBulkOutException e) {
            long ms = RigSupport.ms(System.nanoTime() - t0);
            t.expect("bulkOutIn, OUT stalled -> UsbBulkOutException(UsbStallException), IN cancelled",
                    e.getCause() instanceof UsbStallException && ms < 1000, ms + " ms: " + e.getMessage());
        }
        try {
            handle.clearHalt(bulkOut);
        } catch (UsbException e) {
            // Q12
        }
        RdrToPc again = pipelinedExchange(new PcToRdr.GetSlotStatus(0, seq++ & 0xFF));
        t.expect("bulkOutIn after the stall: GetSlotStatus answers SlotStatus", again instanceof RdrToPc.SlotStatus,
                again.toString());

        // An IN that gets no answer in time (BulkExchange keeps the deadlines, not libusb): one full 64-byte
        // packet of a GetSlotStatus whose dwLength says 100, so the reader waits for more packets and
        // answers nothing (QEMU's usb-ccid: "expecting more packets"); the other 46 bytes end it.
        int s1 = seq++ & 0xFF;
        byte[] part = new byte[64];
        byte[] head = RigSupport.HEX.parseHex("65640000000000000000");
        System.arraycopy(head, 0, part, 0, head.length);
        part[6] = (byte) s1;
        t0 = System.nanoTime();
        try {
            handle.bulkOutIn(bulkOut, part, 0, part.length, TIMEOUT_MS, bulkIn, in, 0, in.length, 300);
            t.expect("bulkOutIn, no answer -> UsbTimeoutException after 300 ms", false, "got an answer");
        } catch (UsbTimeoutException e) {
            long ms = RigSupport.ms(System.nanoTime() - t0);
            t.expect("bulkOutIn, no answer -> UsbTimeoutException after 300 ms",
                    e.timeoutMillis() == 300 && ms >= 300 && ms < 1000, ms + " ms: " + e.getMessage());
        }
        handle.bulkOut(bulkOut, new byte[46], 0, 46, TIMEOUT_MS);
        int n = handle.bulkIn(bulkIn, in, 0, in.length, TIMEOUT_MS);
        RdrToPc late = CcidCodec.decodeResponse(in, n, maxMessage);
        RdrToPc after = pipelinedExchange(new PcToRdr.GetSlotStatus(0, seq++ & 0xFF));
        t.expect("the completed message is answered, then bulkOutIn works", late.bSeq() == s1
                && after instanceof RdrToPc.SlotStatus, late + " / " + after);
    }

    // ---- card hotplug: NotifySlotChange on interrupt-in ----

    private void cardRemovalAndInsertion(Path control, byte[] select) throws Exception {
        interrupt(200); // drain
        for (String action : new String[] {"remove", "insert"}) {
            long t0 = System.nanoTime();
            RigSupport.send(control, action);
            byte[] b = interrupt(10_000);
            long ms = RigSupport.ms(System.nanoTime() - t0);
            boolean present = action.equals("insert");
            boolean ok = false;
            String detail = "nothing within 10 s";
            if (b != null) {
                InterruptMessage m = CcidCodec.decodeInterrupt(b, b.length);
                ok = m instanceof InterruptMessage.NotifySlotChange n && n.present(0) == present && n.changed(0);
                detail = RigSupport.HEX.formatHex(b) + " after " + ms + " ms";
            }
            t.expect("card " + action + " -> NotifySlotChange (slot 0 " + (present ? "present" : "absent")
                    + ", changed) on interrupt-in", ok, detail);
            if (ok) {
                System.out.printf("RESULT event raw-libusb card-%s ms=%d%n", action, ms);
            }
        }
        RdrToPc atr = exchange(new PcToRdr.IccPowerOn(0, seq++ & 0xFF, 0));
        byte[] r = xfr(select);
        t.expect("after re-insertion: IccPowerOn and SELECT work", !atr.status().failed() && RigSupport.sw(r) == 0x9000,
                RigSupport.HEX.formatHex(atr.abData()) + ", SELECT -> " + RigSupport.HEX.formatHex(r));
    }

    // ---- reader hotplug: UsbHotplugListener ----

    record Event(boolean arrived, UsbDevice device, long nanos) {
    }

    private static UsbHotplugListener recorder(BlockingQueue<Event> q) {
        return new UsbHotplugListener() {
            @Override
            public void deviceArrived(UsbDevice device) {
                q.add(new Event(true, device, System.nanoTime()));
            }

            @Override
            public void deviceLeft(UsbDevice device) {
                q.add(new Event(false, device, System.nanoTime()));
            }
        };
    }

    private static Event next(BlockingQueue<Event> q, boolean arrived, int vid, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            Event e = q.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (e == null || (e.arrived == arrived && e.device.vendorId() == vid)) {
                return e;
            }
        }
    }

    private void readerUnplugAndPlug(LibUsbSession session, Path control, BlockingQueue<Event> events,
                                     BlockingQueue<Event> polled, byte[] select) throws Exception {
        UsbDevice old = handle.device();
        events.clear();
        polled.clear();
        // an interrupt-in in flight on another thread when the reader goes
        AtomicReference<Object> interruptEnd = new AtomicReference<>();
        Thread watcher = new Thread(() -> {
            byte[] b = new byte[64];
            try {
                while (true) {
                    int n = handle.interruptIn(interruptIn, b, 0, b.length, 20_000);
                    System.out.println("  interrupt-in while unplugging: " + RigSupport.HEX.formatHex(b, 0, n));
                }
            } catch (UsbException e) {
                interruptEnd.set(e);
            }
        }, "rig-interrupt");
        watcher.start();
        Thread.sleep(200);

        long t0 = System.nanoTime();
        RigSupport.send(control, "unplug");
        Event left = next(events, false, VID, 15_000);
        t.expect("reader unplug -> deviceLeft (libusb callbacks)", left != null && left.device.equals(old),
                left == null ? "nothing within 15 s" : left.device + " after " + RigSupport.ms(left.nanos - t0) + " ms");
        Event leftPolled = next(polled, false, VID, 5_000);
        t.expect("reader unplug -> deviceLeft (polling session)", leftPolled != null,
                leftPolled == null ? "nothing" : "after " + RigSupport.ms(leftPolled.nanos - t0) + " ms");
        watcher.join(15_000);
        Object end = interruptEnd.get();
        t.expect("interrupt-in in flight ends with UsbDeviceGoneException", end instanceof UsbDeviceGoneException,
                String.valueOf(end));
        try {
            byte[] cmd = CcidCodec.encode(new PcToRdr.GetSlotStatus(0, seq++ & 0xFF));
            handle.bulkOut(bulkOut, cmd, 0, cmd.length, TIMEOUT_MS);
            t.expect("bulk-out on the old handle -> UsbDeviceGoneException", false, "accepted");
        } catch (UsbDeviceGoneException e) {
            t.expect("bulk-out on the old handle -> UsbDeviceGoneException", true, e.getMessage());
        }
        handle.close();
        handle = null;
        if (left != null) {
            System.out.printf("RESULT event raw-libusb reader-unplug ms=%d%n", RigSupport.ms(left.nanos - t0));
        }

        t0 = System.nanoTime();
        RigSupport.send(control, "plug");
        Event back = next(events, true, VID, 15_000);
        t.expect("reader plug -> deviceArrived for 08e6:4433 at a new address (libusb callbacks)",
                back != null && back.device.productId() == PID && back.device.address() != old.address(),
                back == null ? "nothing within 15 s" : back.device + " after " + RigSupport.ms(back.nanos - t0) + " ms");
        Event backPolled = next(polled, true, VID, 5_000);
        t.expect("reader plug -> deviceArrived (polling session)", backPolled != null,
                backPolled == null ? "nothing" : "after " + RigSupport.ms(backPolled.nanos - t0) + " ms");
        if (back == null) {
            return;
        }
        System.out.printf("RESULT event raw-libusb reader-plug ms=%d%n", RigSupport.ms(back.nanos - t0));
        t.expect("devices() lists the re-plugged reader", session.devices().contains(back.device), "");
        handle = session.open(back.device);
        handle.claimInterface(ifnum);
        RdrToPc s = exchange(new PcToRdr.GetSlotStatus(0, seq++ & 0xFF));
        for (int i = 0; i < 100 && s.status().iccStatus() == org.cardstack.ccid.SlotStatusRegister.IccStatus.ABSENT; i++) {
            Thread.sleep(50); // the card follows the reader
            s = exchange(new PcToRdr.GetSlotStatus(0, seq++ & 0xFF));
        }
        RdrToPc atr = exchange(new PcToRdr.IccPowerOn(0, seq++ & 0xFF, 0));
        byte[] r = xfr(select);
        t.expect("re-plugged reader: IccPowerOn and SELECT work", !atr.status().failed() && RigSupport.sw(r) == 0x9000,
                "card there " + RigSupport.ms(System.nanoTime() - t0) + " ms after plug, SELECT -> " + RigSupport.HEX.formatHex(r));
    }
}
