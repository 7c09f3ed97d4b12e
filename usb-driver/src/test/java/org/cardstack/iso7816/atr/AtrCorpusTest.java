package org.cardstack.iso7816.atr;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every plain-hex ATR of pcsc-tools' smartcard_list.txt (GPL data, test resource only) either parses
 * or raises {@link AtrException}; lines with regex wildcards are skipped.
 */
class AtrCorpusTest {
    private static final Pattern PLAIN_HEX = Pattern.compile("[0-9A-Fa-f]{2}( [0-9A-Fa-f]{2})*");

    @Test
    void smartcardListParsesOrFailsCleanly() throws IOException {
        int plain = 0;
        int parsed = 0;
        int skipped = 0;
        Map<String, Integer> failures = new TreeMap<>();
        try (InputStream in = getClass().getResourceAsStream("/atr/smartcard_list.txt");
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                // ATR lines are the unindented, non-comment ones; descriptions start with a tab.
                if (line.isEmpty() || line.startsWith("#") || Character.isWhitespace(line.charAt(0))) {
                    continue;
                }
                String atr = line.strip();
                if (!PLAIN_HEX.matcher(atr).matches()) {
                    skipped++;
                    continue;
                }
                plain++;
                try {
                    Atr.parse(atr).toString();
                    parsed++;
                } catch (AtrException e) {
                    failures.merge(category(e.getMessage()), 1, Integer::sum);
                } catch (RuntimeException e) {
                    fail("non-AtrException for " + atr, e);
                }
            }
        }
        int failed = plain - parsed;
        System.out.printf("smartcard_list.txt: %d plain-hex ATRs, %d parsed (%.1f%%), %d AtrException,"
                + " %d wildcard lines skipped%n", plain, parsed, 100.0 * parsed / plain, failed, skipped);
        failures.forEach((k, v) -> System.out.printf("  %5d  %s%n", v, k));
        assertTrue(plain > 1000, "corpus loaded");
        assertTrue(parsed >= 0.9 * plain, "at least 90% parse");
    }

    /** Groups messages by kind, dropping offsets and byte values. */
    private static String category(String message) {
        return message.replaceAll("0x[0-9A-F]+", "0x..").replaceAll("(?<![-§.=/])(?<!IEC )\\b\\d+\\b", "n");
    }
}
