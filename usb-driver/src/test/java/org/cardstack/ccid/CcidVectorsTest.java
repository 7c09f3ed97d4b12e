package org.cardstack.ccid;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.cardstack.ccid.CcidTranscript.Entry;
import org.cardstack.ccid.CcidTranscript.Expectation;
import org.cardstack.ccid.CcidTranscript.Kind;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every bulk and interrupt message of the transcripts in {@code vectors/ccid-1.1/} through
 * {@link CcidCodec}: decode, check the expectation, re-encode to the same bytes (or to the {@code ~}
 * bytes for a tolerated quirk), decode the re-encoding to an equal record, and, where the expectation
 * names every field, build the record and encode it to the exact bytes.
 */
class CcidVectorsTest {

    private static final HexFormat HEX = HexFormat.ofDelimiter(" ").withUpperCase();

    @TestFactory
    Stream<DynamicNode> transcripts() {
        return CcidTranscript.loadAll().stream().map(t -> DynamicContainer.dynamicContainer(t.name,
                t.entries.stream().filter(e -> e.kind != Kind.CONTROL)
                        .map(e -> DynamicTest.dynamicTest(e.toString(), () -> check(e)))));
    }

    private static void check(Entry e) throws Exception {
        byte[] wire = e.bytes();
        Optional<Expectation> x = e.expectation();
        if (x.isPresent() && x.get().isError()) {
            CcidFormatException ex = assertThrows(CcidFormatException.class, () -> decode(e.kind, wire, e.maxMessageLength),
                    e.where() + ": must be refused");
            assertEquals(x.get().errorField, ex.field(), e.where() + ": field named, in: " + ex.getMessage());
            assertEquals(x.get().errorOffset, ex.offset(), e.where() + ": offset, in: " + ex.getMessage());
            for (String w : x.get().errorWords) {
                assertTrue(ex.getMessage().contains(w), e.where() + ": message should mention '" + w + "': " + ex.getMessage());
            }
            return;
        }
        Object decoded = decode(e.kind, wire, e.maxMessageLength);
        if (x.isPresent()) {
            List<String> bad = x.get().mismatches(decoded);
            assertTrue(bad.isEmpty(), e.where() + ": " + bad + " in " + decoded);
        }
        byte[] expectedEncoding = e.expectedEncoding();
        byte[] encoded = encode(decoded);
        assertEquals(HEX.formatHex(expectedEncoding), HEX.formatHex(encoded), e.where() + ": re-encoding of " + decoded);
        assertEquals(decoded, decode(e.kind, encoded, e.maxMessageLength), e.where() + ": decode(encode(m)) equals m");
        assertEquals(decoded.hashCode(), decode(e.kind, encoded, e.maxMessageLength).hashCode(), e.where() + ": hashCode");
        if (x.isPresent()) {
            Optional<?> built = x.get().build(family(e.kind));
            if (built.isPresent()) {
                assertEquals(built.get(), decoded, e.where() + ": the record the expectation describes");
                assertArrayEquals(expectedEncoding, encode(built.get()), e.where() + ": encode(built record)");
            }
        }
    }

    static Object decode(Kind kind, byte[] b, int max) throws CcidFormatException {
        return switch (kind) {
            case COMMAND -> CcidCodec.decodeCommand(b, b.length, max);
            case RESPONSE -> CcidCodec.decodeResponse(b, b.length, max);
            case INTERRUPT -> CcidCodec.decodeInterrupt(b, b.length);
            case CONTROL -> throw new IllegalArgumentException("control transfer");
        };
    }

    static byte[] encode(Object m) {
        if (m instanceof PcToRdr c) {
            return CcidCodec.encode(c);
        }
        if (m instanceof RdrToPc r) {
            return CcidCodec.encode(r);
        }
        return CcidCodec.encode((InterruptMessage) m);
    }

    static Class<?> family(Kind kind) {
        return switch (kind) {
            case COMMAND -> PcToRdr.class;
            case RESPONSE -> RdrToPc.class;
            case INTERRUPT -> InterruptMessage.class;
            case CONTROL -> Object.class;
        };
    }

