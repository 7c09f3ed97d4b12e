package org.cardstack.sim.e2e;

import static org.cardstack.sim.Hex.b;
import static org.cardstack.sim.Hex.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.cardstack.quirks.QuirkTable;
import org.cardstack.reader.CardAbsentException;
import org.cardstack.reader.CardUnpoweredException;
import org.cardstack.reader.Reader;
import org.cardstack.reader.ReaderListener;
import org.cardstack.reader.ReaderSession;
import org.cardstack.reader.SlotState;
import org.cardstack.reader.ccid.CcidDriver;
import org.cardstack.reader.ccid.CcidTimeouts;
import org.cardstack.sim.SimulateSpec;
import org.cardstack.sim.reader.VirtualCcidReader;
import org.cardstack.sim.reader.VirtualUsbSession;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A reader with three slots (bMaxSlotIndex 2), each with its own card, with and without an interrupt
 * endpoint: slots are independent, and card events per slot come from NotifySlotChange (CCID §6.3.1)
 * or, without an interrupt endpoint, from GetSlotStatus polling.
 */
class MultiSlotReaderTest {
    private static final String SELECT = "00 A4 04 00 0B F0 43 41 52 44 53 54 41 43 4B 01";

    @ParameterizedTest(name = "interrupt={0}")
    @ValueSource(strings = {"yes", "no"})
    void threeSlotsWithTheirOwnCardsAndEvents(String interrupt) throws Exception {
        SimulateSpec spec = SimulateSpec.parse("applet=test,slots=3,cards=2,interrupt=" + interrupt);
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        try (VirtualUsbSession usb = spec.newSession();
             CcidDriver driver = new CcidDriver(usb, QuirkTable.standard(), new CcidTimeouts(1_000, 5_000, 200, 20));
             ReaderSession session = driver.openSession("multi-slot")) {
            session.addListener(new ReaderListener() {
                @Override
                public void readerAdded(Reader r) { }

                @Override
                public void readerRemoved(Reader r) { }

                @Override
                public void slotChanged(Reader r, int slot, SlotState state) { events.add(slot + " " + state); }
            });
            driver.start();
            Reader reader = driver.readers().get(0);
            VirtualCcidReader virtual = usb.readers().get(0);
            assertEquals(3, reader.info().slotCount());
            assertEquals(SlotState.PRESENT, reader.slotState(0));
            assertEquals(SlotState.PRESENT, reader.slotState(1));
            assertEquals(SlotState.ABSENT, reader.slotState(2));

            reader.powerOn(0);
            reader.powerOn(1);
            assertEquals("90 00", s(reader.transmit(0, b(SELECT))));
            assertEquals("90 00", s(reader.transmit(1, b(SELECT))));
            // Each card has its own state: the persistent counter (INS 07 adds one, INS 08 reads it).
            assertEquals("90 00", s(reader.transmit(0, b("80 07 00 00"))));
            assertEquals("00 01 00 90 00", s(reader.transmit(0, b("80 08 00 00 03"))));
            assertEquals("00 00 00 90 00", s(reader.transmit(1, b("80 08 00 00 03"))));
            assertThrows(CardUnpoweredException.class, () -> reader.transmit(2, b(SELECT)));

            virtual.removeCard(1);
            assertEquals("1 ABSENT", events.poll(3, TimeUnit.SECONDS));
            assertThrows(CardAbsentException.class, () -> reader.powerOn(1));
            assertEquals("AA 90 00", s(reader.transmit(0, b("80 04 00 00 01 AA 00"))), "slot 0 unaffected");

            virtual.insertCard(2, spec.newCard());
            assertEquals("2 PRESENT", events.poll(3, TimeUnit.SECONDS));
            reader.powerOn(2);
            assertEquals("90 00", s(reader.transmit(2, b(SELECT))));
            assertEquals(null, events.poll(100, TimeUnit.MILLISECONDS), "no other event");
        }
    }
}
