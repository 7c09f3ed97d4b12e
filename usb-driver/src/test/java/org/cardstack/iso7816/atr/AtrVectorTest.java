package org.cardstack.iso7816.atr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Data-driven ATR vectors from {@code vectors/iso7816-3/*.txt}, decoded by hand from the spec. */
class AtrVectorTest {

    static Stream<Arguments> valid() throws IOException {
        return lines("atr-valid.txt").stream().map(l -> {
            String[] parts = l.split("\\|", 2);
            return Arguments.of(parts[0].trim(), parts[1].trim());
        });
    }

    static Stream<Arguments> invalid() throws IOException {
        return lines("atr-invalid.txt").stream().map(l -> {
            String[] parts = l.split("\\|", 3);
            return Arguments.of(parts[0].trim(), Integer.parseInt(parts[1].trim()), parts[2].trim());
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void decodesAsExpected(String hex, String expectations) {
        Atr atr = Atr.parse(hex);
        Map<String, String> expected = new LinkedHashMap<>();
        for (String kv : expectations.split("\\s+")) {
            String[] p = kv.split("=", 2);
            expected.put(p[0], p.length > 1 ? p[1] : "");
        }
        assertTrue(expected.size() > 3, "vector has expectations");
        expected.forEach((key, value) -> assertEquals(value, actual(atr, key), () -> key + " of " + hex));
        assertEquals(hex.replace(" ", ""), atr.toHex().replace(" ", ""));
        atr.validate(); // all vectors use only defined values
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void rejectsWithTypedException(String hex, int offset, String fragment) {
        AtrException e = assertThrows(AtrException.class, () -> Atr.parse(hex));
        assertTrue(e.getMessage().contains(fragment), () -> "message was: " + e.getMessage());
        assertEquals(offset, e.offset(), e::getMessage);
    }

    private static String actual(Atr atr, String key) {
        if (key.matches("T[ABCD]\\d+")) {
            int i = Integer.parseInt(key.substring(2));
            OptionalInt v = switch (key.charAt(1)) {
                case 'A' -> atr.ta(i);
                case 'B' -> atr.tb(i);
                case 'C' -> atr.tc(i);
                default -> atr.td(i);
            };
            return v.isPresent() ? String.format("%02X", v.getAsInt()) : "none";
        }
        return switch (key) {
            case "len" -> Integer.toString(atr.length());
            case "convention" -> atr.convention().name();
            case "k" -> Integer.toString(atr.historicalLength());
            case "hist" -> HexFormat.of().withUpperCase().formatHex(atr.historicalBytes());
            case "tck" -> atr.tck().isPresent() ? String.format("%02X", atr.tck().getAsInt()) : "none";
            case "protocols" -> atr.protocols().stream().map(String::valueOf).collect(Collectors.joining(","));
            case "first" -> Integer.toString(atr.firstProtocol());
            case "fi" -> Integer.toString(atr.fiStrict());
            case "di" -> Integer.toString(atr.diStrict());
            case "fmax" -> Integer.toString(atr.fMaxKhzStrict());
            case "n" -> Integer.toString(atr.extraGuardTime());
            case "wi" -> Integer.toString(atr.wiStrict());
            case "ifsc" -> Integer.toString(atr.ifscStrict());
            case "bwi" -> Integer.toString(atr.bwiStrict());
            case "cwi" -> Integer.toString(atr.cwi());
            case "edc" -> atr.t1ErrorDetection().name();
            case "clockstop" -> atr.clockStop().name();
            case "classes" -> atr.classesStrict().stream().map(Enum::name).collect(Collectors.joining(","));
            case "mode" -> atr.specificMode().map(m -> m.protocol() + ","
                    + (m.parametersImplicit() ? "implicit" : "explicit") + ","
                    + (m.canChange() ? "canchange" : "fixed")).orElse("none");
            default -> throw new IllegalArgumentException("unknown key in vector file: " + key);
        };
    }

    private static List<String> lines(String name) throws IOException {
        List<String> out = new ArrayList<>();
        try (InputStream in = AtrVectorTest.class.getResourceAsStream("/vectors/iso7816-3/" + name);
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String l; (l = r.readLine()) != null; ) {
                if (!l.isBlank() && !l.startsWith("#")) {
                    out.add(l);
                }
            }
        }
        return out;
    }
}
