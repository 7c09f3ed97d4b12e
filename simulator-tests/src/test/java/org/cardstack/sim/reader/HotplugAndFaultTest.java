package org.cardstack.sim.reader;

import org.cardstack.sim.applets.TestApplet;
import org.cardstack.sim.card.SimulatedCard;
import org.cardstack.usb.UsbDevice;
import org.cardstack.usb.UsbDeviceGoneException;
import org.cardstack.usb.UsbDeviceHandle;
import org.cardstack.usb.UsbException;
import org.cardstack.usb.UsbHotplugListener;
import org.cardstack.usb.UsbStallException;
import org.cardstack.usb.UsbTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.cardstack.sim.Hex.b;
import static org.cardstack.sim.Hex.n;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HotplugAndFaultTest {
    static final String ATR = " 3B 8A 80 01 4A 43 4F 50 33 31 56 32 33 32 7A";
    private VirtualUsbSession session;
    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();

    static SimulatedCard testCard() {
        SimulatedCard c = new SimulatedCard();
        c.install(TestApplet.class, b(TestApplet.AID_HEX), null);
        return c;
    }

    Host open(VirtualCcidReader reader) throws Exception {
        session = new VirtualUsbSession();
        session.addHotplugListener(new UsbHotplugListener() {
            @Override
            public void deviceArrived(UsbDevice device) { events.add("arrived " + device.portPath() + " " + device.address()); }

            @Override
            public void deviceLeft(UsbDevice device) { events.add("left " + device.portPath() + " " + device.address()); }
        });
        UsbDevice d = session.plug(reader);
        assertEquals("arrived 1-1 2", events.poll(5, TimeUnit.SECONDS));
        return new Host(session.open(d));
    }

    Host poweredHost(VirtualCcidReader reader) throws Exception {
        Host host = open(reader);
        host.x(">> 62 00 00 00 00 00 01 00 00 00", "<< 80 0F 00 00 00 00 01 00 00 00" + ATR);
        return host;
    }

    @AfterEach
    void tearDown() {
        if (session != null) session.close();
    }

    @Test
    void interruptEndpointReportsSlotChanges() throws Exception {
        VirtualCcidReader r = VirtualCcidReader.builder().card(testCard()).build();
        Host host = open(r);
        assertEquals("50 03", host.interrupt(100));            // present since plugging, changed
        assertThrows(UsbTimeoutException.class, () -> host.interrupt(10));
        SimulatedCard card = (SimulatedCard) r.removeCard(0);
        assertEquals("50 02", host.interrupt(100));
        host.x(">> 65 00 00 00 00 00 02 00 00 00", "<< 81 00 00 00 00 00 02 02 00 00");
        r.insertCard(0, card);
        r.removeCard(0);
        r.insertCard(0, card);
        assertEquals("50 03", host.interrupt(100));            // folded into one message
        host.x(">> 65 00 00 00 00 00 03 00 00 00", "<< 81 00 00 00 00 00 03 01 00 00");
    }

    @Test
    void blockedInterruptReadWakesOnInsertion() throws Exception {
        VirtualCcidReader r = VirtualCcidReader.builder().slots(3).build();
        Host host = open(r);
        CompletableFuture<String> f = CompletableFuture.supplyAsync(() -> {
            try {
                return host.interrupt(5000);
            } catch (UsbException e) {
                return e.toString();
            }
        });
        r.insertCard(2, testCard());
        assertEquals("50 30", f.get(5, TimeUnit.SECONDS));    // slot 2: bits 4-5
        r.insertCard(0, testCard());
        assertEquals("50 13", host.interrupt(100));            // slot 0 present + changed; slot 2 present
        host.x(">> 65 00 00 00 00 01 01 00 00 00", "<< 81 00 00 00 00 01 01 02 00 00");
        host.x(">> 65 00 00 00 00 02 02 00 00 00", "<< 81 00 00 00 00 02 02 01 00 00");
        host.x(">> 65 00 00 00 00 03 03 00 00 00", "<< 81 00 00 00 00 03 03 42 05 00");
    }

    @Test
    void unplugWakesBlockedCallsAndKillsHandles() throws Exception {
        VirtualCcidReader r = VirtualCcidReader.builder().card(testCard()).build();
        Host host = open(r);
        host.interrupt(100);
        CompletableFuture<Throwable> bulk = CompletableFuture.supplyAsync(() -> fails(() -> host.readBytes(5000)));
        CompletableFuture<Throwable> intr = CompletableFuture.supplyAsync(() -> fails(() -> host.interrupt(5000)));
        while (!r.isPlugged()) Thread.onSpinWait();
        Thread.sleep(5);                                   // let both calls block
        r.unplug();
        assertInstanceOf(UsbDeviceGoneException.class, bulk.get(5, TimeUnit.SECONDS));
        assertInstanceOf(UsbDeviceGoneException.class, intr.get(5, TimeUnit.SECONDS));
        assertEquals("left 1-1 2", events.poll(5, TimeUnit.SECONDS));
        assertThrows(UsbDeviceGoneException.class, () -> host.send("65 00 00 00 00 00 01 00 00 00"));
        assertThrows(UsbDeviceGoneException.class, () -> host.h.stringDescriptor(1));
        assertTrue(session.devices().isEmpty());
        // plugged again: a new device (new address, same port), the old handle stays dead
        UsbDevice d2 = session.plug(r);
        assertEquals("arrived 1-1 3", events.poll(5, TimeUnit.SECONDS));
        assertThrows(UsbDeviceGoneException.class, () -> host.send("65 00 00 00 00 00 01 00 00 00"));
        Host again = new Host(session.open(d2));
        again.x(">> 65 00 00 00 00 00 01 00 00 00", "<< 81 00 00 00 00 00 01 01 00 00");   // card not powered
        assertEquals(List.of(d2), session.devices());
    }

    private interface Call {
        void run() throws Exception;
    }

    private static Throwable fails(Call c) {
        try {
            c.run();
            return null;
        } catch (Exception e) {
            return e;
        }
    }

    @Test
    void timeExtensions() throws Exception {
        VirtualCcidReader r = VirtualCcidReader.builder().card(testCard()).build();
        Host host = poweredHost(r);
        r.faults().next(0x6F, Fault.timeExtension(2, 2));
        host.send("6F 04 00 00 00 00 02 00 00 00 80 01 00 00");
        assertEquals(n("80 00 00 00 00 00 02 80 01 00"), host.read());
        assertEquals(n("80 00 00 00 00 00 02 80 01 00"), host.read());
        assertEquals(n("80 02 00 00 00 00 02 00 00 00 90 00"), host.read());
        assertEquals(0, r.faults().pending());
        assertEquals(1, r.faults().applied());
    }

    @Test
    void answerFaults() throws Exception {
        VirtualCcidReader r = VirtualCcidReader.builder().card(testCard()).build();
        Host host = poweredHost(r);
        r.faults().next(Fault.wrongSeq()).next(Fault.truncated(7)).next(Fault.oversized(0x7FFFFFFF))
                .next(Fault.garbage()).next(Fault.lyingLength(3)).next(Fault.lyingLength(-1)).next(Fault.delay(3));
        String cmd = "6F 04 00 00 00 00 05 00 00 00 80 01 00 00";
        host.x(cmd, "<< 80 02 00 00 00 00 06 00 00 00 90 00");          // bSeq + 1
        host.x(cmd, "<< 80 02 00 00 00 00 05");                         // 7 bytes
        host.x(cmd, "<< 80 FF FF FF 7F 00 05 00 00 00 90 00");          // dwLength 0x7FFFFFFF
        host.x(cmd, "<< DE AD BE EF 01 23 45 67 89 AB CD EF 55 AA 00 FF");
        host.x(cmd, "<< 80 05 00 00 00 00 05 00 00 00 90 00");          // says 5, sends 2
        host.x(cmd, "<< 80 01 00 00 00 00 05 00 00 00 90 00");          // says 1, sends 2
        host.x(cmd, "<< 80 02 00 00 00 00 05 00 00 00 90 00");          // late, but right
        host.x(cmd, "<< 80 02 00 00 00 00 05 00 00 00 90 00");          // faults used up
    }

    @Test
    void faultForOneMessageTypeWaitsForIt() throws Exception {
        VirtualCcidReader r = VirtualCcidReader.builder().card(testCard()).build();
        Host host = poweredHost(r);
        r.faults().next(0x6F, Fault.wrongSeq());
        host.x(">> 65 00 00 00 00 00 02 00 00 00", "<< 81 00 00 00 00 00 02 00 00 00");
        host.x(">> 6F 04 00 00 00 00 03 00 00 00 80 01 00 00", "<< 80 02 00 00 00 00 04 00 00 00 90 00");
    }

    @Test
    void cardRemovedMidCommand() throws Exception {
        VirtualCcidReader r = VirtualCcidReader.builder().card(testCard()).build();
        Host host = poweredHost(r);
        assertEquals("50 03", host.interrupt(100));
        r.faults().next(Fault.cardRemoved());
        host.send("6F 04 00 00 00 00 02 00 00 00 80 01 00 00");
        assertEquals("50 02", host.interrupt(1000));
        assertThrows(UsbTimeoutException.class, () -> host.readBytes(20));   // no answer, ever
        host.x(">> 65 00 00 00 00 00 03 00 00 00", "<< 81 00 00 00 00 00 03 02 00 00");
    }

    @Test
    void unplugMidCommand() throws Exception {
        VirtualCcidReader r = VirtualCcidReader.builder().card(testCard()).build();
        Host host = poweredHost(r);
        r.faults().next(Fault.unplug());
        host.send("6F 04 00 00 00 00 02 00 00 00 80 01 00 00");
        ExecutionException e = assertThrows(ExecutionException.class, () -> CompletableFuture.runAsync(() -> {
            try {
                host.readBytes(5000);
            } catch (UsbException ex) {
                throw new java.util.concurrent.CompletionException(ex);
            }
        }).get(5, TimeUnit.SECONDS));
        assertInstanceOf(UsbDeviceGoneException.class, e.getCause());
        assertEquals("left 1-1 2", events.poll(5, TimeUnit.SECONDS));
    }

    @Test
    void bulkOutStallUntilClearHalt() throws Exception {
        VirtualCcidReader r = VirtualCcidReader.builder().card(testCard()).build();
        Host host = poweredHost(r);
        r.faults().next(Fault.stall(VirtualCcidReader.EP_BULK_OUT));
        assertThrows(UsbStallException.class, () -> host.send("65 00 00 00 00 00 02 00 00 00"));
        assertThrows(UsbStallException.class, () -> host.send("65 00 00 00 00 00 03 00 00 00"));
        host.h.clearHalt(VirtualCcidReader.EP_BULK_OUT);
        assertThrows(UsbTimeoutException.class, () -> host.readBytes(20));   // the stalled ones got no answer
        host.x(">> 65 00 00 00 00 00 04 00 00 00", "<< 81 00 00 00 00 00 04 00 00 00");
    }

    @Test
    void bulkInStallUntilClearFeature() throws Exception {
        VirtualCcidReader r = VirtualCcidReader.builder().card(testCard()).build();
        Host host = poweredHost(r);
        r.faults().next(Fault.stall(VirtualCcidReader.EP_BULK_IN));
        host.send("65 00 00 00 00 00 02 00 00 00");
        assertThrows(UsbStallException.class, () -> host.readBytes(1000));
        assertThrows(UsbStallException.class, () -> host.readBytes(1000));
        byte[] status = new byte[2];
        host.h.controlTransfer(0x82, 0x00, 0, VirtualCcidReader.EP_BULK_IN, status, 100);
        assertEquals(1, status[0]);                                          // GET_STATUS: halted
        host.h.controlTransfer(0x02, 0x01, 0, VirtualCcidReader.EP_BULK_IN, new byte[0], 100);
        assertThrows(UsbTimeoutException.class, () -> host.readBytes(20));
        host.x(">> 65 00 00 00 00 00 03 00 00 00", "<< 81 00 00 00 00 00 03 00 00 00");
    }

    @Test
    void noAnswerTimesOutThenAbortRecovers() throws Exception {
        VirtualCcidReader r = VirtualCcidReader.builder().card(testCard()).build();
        Host host = poweredHost(r);
        r.faults().next(Fault.timeExtension(1000, 1000));    // would take 1000 s: the abort ends it
        host.send("6F 04 00 00 00 00 02 00 00 00 80 01 00 00");
        assertThrows(UsbTimeoutException.class, () -> host.readBytes(20));
        host.h.controlTransfer(0x21, 0x01, 0x0300, 0, new byte[0], 100);
        assertEquals(n("80 00 00 00 00 00 02 40 FF 00"), host.read());
        host.x(">> 72 00 00 00 00 00 03 00 00 00", "<< 81 00 00 00 00 00 03 00 00 00");
        host.x(">> 6F 04 00 00 00 00 04 00 00 00 80 01 00 00", "<< 80 02 00 00 00 00 04 00 00 00 90 00");
    }

    @Test
    void handlesAreIndependentAndClosable() throws Exception {
        VirtualCcidReader r = VirtualCcidReader.builder().card(testCard()).build();
        Host host = open(r);
        UsbDeviceHandle second = session.open(r.usbDevice());
        second.close();
        assertThrows(UsbException.class, () -> second.claimInterface(0));
        assertNotEquals(null, host.h.device());
        assertThrows(IllegalArgumentException.class, () -> host.h.bulkIn(0x82, new byte[10], 0, 10, 0));
        assertThrows(UsbException.class, () -> host.h.bulkIn(0x83, new byte[10], 0, 10, 10));
    }
}
