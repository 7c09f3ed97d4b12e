package org.cardstack.sim.card;

import org.cardstack.sim.applets.TestApplet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.cardstack.sim.Hex.b;
import static org.cardstack.sim.Hex.concat;
import static org.cardstack.sim.Hex.n;
import static org.cardstack.sim.Hex.pattern;
import static org.cardstack.sim.Hex.s;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** T=0 exchanges, written as {@code ">> TPDU", "<< answer"} pairs. */
class T0CardTest {
    private T0Card t0;

    @BeforeEach
    void setUp() {
        SimulatedCard card = new SimulatedCard(CardAtrs.rigT0Atr());
        card.install(TestApplet.class, b(TestApplet.AID_HEX), null);
        card.powerOn();
        t0 = new T0Card(card);
    }

    /** Runs exchanges given as alternating lines ">> command" and "<< expected answer". */
    private void exchange(String... lines) {
        for (int i = 0; i < lines.length; i += 2) {
            String cmd = lines[i].replaceFirst("^>>", "");
            String want = lines[i + 1].replaceFirst("^<<", "");
            assertEquals(n(want), s(t0.transmit(b(cmd))), "answer to " + cmd.trim());
        }
    }

    @Test
    void case1AndCase3() {
        exchange(
                ">> 80 01 00 00 00", "<< 90 00",
                ">> 80 03 00 01 03 00 01 02", "<< 90 00",
                ">> 00 A4 04 00 0B " + TestApplet.AID_HEX, "<< 90 00");
    }

    @Test
    void case2WithRightAndWrongLe() {
        exchange(
                ">> 80 02 00 0D 0D", "<< 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 90 00",
                ">> 80 02 00 0D 05", "<< 6C 0D",
                ">> 80 02 00 0D 00", "<< 6C 0D",
                ">> 80 02 00 0D 0D", "<< 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 90 00",
                ">> 80 C0 00 00 05", "<< 69 85");   // 6Cxx keeps nothing
    }

    @Test
    void case4SentAsCase3ThenGetResponse() {
        exchange(
                ">> 80 04 00 00 03 11 22 33", "<< 61 03",
                ">> 00 C0 00 00 05", "<< 6C 03",          // too long: kept data stays
                ">> 00 C0 00 00 03", "<< 11 22 33 90 00",
                ">> 00 C0 00 00 03", "<< 69 85");         // nothing pending
    }

    @Test
    void getResponseInPieces() {
        exchange(
                ">> 80 04 00 00 05 01 02 03 04 05", "<< 61 05",
                ">> 00 C0 00 00 02", "<< 01 02 61 03",
                ">> 00 C0 00 00 02", "<< 03 04 61 01",
                ">> 00 C0 00 00 01", "<< 05 90 00");
    }

    @Test
    void anotherCommandDiscardsKeptData() {
        exchange(
                ">> 80 04 00 00 02 AA BB", "<< 61 02",
                ">> 80 01 00 00 00", "<< 90 00",
                ">> 00 C0 00 00 02", "<< 69 85",
                ">> 80 04 00 00 02 AA BB", "<< 61 02",
                ">> 00 C0 00 01 02", "<< 6A 86",
                ">> 00 C0 00 00 02 AA BB", "<< 67 00");
        t0.reset();
        exchange(">> 00 C0 00 00 02", "<< 69 85");
    }

    @Test
    void responsesOver256ComeIn256BytePieces() {
        byte[] first = pattern(256);
        exchange(
                ">> 80 02 01 02 00", "<< " + s(concat(first, b("61 02"))),   // 258 bytes, P3 00 = 256
                ">> 00 C0 00 00 02", "<< 00 01 90 00",
                ">> 80 02 01 02 01 00", "<< 61 00",                              // case 4 style (P1P2=0102 via case 3)
                ">> 00 C0 00 00 00", "<< " + s(concat(first, b("61 02"))),
                ">> 00 C0 00 00 02", "<< 00 01 90 00");
    }

    @Test
    void theApplets61xxAndErrorsPassThrough() {
        exchange(
                ">> 80 05 00 07 00", "<< 61 07",
                ">> 80 06 6A 82 00", "<< 6A 82",
                ">> 80 7E 00 00 00", "<< 6D 00");
    }

    @Test
    void whatIsNoT0TpduGets6700() {
        exchange(
                ">> 80 01 00 00", "<< 67 00",                         // bare 4-byte header
                ">> 80 04 00 00 02 AA BB 00", "<< 67 00",             // case 4 with Le
                ">> 80 04 00 00 00 00 02 AA BB 00 00", "<< 67 00",    // extended
                ">> 80 03 00 00 05 01 02", "<< 67 00");               // P3 says more than sent
    }
}
