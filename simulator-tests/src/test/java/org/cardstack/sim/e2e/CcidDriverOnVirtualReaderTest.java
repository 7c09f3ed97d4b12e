package org.cardstack.sim.e2e;

import org.cardstack.reader.Reader;
import org.cardstack.reader.ReaderListener;
import org.cardstack.reader.ReaderSession;
import org.cardstack.reader.SlotState;
import org.cardstack.reader.ccid.CcidDriver;
import org.cardstack.sim.SimulateSpec;
import org.cardstack.sim.reader.VirtualUsbSession;
import org.junit.jupiter.api.Test;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.cardstack.sim.Hex.b;
import static org.cardstack.sim.Hex.concat;
import static org.cardstack.sim.Hex.pattern;
import static org.cardstack.sim.Hex.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Smoke test: the project's CCID driver (org.cardstack.reader.ccid) on the virtual reader, at each
 * exchange level. The reader's first interrupt message after plugging reports the card as present and
 * changed (as real readers do); the driver treats that as a card change and forgets the ATR, so a card
 * powered before the driver has read that message loses its power state. The tests start with the reader
 * empty and insert the card once the listener is registered, then wait for the driver's slot event.
 */
class CcidDriverOnVirtualReaderTest {
    private static final String SELECT = "00 A4 04 00 0B F0 43 41 52 44 53 54 41 43 4B 01";

    private interface Body {
        void run(Reader r) throws Exception;
    }

    private static void with(String spec, Body body) throws Exception {
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        SimulateSpec sim = SimulateSpec.parse(spec + ",empty");
        try (VirtualUsbSession usb = sim.newSession();
             CcidDriver driver = new CcidDriver(usb).start();
             ReaderSession session = driver.openSession("test")) {
            BlockingQueue<Reader> readers = new LinkedBlockingQueue<>();
            session.addListener(new ReaderListener() {
                @Override
                public void readerAdded(Reader reader) { readers.add(reader); }

                @Override
                public void readerRemoved(Reader reader) { }

                @Override
                public void slotChanged(Reader reader, int slot, SlotState state) { events.add(slot + " " + state); }
            });
            Reader r = readers.poll(5, TimeUnit.SECONDS);
            assertNotNull(r, "no reader for " + spec);
            usb.readers().get(0).insertCard(0, sim.newCard());
            assertEquals("0 PRESENT", events.poll(5, TimeUnit.SECONDS));
            body.run(r);
        }
    }

    @Test
    void shortApduLevel() throws Exception {
        with("level=short", r -> {
            r.powerOn(0);
            assertEquals("90 00", s(r.transmit(0, b(SELECT))));
            assertEquals("AA BB 90 00", s(r.transmit(0, b("80 04 00 00 02 AA BB 00"))));
        });
    }

    @Test
    void tpduLevelReturns61xxAsItIs() throws Exception {
        with("t0", r -> {
            r.powerOn(0);
            assertEquals("90 00", s(r.transmit(0, b(SELECT))));
            assertEquals("61 02", s(r.transmit(0, b("80 04 00 00 02 AA BB 00"))));   // as in PC/SC
            assertEquals("AA BB 90 00", s(r.transmit(0, b("00 C0 00 00 02"))));
            assertEquals("6C 0D", s(r.transmit(0, b("80 02 00 0D 05"))));
        });
    }

    @Test
    void extendedLevelWithChaining() throws Exception {
        with("level=extended,max=271", r -> {
            r.powerOn(0);
            byte[] data = pattern(1000);
            byte[] apdu = concat(b("80 04 00 00 00 03 E8"), data, b("00 00"));
            assertEquals(s(concat(data, b("90 00"))), s(r.transmit(0, apdu)));
        });
    }
}
