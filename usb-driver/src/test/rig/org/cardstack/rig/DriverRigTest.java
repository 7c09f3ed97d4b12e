package org.cardstack.rig;

import org.cardstack.reader.CardAbsentException;
import org.cardstack.reader.CardUnpoweredException;
import org.cardstack.reader.Reader;
import org.cardstack.reader.ReaderException;
import org.cardstack.reader.ReaderGoneException;
import org.cardstack.reader.ReaderListener;
import org.cardstack.reader.ReaderSession;
import org.cardstack.reader.SlotState;
import org.cardstack.reader.ccid.CcidDriver;
import org.cardstack.usb.libusb.LibUsbSession;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The rig's real-USB test of the CCID reader driver: {@link CcidDriver} on {@link LibUsbSession},
 * used as pcsc-service uses it (ReaderDriver -> ReaderSession -> Reader, ReaderListener events).
 *
 * <pre>
 *   java -cp CLASSPATH org.cardstack.rig.DriverRigTest [full|rtt] [ROUNDS] [AID_HEX]
 * </pre>
 * {@code full}: reader found, ATR, SELECT, ROUNDS timed transmits, card removal and insertion as
 * slotChanged, reader unplug and re-plug as readerRemoved / readerAdded. {@code rtt}: ATR, SELECT and
 * the timed transmits only. Ends with "driver-rig-test: N passed, M failed"; exit status 1 on failure.
 */
public final class DriverRigTest {
    private final RigSupport t = new RigSupport("driver-rig-test");

    public static void main(String[] args) {
        String mode = args.length > 0 ? args[0] : "full";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        byte[] aid = RigSupport.HEX.parseHex(args.length > 2 ? args[2] : "F000000001");
        DriverRigTest test = new DriverRigTest();
        try {
            test.run(mode.equals("full"), rounds, aid);
        } catch (Exception | AssertionError e) {
            test.t.fail("unexpected", e);
        }
        System.out.println(test.t.summary());
        System.exit(test.t.failed() == 0 ? 0 : 1);
    }

    record Event(String kind, Reader reader, SlotState state, long nanos) {
    }

    private void run(boolean full, int rounds, byte[] aid) throws Exception {
        BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        try (LibUsbSession usb = new LibUsbSession();
             CcidDriver driver = new CcidDriver(usb).start();
             ReaderSession session = driver.openSession("rig-test")) {
            session.addListener(new ReaderListener() {
                @Override
                public void readerAdded(Reader reader) {
                    events.add(new Event("added", reader, null, System.nanoTime()));
                }

                @Override
                public void readerRemoved(Reader reader) {
                    events.add(new Event("removed", reader, null, System.nanoTime()));
                }

                @Override
                public void slotChanged(Reader reader, int slot, SlotState state) {
                    events.add(new Event("slot", reader, state, System.nanoTime()));
                }
            });
            Event first = next(events, e -> e.kind.equals("added"), 5_000);
            Reader reader = session.readers().stream().filter(r -> r.info().vendorId() == UsbRigTest.VID).findFirst()
                    .orElse(null);
            t.expect("driver finds the reader (readerAdded, readers())", reader != null && first != null
                    && first.reader == reader, reader == null ? session.readers().toString() : reader.info().toString());
            if (reader == null) {
                return;
            }
            t.expect("reader info: TPDU level, 1 slot, 08e6:4433", reader.info().exchangeLevel().equals("TPDU")
                    && reader.info().slotCount() == 1 && reader.info().productId() == UsbRigTest.PID, reader.info().name());
            byte[] select = RigSupport.selectApdu(aid);
            byte[] atr = reader.powerOn(0);
            t.expect("powerOn gives the rig's ATR", Arrays.equals(atr, UsbRigTest.RIG_ATR), RigSupport.HEX.formatHex(atr));
            byte[] r = reader.transmit(0, select);
            t.expect("transmit SELECT " + RigSupport.HEX.formatHex(aid) + " gives 9000", RigSupport.sw(r) == 0x9000,
                    RigSupport.HEX.formatHex(r));
            timedTransmits(reader, select, rounds);
            if (!full) {
                reader.powerOff(0);
                return;
            }
            Path control = RigSupport.control();
            if (control == null) {
                t.expect("running under the rig ($RIG_CONTROL set)", false, "hotplug skipped");
                return;
            }
            cardRemovalAndInsertion(reader, control, events, select);
            readerUnplugAndPlug(session, reader, control, events, select);
        }
    }

