package org.cardstack.vpcd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.cardstack.reader.Reader;
import org.cardstack.reader.ReaderException;
import org.cardstack.reader.SlotState;
import org.cardstack.vpcd.wire.VpcdCommand;
import org.cardstack.vpcd.wire.VpcdFormatException;
import org.cardstack.vpcd.wire.VpcdWire;
import org.junit.jupiter.api.AfterAll;

/**
 * Jazzer fuzz targets. Under {@code mvn test} they run in regression mode on the inputs in
 * src/test/resources/org/cardstack/vpcd/VpcdFuzzTestInputs; with {@code JAZZER_FUZZ=1} (one target at a
 * time, -Dtest=VpcdFuzzTest#frames) Jazzer fuzzes for the given duration.
 */
class VpcdFuzzTest {
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    /** Any byte stream: messages come out only as framed, anything else is a VpcdFormatException or EOF. */
    @FuzzTest(maxDuration = "30s")
    void frames(FuzzedDataProvider data) throws IOException {
        int max = data.consumeInt(1, VpcdWire.MAX_PAYLOAD);
        byte[] bytes = data.consumeRemainingAsBytes();
        InputStream in = new ByteArrayInputStream(bytes);
        int consumed = 0;
        while (true) {
            byte[] payload;
            try {
                payload = VpcdWire.readMessage(in, max);
            } catch (VpcdFormatException e) {
                int n = (bytes[consumed] & 0xFF) << 8 | (bytes[consumed + 1] & 0xFF);
                assertTrue(n == 0 || n > max, "refused a valid length " + n);
                return;
            } catch (EOFException e) {
                assertTrue(bytes.length - consumed < 2 + ((bytes[consumed] & 0xFF) << 8 | (bytes.length > consumed + 1
                        ? bytes[consumed + 1] & 0xFF : 0)), "EOF with the message all there");
                return;
            }
            if (payload == null) {
                assertEquals(bytes.length, consumed);
                return;
            }
            assertTrue(payload.length >= 1 && payload.length <= max);
            byte[] frame = VpcdWire.frame(payload);
            byte[] original = java.util.Arrays.copyOfRange(bytes, consumed, consumed + frame.length);
            assertArrayEquals(original, frame, "re-encoding differs");
            consumed += frame.length;
            try {
                VpcdCommand c = VpcdWire.decodeCommand(payload);
                if (c instanceof VpcdCommand.Control k) {
                    assertEquals(1, payload.length);
                    assertArrayEquals(payload, k.payload());
                } else {
                    assertArrayEquals(payload, c.payload());
                }
            } catch (VpcdFormatException e) {
                assertEquals(1, payload.length);
            }
        }
    }

    private static VpcdDriver driver;
    private static TestVicc good;

    @AfterAll
    static void closeDriver() throws IOException {
        if (good != null) good.close();
        if (driver != null) driver.close();
    }

    private static synchronized void setUp() throws Exception {
        if (driver == null) {
            driver = VpcdDriver.listen(VpcdOptions.defaults().withPort(0).withReaders(2).withTimeouts(300, 200));
            good = TestVicc.connect(driver.addresses().get(0));
            VpcdDriverTest.waitFor(() -> driver.readers().get(0).slotState(0) == SlotState.PRESENT);
            driver.readers().get(0).powerOn(0);
        }
    }

    /**
     * A card that answers every request with bytes from the fuzzer (framed or not): the reader either
     * takes it as a card or drops it, every operation ends in a value or a ReaderException within the
     * timeouts, the slot is empty once the peer is gone, and the card on the other reader keeps working.
     */
    @FuzzTest(maxDuration = "60s")
    void peer(FuzzedDataProvider data) throws Exception {
        // Jazzer's SSRF detector flags every connection; this target only talks to its own loopback driver.
        try (SilentCloseable loopback = BugDetectors.allowNetworkConnections(
                (host, port) -> host.equals("localhost") || host.equals("127.0.0.1"))) {
            peerOnLoopback(data);
        }
    }

    private void peerOnLoopback(FuzzedDataProvider data) throws Exception {
        setUp();
        Reader r = driver.readers().get(1);
        Reader other = driver.readers().get(0);
        try (Socket s = new Socket()) {
            s.connect(driver.addresses().get(1), 1_000);
            s.setSoTimeout(3_000);
            Thread cardSide = new Thread(() -> answer(s, data), "fuzz-vicc");
            cardSide.setDaemon(true);
            cardSide.start();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (r.slotState(0) == SlotState.ABSENT && cardSide.isAlive() && System.nanoTime() < end) {
                Thread.sleep(1);
            }
            if (r.slotState(0) != SlotState.ABSENT) {
                try {
                    r.powerOn(0);
                    r.transmit(0, HEX.parseHex("00A4040000"));
                    r.transmit(0, HEX.parseHex("80CA9F7F00"));
                    r.powerOff(0);
                } catch (ReaderException e) {
                    // a typed failure is an acceptable outcome
                }
            }
            cardSide.join(5_000);
            assertTrue(!cardSide.isAlive(), "card side still talking");
        }
        VpcdDriverTest.waitFor(() -> r.slotState(0) == SlotState.ABSENT);
        assertEquals("00A40400009000", HEX.formatHex(other.transmit(0, HEX.parseHex("00A4040000"))));
    }

    /** vicc's loop, answering with fuzz bytes; ends when the fuzz data or the connection ends. */
    private static void answer(Socket s, FuzzedDataProvider data) {
        try {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            while (data.remainingBytes() > 0) {
                byte[] msg = VpcdWire.readMessage(in, VpcdWire.MAX_PAYLOAD);
                if (msg == null) return;
                VpcdCommand c = VpcdWire.decodeCommand(msg);
                if (c == VpcdCommand.Control.ATR || c instanceof VpcdCommand.Apdu) {
                    out.write(data.consumeBytes(data.consumeInt(0, 300)));
                    out.flush();
                }
            }
            s.close();
        } catch (IOException e) {
            // dropped by the reader: fine
        }
    }
}
