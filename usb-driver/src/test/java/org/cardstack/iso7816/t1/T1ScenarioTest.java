package org.cardstack.iso7816.t1;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.cardstack.iso7816.atr.T1ErrorDetection;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The interface device's T=1 engine against the scenarios in vectors/iso7816-3/t1-*.txt: exchanges
 * written out block by block, in the manner of the annex of ISO/IEC 7816-3, one per rule of §11.6
 * (format in make-t1-vectors.py). The engine must send exactly the blocks written and end as written.
 */
class T1ScenarioTest {
    static final int SCENARIOS = 26;
    private static final HexFormat HEX = HexFormat.ofDelimiter(" ").withUpperCase();

    static Stream<String> scenarios() {
        return IntStream.rangeClosed(1, SCENARIOS).mapToObj(i -> String.format("t1-%02d-", i)).map(T1ScenarioTest::find);
    }

    private static String find(String prefix) {
        try (InputStream in = T1ScenarioTest.class.getResourceAsStream("/vectors/iso7816-3/index-t1.txt")) {
            String index = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            return index.lines().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void scenario(String file) throws Exception {
        List<String> lines;
        try (InputStream in = getClass().getResourceAsStream("/vectors/iso7816-3/" + file)) {
            lines = new String(in.readAllBytes(), StandardCharsets.US_ASCII).lines()
                    .map(l -> l.replaceAll("#.*", "").strip()).filter(l -> !l.isEmpty()).toList();
        }
        Script script = new Script();
        T1Protocol t1 = null;
        String group = null;
        for (String line : lines) {
            if (line.startsWith(">>") || line.startsWith("<<")) {
                script.pending.add(line);
                continue;
            }
            String[] w = line.split("\\s+", 2);
            if (group != null && group.startsWith("ifsd")) {
                t1.negotiateIfsd(Integer.parseInt(group.substring(5).strip()));
                script.assertConsumed(group);
                group = null;
            }
            switch (w[0]) {
                case "config" -> t1 = new T1Protocol(script, config(w[1]));
                case "ifsd", "apdu" -> group = line;
                case "response" -> {
                    assertArrayEquals(hex(w[1]), t1.transmit(hex(group.substring(5))), file + ": " + group);
                    script.assertConsumed(group);
                    group = null;
                }
                case "error" -> {
                    byte[] command = hex(group.substring(5));
                    T1Protocol engine = t1;
                    assertThrows(T1Exception.class, () -> engine.transmit(command), file);
                    script.assertConsumed(group);
                    group = null;
                }
                default -> fail("unknown line " + line);
            }
        }
        assertEquals(null, group, "scenario ends inside " + group);
    }

    private static T1Config config(String s) {
        int ifsc = 32;
        T1ErrorDetection edc = T1ErrorDetection.LRC;
        int nad = 0;
        for (String kv : s.split("\\s+")) {
            String[] p = kv.split("=");
            switch (p[0]) {
                case "ifsc" -> ifsc = Integer.parseInt(p[1]);
                case "edc" -> edc = T1ErrorDetection.valueOf(p[1]);
                case "nad" -> nad = Integer.parseInt(p[1], 16);
                default -> fail("unknown config " + kv);
            }
        }
        return new T1Config(ifsc, edc, nad);
    }

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replaceAll("\\s", ""));
    }

    /** Plays the >> / << lines that follow an operation line. */
    static final class Script implements BlockTransport {
        private final Deque<String> pending = new ArrayDeque<>();

        void assertConsumed(String op) {
            assertTrue(pending.isEmpty(), "blocks not exchanged in '" + op + "': " + pending);
        }

        @Override
        public byte[] transceive(byte[] block, int multiplier) throws IOException {
            String out = pending.poll();
            if (out == null) {
                fail("engine sent " + HEX.formatHex(block) + " after the end of the scenario");
            }
            assertTrue(out.startsWith(">>"), "engine sent " + HEX.formatHex(block) + ", scenario has " + out);
            String body = out.substring(2).strip();
            int expectedMultiplier = 1;
            if (body.startsWith("[x")) {
                expectedMultiplier = Integer.parseInt(body.substring(2, body.indexOf(']')));
                body = body.substring(body.indexOf(']') + 1);
            }
            assertEquals(HEX.formatHex(hex(body)), HEX.formatHex(block), "block sent");
            assertEquals(expectedMultiplier, multiplier, "waiting time multiplier for " + out);
            String in = pending.poll();
            if (in == null) {
                fail("no answer in the scenario to " + out);
            }
            assertTrue(in.startsWith("<<"), "scenario expects the engine to send " + in);
            String answer = in.substring(2).strip();
            return switch (answer) {
                case "timeout" -> throw new BlockReceiveException("BWT exceeded", false);
                case "parity" -> throw new BlockReceiveException("parity error", true);
                default -> hex(answer);
            };
        }
    }
}