    private void timedTransmits(Reader reader, byte[] select, int rounds) throws ReaderException {
        // warm-up, not timed: at least 200 round trips and 3 s (the JIT compiles meanwhile; in the emulated
        // guest that takes a while and would otherwise land in the measurement)
        long warmEnd = System.nanoTime() + 3_000_000_000L;
        for (int i = 0; i < 200 || System.nanoTime() < warmEnd; i++) {
            reader.transmit(0, select);
        }
        long[] nanos = new long[rounds];
        int bad = 0;
        for (int i = 0; i < rounds; i++) {
            long t0 = System.nanoTime();
            byte[] r = reader.transmit(0, select);
            nanos[i] = System.nanoTime() - t0;
            if (RigSupport.sw(r) != 0x9000) {
                bad++;
            }
        }
        RigSupport.report("driver", nanos);
        t.expect(rounds + " Reader.transmit SELECT round trips all give 9000", bad == 0, bad + " did not");
    }

    private void cardRemovalAndInsertion(Reader reader, Path control, BlockingQueue<Event> events, byte[] select)
            throws Exception {
        events.clear();
        for (String action : new String[] {"remove", "insert"}) {
            boolean insert = action.equals("insert");
            long t0 = System.nanoTime();
            RigSupport.send(control, action);
            Event e = next(events, x -> x.kind.equals("slot") && x.reader == reader
                    && (insert ? x.state != SlotState.ABSENT : x.state == SlotState.ABSENT), 10_000);
            t.expect("card " + action + " -> slotChanged(" + (insert ? "PRESENT" : "ABSENT") + ")", e != null,
                    e == null ? "nothing within 10 s" : e.state + " after " + RigSupport.ms(e.nanos - t0) + " ms");
            if (e != null) {
                System.out.printf("RESULT event driver card-%s ms=%d%n", action, RigSupport.ms(e.nanos - t0));
            }
            if (!insert) {
                try {
                    reader.transmit(0, select);
                    t.expect("transmit with the card out fails", false, "it answered");
                } catch (CardAbsentException | CardUnpoweredException x) {
                    t.expect("transmit with the card out fails (card absent / unpowered)", true, x.getClass().getSimpleName());
                }
            }
        }
        byte[] atr = reader.powerOn(0);
        byte[] r = reader.transmit(0, select);
        t.expect("after re-insertion: powerOn and SELECT work", RigSupport.sw(r) == 0x9000,
                RigSupport.HEX.formatHex(atr) + ", SELECT -> " + RigSupport.HEX.formatHex(r));
    }

    private void readerUnplugAndPlug(ReaderSession session, Reader old, Path control, BlockingQueue<Event> events,
                                     byte[] select) throws Exception {
        events.clear();
        long t0 = System.nanoTime();
        RigSupport.send(control, "unplug");
        Event gone = next(events, e -> e.kind.equals("removed") && e.reader == old, 15_000);
        t.expect("reader unplug -> readerRemoved", gone != null,
                gone == null ? "nothing within 15 s" : "after " + RigSupport.ms(gone.nanos - t0) + " ms");
        if (gone != null) {
            System.out.printf("RESULT event driver reader-unplug ms=%d%n", RigSupport.ms(gone.nanos - t0));
        }
        try {
            old.transmit(0, select);
            t.expect("the old reader is gone: isGone(), transmit throws ReaderGoneException", false, "it answered");
        } catch (ReaderGoneException e) {
            t.expect("the old reader is gone: isGone(), transmit throws ReaderGoneException", old.isGone(), e.getMessage());
        }
        t.expect("readers() is empty while unplugged", session.readers().isEmpty(), session.readers().toString());

        t0 = System.nanoTime();
        RigSupport.send(control, "plug");
        Event back = next(events, e -> e.kind.equals("added"), 15_000);
        t.expect("reader plug -> readerAdded", back != null && back.reader != old && !back.reader.isGone(),
                back == null ? "nothing within 15 s" : back.reader.info().name() + " after "
                        + RigSupport.ms(back.nanos - t0) + " ms");
        if (back == null) {
            return;
        }
        System.out.printf("RESULT event driver reader-plug ms=%d%n", RigSupport.ms(back.nanos - t0));
        Reader reader = back.reader;
        SlotState s = reader.slotState(0);
        for (int i = 0; i < 100 && s == SlotState.ABSENT; i++) {
            Thread.sleep(50); // the card follows the reader
            s = reader.slotState(0);
        }
        byte[] atr = reader.powerOn(0);
        byte[] r = reader.transmit(0, select);
        t.expect("re-plugged reader: powerOn and SELECT work", Arrays.equals(atr, UsbRigTest.RIG_ATR)
                && RigSupport.sw(r) == 0x9000, "card there " + RigSupport.ms(System.nanoTime() - t0)
                + " ms after plug, SELECT -> " + RigSupport.HEX.formatHex(r));
        reader.powerOff(0);
    }

    private static Event next(BlockingQueue<Event> q, Predicate<Event> want, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            Event e = q.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (e == null || want.test(e)) {
                return e;
            }
        }
    }
}
