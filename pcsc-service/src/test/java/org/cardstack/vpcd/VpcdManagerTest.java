package org.cardstack.vpcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.cardstack.pcsc.Disposition;
import org.cardstack.pcsc.PcscException;
import org.cardstack.pcsc.Protocol;
import org.cardstack.pcsc.ScardError;
import org.cardstack.pcsc.ShareMode;
import org.cardstack.pcsc.manager.CardHandle;
import org.cardstack.pcsc.manager.Context;
import org.cardstack.pcsc.manager.ResourceManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The vpcd reader source behind the PC/SC resource manager: what a PC/SC client sees. */
@Timeout(30)
class VpcdManagerTest {
    private static final HexFormat HEX = HexFormat.of().withUpperCase();
    private VpcdDriver driver;
    private ResourceManager rm;
    private Context ctx;

    @BeforeEach
    void setUp() throws Exception {
        driver = VpcdDriver.listen(VpcdDriverTest.FAST);
        rm = new ResourceManager();
        rm.addSource(driver);
        rm.sync();
        ctx = rm.establishContext("test");
    }

    @AfterEach
    void tearDown() {
        rm.close();
        driver.close();
    }

    private String name() throws PcscException {
        List<String> names = ctx.listReaders();
        assertEquals(1, names.size(), names.toString());
        return names.get(0);
    }

    private CardHandle connectWhenPresent() throws Exception {
        String name = name();
        assertTrue(name.startsWith("Virtual PCD 127.0.0.1:"), name);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            try {
                return ctx.connect(name, ShareMode.SHARED, Protocol.ANY);
            } catch (PcscException e) {
                if (e.error() != ScardError.E_NO_SMARTCARD || System.nanoTime() > end) throw e;
                Thread.sleep(10);
            }
        }
    }

    @Test
    void apduExchangeThroughTheManager() throws Exception {
        try (TestVicc vicc = TestVicc.connect(driver.addresses().get(0))) {
            CardHandle h = connectWhenPresent();
            byte[] r = h.transmit(h.activeProtocol(), HEX.parseHex("00A4040005F000000001"));
            assertEquals("00A4040005F0000000019000", HEX.formatHex(r));
            h.disconnect(Disposition.LEAVE);
        }
    }

    @Test
    void cardVanishingMidApduGivesRemovedCardNotAHang() throws Exception {
        try (TestVicc vicc = TestVicc.connect(driver.addresses().get(0))) {
            CardHandle h = connectWhenPresent();
            vicc.onApdu = TestVicc.OnApdu.DISCONNECT;
            long t0 = System.nanoTime();
            PcscException e = assertThrows(PcscException.class, () -> h.transmit(h.activeProtocol(), HEX.parseHex("00B0000000")));
            assertEquals(ScardError.W_REMOVED_CARD, e.error(), e.getMessage());
            assertTrue(System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(900));
            assertEquals(ScardError.W_REMOVED_CARD,
                    assertThrows(PcscException.class, () -> h.transmit(h.activeProtocol(), HEX.parseHex("00B0000000"))).error());
        }
    }

    @Test
    void cardHangingMidApduGivesRemovedCardAfterTheTimeout() throws Exception {
        try (TestVicc vicc = TestVicc.connect(driver.addresses().get(0))) {
            CardHandle h = connectWhenPresent();
            vicc.onApdu = TestVicc.OnApdu.HANG;
            long t0 = System.nanoTime();
            PcscException e = assertThrows(PcscException.class, () -> h.transmit(h.activeProtocol(), HEX.parseHex("00B0000000")));
            assertEquals(ScardError.W_REMOVED_CARD, e.error(), e.getMessage());
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(ms >= 900 && ms < 5_000, ms + " ms");
        }
    }
}
