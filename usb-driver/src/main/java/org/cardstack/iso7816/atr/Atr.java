package org.cardstack.iso7816.atr;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * An Answer-to-Reset, ISO/IEC 7816-3:2006 clause 8. Immutable.
 *
 * <p>Structure is checked on {@link #parse(byte[])}. Derived values use the defaults of §8.3 when the
 * defining byte is absent. Lenient accessors return empty for RFU/invalid values; the {@code *Strict}
 * variants throw {@link AtrException} naming the byte instead.
 */
public final class Atr {
    /** Default IFSC, §11.4.2. */
    public static final int DEFAULT_IFSC = 32;
    /** Default WI, §10.2. */
    public static final int DEFAULT_WI = 10;
    /** Default BWI, §11.4.3. */
    public static final int DEFAULT_BWI = 4;
    /** Default CWI, §11.4.3. */
    public static final int DEFAULT_CWI = 13;

    // §8.3 table 7 (Fi, fmax) and table 8 (Di), indexed by the 4-bit code; 0 marks RFU.
    private static final int[] FI = {372, 372, 558, 744, 1116, 1488, 1860, 0, 0, 512, 768, 1024, 1536, 2048, 0, 0};
    private static final int[] FMAX_KHZ =
            {4000, 5000, 6000, 8000, 12000, 16000, 20000, 0, 0, 5000, 7500, 10000, 15000, 20000, 0, 0};
    private static final int[] DI = {0, 1, 2, 4, 8, 16, 32, 64, 12, 20, 0, 0, 0, 0, 0, 0};

    private final byte[] bytes;
    private final Convention convention;
    private final List<InterfaceBytes> groups;
    private final int histStart;
    private final int histLength;
    private final int tck;
    private final Map<String, Integer> offsets;

    Atr(byte[] bytes, Convention convention, List<InterfaceBytes> groups, int histStart, int histLength,
            int tck, Map<String, Integer> offsets) {
        this.bytes = bytes;
        this.convention = convention;
        this.groups = List.copyOf(groups);
        this.histStart = histStart;
        this.histLength = histLength;
        this.tck = tck;
        this.offsets = Map.copyOf(offsets);
    }

    /**
     * Parses an ATR.
     *
     * @param atr the ATR bytes as decoded by the reader (TS = 0x3B or 0x3F); copied
     * @return the parsed ATR
     * @throws AtrException if the ATR is malformed (wrong TS, truncated, bad TCK, trailing bytes, too long)
     */
    public static Atr parse(byte[] atr) {
        Objects.requireNonNull(atr, "atr");
        return AtrParser.parse(atr.clone());
    }

    /**
     * Parses an ATR written in hex; spaces and colons between bytes are ignored.
     *
     * @param hex e.g. {@code "3B 0A 4A 43 4F 50 33 31 56 32 33 32"}
     * @return the parsed ATR
     * @throws AtrException if the text is not hex or the ATR is malformed
     */
    public static Atr parse(String hex) {
        Objects.requireNonNull(hex, "hex");
        String digits = hex.replaceAll("[\\s:]", "");
        if (digits.length() % 2 != 0 || !digits.matches("[0-9A-Fa-f]*")) {
            throw new AtrException(-1, "not an even-length hex string: \"" + hex + "\"");
        }
        return AtrParser.parse(HexFormat.of().parseHex(digits));
    }

    /** @return a copy of the raw ATR bytes */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** @return number of bytes, TS included */
    public int length() {
        return bytes.length;
    }

    /** @return the convention announced by TS */
    public Convention convention() {
        return convention;
    }

    /** @return the format byte T0 */
    public int t0() {
        return bytes[1] & 0xFF;
    }

    /** @return Y1, bits 8-5 of T0: which of TA1 TB1 TC1 TD1 are present */
    public int y1() {
        return t0() >> 4;
    }

    /** @return K, bits 4-1 of T0: the number of historical bytes */
    public int historicalLength() {
        return histLength;
    }

    /** @return interface byte groups 1..n in order; group 1 always exists (possibly empty) */
    public List<InterfaceBytes> interfaceBytes() {
        return groups;
    }

    /**
     * @param i group index, from 1
     * @return TAi, empty if absent
     */
    public OptionalInt ta(int i) {
        return i >= 1 && i <= groups.size() ? groups.get(i - 1).ta() : OptionalInt.empty();
    }

    /**
     * @param i group index, from 1
     * @return TBi, empty if absent
     */
    public OptionalInt tb(int i) {
        return i >= 1 && i <= groups.size() ? groups.get(i - 1).tb() : OptionalInt.empty();
    }

    /**
     * @param i group index, from 1
     * @return TCi, empty if absent
     */
    public OptionalInt tc(int i) {
        return i >= 1 && i <= groups.size() ? groups.get(i - 1).tc() : OptionalInt.empty();
    }

    /**
     * @param i group index, from 1
     * @return TDi, empty if absent
     */
    public OptionalInt td(int i) {
        return i >= 1 && i <= groups.size() ? groups.get(i - 1).td() : OptionalInt.empty();
    }

    /** @return a copy of the historical bytes T1..TK */
    public byte[] historicalBytes() {
        return Arrays.copyOfRange(bytes, histStart, histStart + histLength);
    }

    /** @return the check byte TCK; empty when only T=0 is indicated (§8.2.5) */
    public OptionalInt tck() {
        return tck < 0 ? OptionalInt.empty() : OptionalInt.of(tck);
    }

    // ---- global interface bytes, §8.3 ----

    /** @return Fi code, bits 8-5 of TA1 (default 1) */
    public int fiIndex() {
        return ta(1).isPresent() ? ta(1).getAsInt() >> 4 : 1;
    }

    /** @return Di code, bits 4-1 of TA1 (default 1) */
    public int diIndex() {
        return ta(1).isPresent() ? ta(1).getAsInt() & 0x0F : 1;
    }

    /** @return clock rate conversion integer Fi (table 7; 372 by default), empty if the code is RFU */
    public OptionalInt fi() {
        return nonZero(FI[fiIndex()]);
    }

    /** @return maximum clock frequency fmax in kHz for Fi (table 7; 5000 by default), empty if RFU */
    public OptionalInt fMaxKhz() {
        return nonZero(FMAX_KHZ[fiIndex()]);
    }

    /** @return baud rate adjustment integer Di (table 8; 1 by default), empty if the code is RFU */
    public OptionalInt di() {
        return nonZero(DI[diIndex()]);
    }

    /**
     * @return Fi
     * @throws AtrException if TA1 holds an RFU Fi code
     */
    public int fiStrict() {
        return fi().orElseThrow(() -> rfu("TA1", String.format("Fi code %d is RFU (table 7)", fiIndex())));
    }

    /**
     * @return fmax in kHz
     * @throws AtrException if TA1 holds an RFU Fi code
     */
    public int fMaxKhzStrict() {
        fiStrict();
        return fMaxKhz().getAsInt();
    }

    /**
     * @return Di
     * @throws AtrException if TA1 holds an RFU Di code
     */
    public int diStrict() {
        return di().orElseThrow(() -> rfu("TA1", String.format("Di code %d is RFU (table 8)", diIndex())));
    }

    /** @return extra guard time integer N from TC1 (default 0; 255 means minimal guard time, §8.3) */
    public int extraGuardTime() {
        return tc(1).orElse(0);
    }

    /** @return the specific mode byte TA2 decoded; empty means negotiable mode (§6.3.1) */
    public Optional<SpecificMode> specificMode() {
        OptionalInt ta2 = ta(2);
        return ta2.isPresent() ? Optional.of(SpecificMode.of(ta2.getAsInt())) : Optional.empty();
    }

    /** @return waiting time integer WI of T=0 from TC2 (default 10), empty if TC2 = 0x00 (RFU, §10.2) */
    public OptionalInt wi() {
        return nonZero(tc(2).orElse(DEFAULT_WI));
    }

    /**
     * @return WI
     * @throws AtrException if TC2 = 0x00
     */
    public int wiStrict() {
        return wi().orElseThrow(() -> rfu("TC2", "WI = 0 is RFU (§10.2)"));
    }

    /**
     * @return the protocols offered, in TD order, without duplicates and without T=15 (which only
     *     announces global bytes); [0] when no TD indicates a protocol (§8.2.3)
     */
    public List<Integer> protocols() {
        List<Integer> result = new ArrayList<>();
        for (InterfaceBytes g : groups) {
            g.indicatedProtocol().ifPresent(t -> {
                if (t != 15 && !result.contains(t)) {
                    result.add(t);
                }
            });
        }
        if (result.isEmpty()) {
            result.add(0);
        }
        return Collections.unmodifiableList(result);
    }

    /** @return the first offered protocol: T of TD1, or 0 when TD1 is absent (§8.2.3) */
    public int firstProtocol() {
        return protocols().get(0);
    }

    // ---- T=1 specific bytes, §11.4 ----

    /** @return IFSC from the first TA for T=1 (default 32), empty if 0x00 or 0xFF (§11.4.2) */
    public OptionalInt ifsc() {
        int v = firstFor(1, 'A').orElse(DEFAULT_IFSC);
        return v == 0x00 || v == 0xFF ? OptionalInt.empty() : OptionalInt.of(v);
    }

    /**
     * @return IFSC
     * @throws AtrException if the first TA for T=1 is 0x00 or 0xFF
     */
    public int ifscStrict() {
        return ifsc().orElseThrow(() -> rfu(firstName(1, 'A'), "IFSC 0x00 and 0xFF are invalid (§11.4.2)"));
    }

    /** @return BWI, bits 8-5 of the first TB for T=1 (default 4), empty if RFU (10..15, §11.4.3) */
    public OptionalInt bwi() {
        OptionalInt tb = firstFor(1, 'B');
        int v = tb.isPresent() ? tb.getAsInt() >> 4 : DEFAULT_BWI;
        return v > 9 ? OptionalInt.empty() : OptionalInt.of(v);
    }

    /**
     * @return BWI
     * @throws AtrException if RFU
     */
    public int bwiStrict() {
        return bwi().orElseThrow(() -> rfu(firstName(1, 'B'), "BWI values 10 to 15 are RFU (§11.4.3)"));
    }

    /** @return CWI, bits 4-1 of the first TB for T=1 (default 13, §11.4.3) */
    public int cwi() {
        OptionalInt tb = firstFor(1, 'B');
        return tb.isPresent() ? tb.getAsInt() & 0x0F : DEFAULT_CWI;
    }

    /** @return error detection code from bit 1 of the first TC for T=1 (default LRC, §11.4.4) */
    public T1ErrorDetection t1ErrorDetection() {
        return (firstFor(1, 'C').orElse(0) & 1) != 0 ? T1ErrorDetection.CRC : T1ErrorDetection.LRC;
    }

    // ---- T=15 global bytes, §8.3 ----

    /** @return clock stop indicator X of the first TA for T=15 (default: not supported) */
    public ClockStop clockStop() {
        return ClockStop.values()[firstFor(15, 'A').orElse(0) >> 6];
    }

    /** @return class indicator U, bits 6-1 of the first TA for T=15 (default 0b000001: class A only) */
    public int classIndicator() {
        return firstFor(15, 'A').orElse(0x01) & 0x3F;
    }

    /** @return classes of operating conditions accepted, from bits 1-3 of U (default: class A only) */
    public Set<VoltageClass> classes() {
        int u = classIndicator();
        Set<VoltageClass> s = EnumSet.noneOf(VoltageClass.class);
        for (VoltageClass c : VoltageClass.values()) {
            if ((u & (1 << c.ordinal())) != 0) {
                s.add(c);
            }
        }
        return Collections.unmodifiableSet(s);
    }

    /**
     * @return the classes
     * @throws AtrException if U is not one of the values of table 10
     */
    public Set<VoltageClass> classesStrict() {
        int u = classIndicator();
        // Table 10: A, B, C, AB, BC, ABC; any other value is RFU.
        if (u != 1 && u != 2 && u != 4 && u != 3 && u != 6 && u != 7) {
            throw rfu(firstName(15, 'A'), String.format("class indicator U = 0x%02X is RFU (table 10)", u));
        }
        return classes();
    }

    /**
     * Checks every value the strict accessors check, plus that TD1 does not indicate T=15 (§8.2.3).
     *
     * @return this
     * @throws AtrException on the first RFU or invalid value
     */
    public Atr validate() {
        if (td(1).isPresent() && (td(1).getAsInt() & 0x0F) == 15) {
            throw rfu("TD1", "T=15 is invalid in TD1 (§8.2.3)");
        }
        fiStrict();
        diStrict();
        wiStrict();
        ifscStrict();
        bwiStrict();
        classesStrict();
        return this;
    }

    /** Offset of the named byte, for messages of strict accessors. */
    int offsetOf(String name) {
        return offsets.getOrDefault(name, -1);
    }

    /** The value of TA/TB/TC ({@code which}) in the first group i > 2 qualified by protocol t. */
    OptionalInt firstFor(int t, char which) {
        InterfaceBytes g = firstGroupFor(t, which);
        return g == null ? OptionalInt.empty() : pick(g, which);
    }

    private String firstName(int t, char which) {
        InterfaceBytes g = firstGroupFor(t, which);
        return g == null ? "T" + which : "T" + which + g.index();
    }

    /** The first group i > 2 qualified by protocol t that holds TA/TB/TC ({@code which}), or null. */
    InterfaceBytes firstGroupFor(int t, char which) {
        // §8.2.3: bytes of group i > 2 following a TD(i-1) with T = t are specific to t.
        for (InterfaceBytes g : groups) {
            if (g.index() > 2 && g.qualifier().orElse(-1) == t && pick(g, which).isPresent()) {
                return g;
            }
        }
        return null;
    }

    private static OptionalInt pick(InterfaceBytes g, char which) {
        return switch (which) {
            case 'A' -> g.ta();
            case 'B' -> g.tb();
            case 'C' -> g.tc();
            default -> g.td();
        };
    }

    private AtrException rfu(String name, String what) {
        int off = offsetOf(name);
        return new AtrException(off, String.format("byte %d (%s) = 0x%02X: %s", off, name, bytes[off] & 0xFF, what));
    }

    private static OptionalInt nonZero(int v) {
        return v == 0 ? OptionalInt.empty() : OptionalInt.of(v);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Atr a && Arrays.equals(a.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** @return a multi-line analysis in the style of pcsc-tools' ATR_analysis */
    @Override
    public String toString() {
        return AtrFormatter.format(this);
    }

    /** @return the ATR as upper-case hex bytes separated by spaces */
    public String toHex() {
        return HexFormat.ofDelimiter(" ").withUpperCase().formatHex(bytes);
    }
}
