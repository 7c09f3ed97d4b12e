package org.cardstack.sim.card;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.cardstack.iso7816.apdu.CommandApdu;
import org.cardstack.iso7816.atr.T1ErrorDetection;
import org.cardstack.iso7816.t1.BlockReceiveException;
import org.cardstack.iso7816.t1.T1Config;
import org.cardstack.iso7816.t1.T1Exception;
import org.cardstack.iso7816.t1.T1Protocol;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Property: random command APDUs (data 0..65 535 bytes, short and extended) through the interface
 * device's T=1 engine and the simulator's T=1 card side, with random IFSC, IFSD, error detection code
 * and random injected faults of every kind, either come back with exactly the response the card sent,
 * or fail with {@link T1Exception} after the retry budget; never a wrong response. Fixed seeds.
 */
class T1PropertyTest {
    private static final int APDUS_PER_SEED = 40;

    /** A deterministic card: the response is a function of the command (reversed data, a length-coded SW). */
    static final class FunctionCard implements ApduCard {
        public byte[] atr() { return new byte[0]; }

        public byte[] powerOn() { return atr(); }

        public void powerOff() { }

        public boolean isPowered() { return true; }

        public byte[] transmit(byte[] apdu) { return expected(apdu); }

        static byte[] expected(byte[] apdu) {
            int n = Math.min(apdu.length, 65_536);
            byte[] r = new byte[n + 2];
            for (int i = 0; i < n; i++) {
                r[i] = apdu[apdu.length - 1 - i];
            }
            r[n] = (byte) 0x90;
            r[n + 1] = (byte) apdu.length;
            return r;
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597})
    void responsesAreTheCardsOrATypedFailure(long seed) throws Exception {
        Random rnd = new Random(seed);
        int ifsc = 1 + rnd.nextInt(254);
        int ifsd = 1 + rnd.nextInt(254);
        T1ErrorDetection edc = rnd.nextBoolean() ? T1ErrorDetection.CRC : T1ErrorDetection.LRC;
        byte[] atr = CardAtrs.withTck(new byte[] {0x3B, (byte) 0x80, (byte) 0x81, 0x31, (byte) ifsc, 0x45,
            (byte) (edc == T1ErrorDetection.CRC ? 0x01 : 0x00), 0});
        atr[3] = 0x71; // TD2: TA3, TB3, TC3 follow, T=1
        atr = CardAtrs.withTck(atr);
        double rate = rnd.nextDouble() * 0.02;
        T1Faults faults = new T1Faults().random(new Random(seed * 31), rate);
        int ok = 0;
        int failed = 0;
        T1Card card = new T1Card(new FunctionCard(), faults);
        T1Protocol host = null;
        for (int k = 0; k < APDUS_PER_SEED; k++) {
            if (host == null) { // a reset, as the reader does after a failure (rule 7.4.3)
                card.reset(atr);
                host = new T1Protocol((block, wtx) -> {
                    byte[] answer = card.receive(block);
                    if (answer == null) {
                        throw new BlockReceiveException("lost", false);
                    }
                    return answer;
                }, new T1Config(ifsc, edc, 0));
                try {
                    host.negotiateIfsd(ifsd);
                } catch (T1Exception e) {
                    failed++;
                    host = null;
                    continue;
                }
            }
            byte[] apdu = randomApdu(rnd);
            try {
                byte[] response = host.transmit(apdu);
                assertArrayEquals(FunctionCard.expected(apdu), response,
                        "seed " + seed + " apdu " + k + " of " + apdu.length + " bytes: wrong response");
                ok++;
            } catch (T1Exception e) {
                failed++;
                host = null;
            }
        }
        assertTrue(ok >= APDUS_PER_SEED / 2, "seed " + seed + ": only " + ok + " of " + APDUS_PER_SEED
                + " went through (" + failed + " failed, fault rate " + rate + ")");
    }

    private static byte[] randomApdu(Random rnd) {
        int size = switch (rnd.nextInt(10)) {
            case 0 -> rnd.nextInt(65_536);       // up to 65 535 data bytes
            case 1, 2 -> 256 + rnd.nextInt(4_000);
            default -> rnd.nextInt(256);
        };
        byte[] data = new byte[size];
        rnd.nextBytes(data);
        int ne = rnd.nextBoolean() ? 0 : 1 + rnd.nextInt(size > 255 ? 65_536 : 256);
        return CommandApdu.of(0x80, rnd.nextInt(256) & 0xFE, rnd.nextInt(256), rnd.nextInt(256),
                data, ne).toBytes();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {7, 11})
    void noFaultsNoFailures(long seed) throws Exception {
        Random rnd = new Random(seed);
        T1Card card = new T1Card(new FunctionCard(), new T1Faults());
        card.reset(CardAtrs.withTck(new byte[] {0x3B, (byte) 0x80, (byte) 0x81, 0x11, 0x10, 0}));
        T1Protocol host = new T1Protocol((block, wtx) -> card.receive(block), new T1Config(16, T1ErrorDetection.LRC, 0));
        host.negotiateIfsd(20);
        for (int k = 0; k < 20; k++) {
            byte[] apdu = randomApdu(rnd);
            assertArrayEquals(FunctionCard.expected(apdu), host.transmit(apdu), Arrays.toString(Arrays.copyOf(apdu, 8)));
        }
    }
}