    // ---- the vector set itself ----

    @Test
    void everyFileNamesItsSource() {
        List<CcidTranscript> all = CcidTranscript.loadAll();
        assertTrue(all.size() >= 20, "transcripts found: " + all.size());
        for (CcidTranscript t : all) {
            assertFalse(t.header.isEmpty(), t.name + " must start with # lines naming its source");
            String first = String.join(" ", t.header);
            assertTrue(first.contains("CCID class specification rev 1.1") || first.contains("ccid-traces.md"),
                    t.name + ": header must name the spec clause or the trace section: " + first);
            assertFalse(t.entries.isEmpty(), t.name + " has no transfers");
        }
    }

    /** Every message type of CCID §6.1, §6.2 and §6.3 is covered by a fully specified vector. */
    @Test
    void everyMessageTypeHasAFullVector() {
        for (Kind kind : List.of(Kind.COMMAND, Kind.RESPONSE, Kind.INTERRUPT)) {
            Class<?> family = family(kind);
            Set<String> covered = CcidTranscript.loadAll().stream().flatMap(t -> t.entries(kind).stream())
                    .map(Entry::expectation).flatMap(Optional::stream).filter(x -> !x.isError())
                    .filter(x -> x.build(family).isPresent()).map(x -> x.type)
                    .collect(Collectors.toCollection(TreeSet::new));
            Set<String> all = Arrays.stream(family.getPermittedSubclasses()).map(Class::getSimpleName)
                    .collect(Collectors.toCollection(TreeSet::new));
            assertEquals(all, covered, family.getSimpleName() + " types with a complete vector");
        }
    }

    /** Every command type also appears in the real captures (U2-U9), not only in spec-derived vectors. */
    @Test
    void everyCommandTypeWasCapturedOnTheRig() {
        Set<String> captured = CcidTranscript.loadAll().stream().filter(t -> t.name.startsWith("U"))
                .flatMap(t -> t.entries(Kind.COMMAND).stream()).map(Entry::expectation).flatMap(Optional::stream)
                .filter(x -> !x.isError()).map(x -> x.type).collect(Collectors.toCollection(TreeSet::new));
        Set<String> all = Arrays.stream(PcToRdr.class.getPermittedSubclasses()).map(Class::getSimpleName)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(all, captured);
    }

    /** Each §6.1 clause file holds exactly the commands of its clause, under the clause's bMessageType. */
    @Test
    void clauseFilesHoldTheirOwnCommand() {
        Object[][] clauses = {{"6.1.1-", "IccPowerOn", 0x62}, {"6.1.2-", "IccPowerOff", 0x63},
            {"6.1.3-", "GetSlotStatus", 0x65}, {"6.1.4-", "XfrBlock", 0x6F}, {"6.1.5-", "GetParameters", 0x6C},
            {"6.1.6-", "ResetParameters", 0x6D}, {"6.1.7-", "SetParameters", 0x61}, {"6.1.8-", "Escape", 0x6B},
            {"6.1.9-", "IccClock", 0x6E}, {"6.1.10-", "T0APDU", 0x6A}, {"6.1.11-", "Secure", 0x69},
            {"6.1.12-", "Mechanical", 0x71}, {"6.1.13-", "Abort", 0x72},
            {"6.1.14-", "SetDataRateAndClockFrequency", 0x73}};
        List<CcidTranscript> all = CcidTranscript.loadAll();
        for (Object[] c : clauses) {
            CcidTranscript t = all.stream().filter(f -> f.name.startsWith((String) c[0])).findFirst()
                    .orElseThrow(() -> new AssertionError("no file for CCID §" + c[0]));
            assertFalse(t.entries(Kind.COMMAND).isEmpty(), t.name);
            for (Entry e : t.entries(Kind.COMMAND)) {
                Expectation x = e.expectation().orElseThrow(() -> new AssertionError(e.where() + ": no expectation"));
                assertEquals(c[2], e.bytes()[0] & 0xFF, e.where() + ": bMessageType");
                if (!x.isError()) {
                    assertEquals(c[1], x.type, e.where());
                }
            }
        }
    }
}
