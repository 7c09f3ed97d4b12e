package org.cardstack.sim.e2e;

import static org.cardstack.sim.Hex.b;
import static org.cardstack.sim.Hex.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.cardstack.reader.Reader;
import org.cardstack.reader.ReaderListener;
import org.cardstack.reader.ReaderSession;
import org.cardstack.reader.SlotState;
import org.cardstack.reader.ccid.CcidDriver;
import org.cardstack.sim.SimulateSpec;
import org.cardstack.sim.reader.VirtualCcidReader;
import org.cardstack.sim.reader.VirtualUsbSession;
import org.junit.jupiter.api.Test;

/**
 * A reader plugged in with a card already inserted announces it with "present, changed" in its first
 * NotifySlotChange (CCID §6.3.1; the rig's reader does so, ccid-traces U8). That is the state the driver
 * read at attach time, not a card swap: no slot event, and a card powered before the message is read
 * would stay powered.
 */
class CardPresentAtPlugTest {
    private static final String SELECT = "00 A4 04 00 0B F0 43 41 52 44 53 54 41 43 4B 01";

    @Test
    void firstSlotChangeIsTheInitialStateNotASwap() throws Exception {
        try (VirtualUsbSession usb = SimulateSpec.parse("applet=test").newSession();
             CcidDriver driver = new CcidDriver(usb);
             ReaderSession session = driver.openSession("test")) {
            List<String> events = new CopyOnWriteArrayList<>();
            session.addListener(new ReaderListener() {
                @Override
                public void readerAdded(Reader r) { }

                @Override
                public void readerRemoved(Reader r) { events.add("removed"); }

                @Override
                public void slotChanged(Reader r, int slot, SlotState state) { events.add(slot + " " + state); }
            });
            driver.start();
            Reader reader = driver.readers().get(0);
            VirtualCcidReader virtual = usb.readers().get(0);
            for (int i = 0; i < 400 && virtual.slotChangePending(); i++) {
                Thread.sleep(5);   // until the driver's slot watcher has read the announcement
            }
            assertFalse(virtual.slotChangePending(), "the driver never read the interrupt endpoint");
            reader.powerOn(0);
            assertEquals("90 00", s(reader.transmit(0, b(SELECT))));
            assertEquals(SlotState.POWERED, reader.slotState(0));
            assertTrue(events.isEmpty(), "no card change happened: " + events);
        }
    }
}
