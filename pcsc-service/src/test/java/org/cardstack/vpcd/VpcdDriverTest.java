package org.cardstack.vpcd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.HexFormat;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.cardstack.reader.CardAbsentException;
import org.cardstack.reader.CardUnpoweredException;
import org.cardstack.reader.NotSupportedException;
import org.cardstack.reader.Reader;
import org.cardstack.reader.ReaderGoneException;
import org.cardstack.reader.ReaderListener;
import org.cardstack.reader.ReaderSession;
import org.cardstack.reader.SlotState;
import org.cardstack.vpcd.wire.VpcdCommand;
import org.cardstack.vpcd.wire.VpcdWire;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class VpcdDriverTest {
    private static final HexFormat HEX = HexFormat.of().withUpperCase();
    static final VpcdOptions FAST = VpcdOptions.defaults().withPort(0).withTimeouts(2_000, 1_000).withReconnect(50, 1_000);

    private VpcdDriver driver;
    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();

    @AfterEach
    void close() {
        if (driver != null) driver.close();
    }

    private VpcdDriver listen(int readers) throws IOException, InterruptedException {
        driver = VpcdDriver.listen(FAST.withReaders(readers));
        ReaderSession s = driver.openSession("test");
        s.addListener(new ReaderListener() {
            @Override
            public void readerAdded(Reader reader) { events.add("added " + reader.info().name()); }

            @Override
            public void readerRemoved(Reader reader) { events.add("removed " + reader.info().name()); }

            @Override
            public void slotChanged(Reader reader, int slot, SlotState state) { events.add(state + " " + reader.info().name()); }
        });
        for (int i = 0; i < readers; i++) {
            assertTrue(next().startsWith("added "));
        }
        return driver;
    }

    private String next() throws InterruptedException {
        String e = events.poll(5, TimeUnit.SECONDS);
        assertNotNull(e, "no reader event within 5 s");
        return e;
    }

    private InetSocketAddress at(int i) { return driver.addresses().get(i); }

    private Reader reader(int i) { return driver.readers().get(i); }

    @Test
    void listensOnLoopbackByDefault() throws Exception {
        listen(2);
        assertTrue(at(0).getAddress().isLoopbackAddress());
        assertEquals(VpcdWire.DEFAULT_PORT, VpcdOptions.defaults().port());
        assertTrue(reader(0).info().name().startsWith("Virtual PCD 127.0.0.1:"), reader(0).info().name());
        assertEquals(SlotState.ABSENT, reader(0).slotState(0));
        assertThrows(CardAbsentException.class, () -> reader(0).powerOn(0));
    }

    @Test
    void aConnectingCardIsInsertedAndADisconnectingOneRemoved() throws Exception {
        listen(1);
        try (TestVicc vicc = TestVicc.connect(at(0))) {
            assertEquals("PRESENT " + reader(0).info().name(), next());
            assertEquals(SlotState.PRESENT, reader(0).slotState(0));
            assertThrows(CardUnpoweredException.class, () -> reader(0).transmit(0, HEX.parseHex("00A4040000")));
            assertArrayEquals(TestVicc.ATR, reader(0).powerOn(0));
            assertEquals(SlotState.POWERED, reader(0).slotState(0));
            assertArrayEquals(TestVicc.ATR, reader(0).atr(0));
            byte[] r = reader(0).transmit(0, HEX.parseHex("0001020304AABBCCDD"));
            assertEquals("0001020304AABBCCDD9000", HEX.formatHex(r));
            assertArrayEquals(TestVicc.ATR, reader(0).powerOn(0));   // warm reset
            reader(0).powerOff(0);
            assertNull(reader(0).atr(0));
            assertThrows(NotSupportedException.class, () -> reader(0).escape(0, new byte[] {1}));
            waitFor(() -> vicc.received.size() == 7);
            // ATR at connection; ON, ATR; RESET, ATR; APDU; OFF
            assertEquals("[ATR, POWER_ON, ATR, Apdu[0001020304AABBCCDD], RESET, ATR, POWER_OFF]",
                    vicc.received.toString());
        }
        assertEquals("ABSENT " + reader(0).info().name(), next());
        assertEquals(SlotState.ABSENT, reader(0).slotState(0));
    }

    @Test
    void extendedLengthBothWays() throws Exception {
        listen(1);
        try (TestVicc vicc = TestVicc.connect(at(0))) {
            next();
            vicc.card = apdu -> TestVicc.concat(new byte[65533], new byte[] {(byte) 0x90, 0});
            reader(0).powerOn(0);
            byte[] cmd = new byte[65535];
            cmd[0] = 0;
            cmd[1] = 4;
            assertEquals(65535, reader(0).transmit(0, cmd).length);
            assertThrows(NotSupportedException.class, () -> reader(0).transmit(0, new byte[65536]));
        }
    }

    @Test
    void cardVanishingMidApduIsCardAbsentNotAHang() throws Exception {
        listen(1);
        try (TestVicc vicc = TestVicc.connect(at(0))) {
            next();
            reader(0).powerOn(0);
            vicc.onApdu = TestVicc.OnApdu.DISCONNECT;
            long t0 = System.nanoTime();
            CardAbsentException e = assertThrows(CardAbsentException.class, () -> reader(0).transmit(0, HEX.parseHex("00B0000000")));
            assertTrue(System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(900), "took the timeout, not the disconnection");
            assertTrue(e.getMessage().contains("removed during the command"), e.getMessage());
            assertEquals("ABSENT " + reader(0).info().name(), next());
        }
    }

    @Test
    void cardHangingMidApduIsDroppedAfterTheTimeout() throws Exception {
        listen(1);
        try (TestVicc vicc = TestVicc.connect(at(0))) {
            next();
            reader(0).powerOn(0);
            vicc.onApdu = TestVicc.OnApdu.HANG;
            long t0 = System.nanoTime();
            CardAbsentException e = assertThrows(CardAbsentException.class, () -> reader(0).transmit(0, HEX.parseHex("00B0000000")));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(ms >= 900 && ms < 5_000, ms + " ms");
            assertTrue(e.getMessage().contains("no answer within 1000 ms to APDU 00B0000000"), e.getMessage());
            assertEquals("ABSENT " + reader(0).info().name(), next());
            assertThrows(CardAbsentException.class, () -> reader(0).transmit(0, HEX.parseHex("00B0000000")));
        }
    }

    @Test
    void aSecondCardOnTheSameReaderIsRefusedAndTheFirstKeepsWorking() throws Exception {
        listen(1);
        try (TestVicc first = TestVicc.connect(at(0))) {
            next();
            reader(0).powerOn(0);
            try (Socket second = new Socket()) {
                second.connect(at(0), 1_000);
                second.setSoTimeout(3_000);
                assertEquals(-1, second.getInputStream().read(), "second peer not closed");
            }
            assertEquals("00A404009000", HEX.formatHex(reader(0).transmit(0, HEX.parseHex("00A40400"))));
            assertNull(events.poll(200, TimeUnit.MILLISECONDS));
        }
    }

    /** Peers that break the protocol, each on reader 1 while reader 0 holds a working card. */
    @Test
    void garbageAndOversizedPeersAreDroppedWithoutDisturbingAnything() throws Exception {
        listen(2);
        try (TestVicc good = TestVicc.connect(at(0))) {
            assertEquals("PRESENT " + reader(0).info().name(), next());
            reader(0).powerOn(0);
            String[] bad = {
                "0000",                       // zero length
                "FFFF" + "3B00".repeat(20),   // 65535 announced as an ATR
                "0022" + "3B".repeat(34),     // 34-byte ATR: one more than ISO 7816-3 allows
                "0003" + "112233",            // not an ATR
                "00",                         // half a header, then nothing
                "",                           // silence
            };
            for (String b : bad) {
                try (Socket s = new Socket()) {
                    s.connect(at(1), 1_000);
                    s.setSoTimeout(4_000);
                    InputStream in = s.getInputStream();
                    assertEquals("000104", HEX.formatHex(in.readNBytes(3)), "ATR request expected first");
                    s.getOutputStream().write(HEX.parseHex(b));
                    s.getOutputStream().flush();
                    assertEquals(-1, in.read(), "peer '" + b + "' not dropped");
                }
                assertEquals(SlotState.ABSENT, reader(1).slotState(0), b);
                assertEquals("00A404009000", HEX.formatHex(reader(0).transmit(0, HEX.parseHex("00A40400"))), b);
            }
            assertNull(events.poll(100, TimeUnit.MILLISECONDS), "a dropped peer was never a card");
        }
    }

    @Test
    void aSilentPeerDoesNotHoldUpTheNextCard() throws Exception {
        listen(1);
        try (Socket silent = new Socket()) {
            silent.connect(at(0), 1_000);
            silent.setSoTimeout(3_000);
            assertEquals("000104", HEX.formatHex(silent.getInputStream().readNBytes(3)));
            long t0 = System.nanoTime();
            try (TestVicc vicc = TestVicc.connect(at(0))) {
                assertEquals("PRESENT " + reader(0).info().name(), next());
                assertTrue(System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(1_500), "waited for the silent peer");
                reader(0).powerOn(0);
                assertEquals(-1, silent.getInputStream().read(), "silent peer not dropped");
            }
        }
    }

    @Test
    void aCardSpeakingOutOfTurnOrOverlongIsRemoved() throws Exception {
        listen(1);
        // unsolicited message from an accepted card
        try (Socket s = new Socket()) {
            s.connect(at(0), 1_000);
            s.setSoTimeout(4_000);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            in.readNBytes(3);
            out.write(VpcdWire.frame(TestVicc.ATR));
            assertEquals("PRESENT " + reader(0).info().name(), next());
            out.write(VpcdWire.frame(new byte[] {(byte) 0x90, 0}));
            assertEquals("ABSENT " + reader(0).info().name(), next());
            assertEquals(-1, in.read());
        }
        // a response APDU longer than the configured bound
        driver.close();
        driver = VpcdDriver.listen(FAST.withMaxResponse(258));
        try (Socket s = new Socket()) {
            s.connect(at(0), 1_000);
            s.setSoTimeout(4_000);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            in.readNBytes(3);
            out.write(VpcdWire.frame(TestVicc.ATR));
            Reader r = reader(0);
            waitFor(() -> r.slotState(0) == SlotState.PRESENT);
            Thread t = new Thread(() -> {
                try {
                    in.readNBytes(3 + 3);                  // ON, ATR request
                    out.write(VpcdWire.frame(TestVicc.ATR));
                    out.flush();
                    in.readNBytes(2 + 5);                  // the APDU
                    out.write(HEX.parseHex("0103"));       // 259 bytes announced
                    out.flush();
                } catch (IOException e) {
                    // dropped
                }
            });
            t.start();
            r.powerOn(0);
            assertThrows(CardAbsentException.class, () -> r.transmit(0, HEX.parseHex("00B0000000")));
            t.join(2_000);
        }
    }

    @Test
    void reverseModeConnectsOutAndReconnects() throws Exception {
        ServerSocket server = TestVicc.loopbackServer();
        int port = server.getLocalPort();
        driver = VpcdDriver.connect("127.0.0.1", port, FAST);
        Reader r = driver.readers().get(0);
        assertTrue(r.info().name().contains("(reverse)"));
        try (TestVicc vicc = TestVicc.listen(server)) {
            waitFor(() -> r.slotState(0) == SlotState.PRESENT);
            r.powerOn(0);
            assertEquals("112233449000", HEX.formatHex(r.transmit(0, HEX.parseHex("11223344"))));
        }
        waitFor(() -> r.slotState(0) == SlotState.ABSENT);
        // the card comes back on the same port: reconnected
        try (ServerSocket again = new ServerSocket()) {
            again.setReuseAddress(true);
            again.bind(new InetSocketAddress("127.0.0.1", port));
            try (TestVicc vicc = TestVicc.listen(again)) {
                waitFor(() -> r.slotState(0) == SlotState.PRESENT);
                assertTrue(driver.eject(0));
                waitFor(() -> r.slotState(0) == SlotState.ABSENT);
            }
        }
    }

    @Test
    void closedDriverReleasesPortsAndReadersAreGone() throws Exception {
        listen(1);
        InetSocketAddress a = at(0);
        TestVicc vicc = TestVicc.connect(a);
        next();
        Reader r = reader(0);
        driver.close();
        assertTrue(r.isGone());
        assertThrows(ReaderGoneException.class, () -> r.slotState(0));
        assertTrue(events.contains("removed " + r.info().name()) || next().startsWith("ABSENT"));
        try (ServerSocket s = new ServerSocket()) {
            s.bind(a);   // the port is free again
        }
        vicc.close();
    }

    @Test
    void portInUseIsAClearError() throws Exception {
        try (ServerSocket taken = TestVicc.loopbackServer()) {
            IOException e = assertThrows(IOException.class,
                    () -> VpcdDriver.listen(FAST.withPort(taken.getLocalPort())));
            assertTrue(e.getMessage().contains("cannot listen on 127.0.0.1:" + taken.getLocalPort()), e.getMessage());
        }
    }

    @Test
    void controlBytesOnTheWireAreThoseOfVpcd() {
        assertEquals(0, VpcdCommand.Control.POWER_OFF.code());
        assertEquals(1, VpcdCommand.Control.POWER_ON.code());
        assertEquals(2, VpcdCommand.Control.RESET.code());
        assertEquals(4, VpcdCommand.Control.ATR.code());
        assertFalse(VpcdCommand.Control.of(3) != null);
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void waitFor(Check c) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!c.ok()) {
            if (System.nanoTime() > end) throw new AssertionError("condition not met within 5 s");
            Thread.sleep(10);
        }
    }
}
