package org.cardstack.sim.card;

import org.cardstack.iso7816.atr.Atr;
import com.licel.jcardsim.samples.HelloWorldApplet;
import org.cardstack.sim.applets.TestApplet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;

import static org.cardstack.sim.Hex.b;
import static org.cardstack.sim.Hex.concat;
import static org.cardstack.sim.Hex.n;
import static org.cardstack.sim.Hex.pattern;
import static org.cardstack.sim.Hex.s;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimulatedCardTest {
    private SimulatedCard card;

    @BeforeEach
    void setUp() {
        card = new SimulatedCard();
        card.install(TestApplet.class, b(TestApplet.AID_HEX), null);
        card.powerOn();
    }

    private String x(String apdu) {
        return s(card.transmit(b(apdu)));
    }

    @Test
    void defaultAtrIsValidAndOffersT0ThenT1() {
        Atr info = Atr.parse(card.atr());
        assertEquals(n(CardAtrs.DEFAULT_HEX), s(card.atr()));
        assertEquals(java.util.List.of(0, 1), info.protocols());
        assertTrue(info.tck().isPresent());
        Atr rig = Atr.parse(CardAtrs.rigT0Atr());
        assertEquals(java.util.List.of(0), rig.protocols());
        assertThrows(IllegalArgumentException.class, () -> Atr.parse(b("3B 8A 80 01 4A 43 4F 50 33 31 56 32 33 32 00")));
        assertThrows(IllegalArgumentException.class, () -> card.setAtr(b("3B 02 01")));
    }

    @Test
    void installParametersHaveTheJcreLayout() {
        assertEquals("05 F0 00 00 00 01 00 02 AA BB",
                s(SimulatedCard.installParameters(b("F000000001"), b("AABB"))));
        assertEquals("05 F0 00 00 00 01 00 00", s(SimulatedCard.installParameters(b("F000000001"), null)));
        assertThrows(IllegalArgumentException.class, () -> SimulatedCard.installParameters(b("F0"), null));
    }

    @Test
    void iso7816CasesOnTheTestApplet() {
        assertEquals("90 00", x("80 01 00 00"));                          // case 1
        assertEquals("00 01 02 03 04 90 00", x("80 02 00 00 05"));        // case 2, N = Ne
        assertEquals("00 01 02 90 00", x("80 02 00 03 00"));              // case 2, N = P1P2
        assertEquals("90 00", x("80 03 00 01 03 00 01 02"));              // case 3, pattern checked
        assertEquals("69 84", x("80 03 00 01 03 00 01 03"));
        assertEquals("11 22 33 90 00", x("80 04 00 00 03 11 22 33 00"));  // case 4
        assertEquals("00 01 61 07", x("80 05 02 07 00"));                 // the applet's own 61xx
        assertEquals("6A 82", x("80 06 6A 82"));
        assertEquals("6D 00", x("80 7E 00 00"));
    }

    @Test
    void extendedLengthCommandsAndResponses() {
        byte[] data = pattern(5000);
        byte[] cmd = concat(b("80 04 00 00 00 13 88"), data, b("00 00"));
        assertArrayEquals(concat(data, b("90 00")), card.transmit(cmd));
        byte[] r = card.transmit(b("80 02 10 00 00 00 00"));               // 4096 bytes, extended Le
        assertArrayEquals(concat(pattern(4096), b("90 00")), r);
        assertEquals("90 00", x("80 03 00 01 00 0B B8 " + s(pattern(3000))));
    }

    @Test
    void anOpenTransactionIsAbortedAfterTheCommand() {
        assertEquals("6F 01", x("80 07 01 00"));          // left open by the applet
        assertEquals(1, card.transactionsAborted());
        assertEquals("00 01 00 90 00", x("80 08 00 00 03")); // depth 0 again (counter kept: no rollback)
        assertEquals("90 00", x("80 07 00 00"));          // a new transaction works
        assertEquals("00 02 00 90 00", x("80 08 00 00 03"));
    }

    @Test
    void resetClearsTransientStateAndSelectsTheDefaultApplet() {
        assertEquals("00 90 00", x("80 09 00 00 01"));
        assertEquals("01 90 00", x("80 09 00 00 01"));
        card.powerOn();
        assertEquals("00 90 00", x("80 09 00 00 01"));
        card.powerOff();
        assertThrows(IllegalStateException.class, () -> card.transmit(b("80 01 00 00")));
    }

    @Test
    void helloWorldSample() {
        SimulatedCard hello = new SimulatedCard(CardAtrs.rigT0Atr());
        // the sample reads La at a fixed offset (it assumes 2 bytes of control info): give it no bArray
        assertThrows(IllegalStateException.class, () -> hello.install(HelloWorldApplet.class, b("F000000001"), null));
        hello.installRaw(HelloWorldApplet.class, b("F000000001"), new byte[0]);
        hello.powerOn();
        assertEquals("90 00", s(hello.transmit(b("00 A4 04 00 05 F0 00 00 00 01"))));
        assertEquals(n("48 65 6C 6C 6F 20 77 6F 72 6C 64 20 21 90 00"), s(hello.transmit(b("80 01 00 00 0D"))));
    }

    @Test
    void twoCardsOnSeveralThreads() throws Exception {
        SimulatedCard other = new SimulatedCard();
        other.install(TestApplet.class, b(TestApplet.AID_HEX), null);
        other.powerOn();
        ExecutorService ex = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> fs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                SimulatedCard c = t % 2 == 0 ? card : other;
                int len = 10 + t;
                fs.add(ex.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        byte[] d = pattern(len);
                        byte[] r = c.transmit(concat(b("80 04 00 00"), new byte[] {(byte) len}, d, b("00")));
                        if (!s(r).equals(s(concat(d, b("90 00"))))) return false;
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : fs) assertTrue(f.get());
        } finally {
            ex.shutdownNow();
        }
    }
}
