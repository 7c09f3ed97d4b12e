package org.cardstack.iso7816.atr;

import java.util.HexFormat;
import java.util.OptionalInt;

/** Brief human-readable ATR analysis, after pcsc-tools' ATR_analysis. */
final class AtrFormatter {
    private static final String[] CLOCK_STOP = {"not supported", "state L", "state H", "no preference"};

    private AtrFormatter() {
    }

    static String format(Atr atr) {
        StringBuilder sb = new StringBuilder();
        sb.append("ATR: ").append(atr.toHex()).append('\n');
        sb.append(String.format("+ TS = %02X --> %s convention%n", atr.bytes()[0],
                atr.convention() == Convention.DIRECT ? "direct" : "inverse"));
        sb.append(String.format("+ T0 = %02X, Y1 = %s, K = %d (historical bytes)%n",
                atr.t0(), bits(atr.y1()), atr.historicalLength()));
        for (InterfaceBytes g : atr.interfaceBytes()) {
            line(sb, atr, g, 'A', g.ta());
            line(sb, atr, g, 'B', g.tb());
            line(sb, atr, g, 'C', g.tc());
            line(sb, atr, g, 'D', g.td());
        }
        byte[] hist = atr.historicalBytes();
        sb.append("+ Historical bytes: ");
        if (hist.length == 0) {
            sb.append("none\n");
        } else {
            sb.append(HexFormat.ofDelimiter(" ").withUpperCase().formatHex(hist))
                    .append(" \"").append(ascii(hist)).append("\"\n");
        }
        atr.tck().ifPresent(t -> sb.append(String.format("+ TCK = %02X (correct checksum)%n", t)));
        return sb.toString();
    }

    private static void line(StringBuilder sb, Atr atr, InterfaceBytes g, char which, OptionalInt value) {
        if (value.isEmpty()) {
            return;
        }
        int v = value.getAsInt();
        sb.append(String.format("  T%c%d = %02X --> %s%n", which, g.index(), v, describe(atr, g, which, v)));
    }

    private static String describe(Atr atr, InterfaceBytes g, char which, int v) {
        int i = g.index();
        if (which == 'D') {
            int t = v & 0x0F;
            return "Y" + (i + 1) + " = " + bits(v >> 4) + ", "
                    + (t == 15 ? "T=15: global interface bytes follow" : "protocol T=" + t);
        }
        if (i == 1) {
            return switch (which) {
                case 'A' -> "Fi = " + orRfu(atr.fi()) + ", Di = " + orRfu(atr.di()) + ", fMax = "
                        + (atr.fMaxKhz().isPresent() ? atr.fMaxKhz().getAsInt() / 1000.0 + " MHz" : "RFU");
                case 'B' -> "VPP (deprecated, ignored)";
                default -> "extra guard time N = " + v + (v == 255 ? " (special value: minimal guard time)" : "");
            };
        }
        if (i == 2) {
            return switch (which) {
                case 'A' -> {
                    SpecificMode m = SpecificMode.of(v);
                    yield "specific mode, T=" + m.protocol()
                            + (m.parametersImplicit() ? ", parameters implicit" : ", parameters from TA1")
                            + (m.canChange() ? ", can change to negotiable mode" : ", cannot change mode");
                }
                case 'B' -> "VPP (deprecated, ignored)";
                default -> "WI = " + orRfu(atr.wi()) + " (T=0 waiting time integer)";
            };
        }
        int q = g.qualifier().orElse(-1);
        boolean first = atr.firstGroupFor(q, which) == g;
        if (q == 1 && first) {
            return switch (which) {
                case 'A' -> "IFSC = " + orRfu(atr.ifsc());
                case 'B' -> "BWI = " + orRfu(atr.bwi()) + ", CWI = " + atr.cwi();
                default -> "error detection: " + atr.t1ErrorDetection();
            };
        }
        if (q == 15 && first) {
            return switch (which) {
                case 'A' -> "clock stop: " + CLOCK_STOP[v >> 6] + ", classes: "
                        + atr.classes().toString().replaceAll("[\\[\\],]", "");
                case 'B' -> "SPU usage";
                default -> "RFU";
            };
        }
        return "specific to T=" + q;
    }

    private static String orRfu(OptionalInt v) {
        return v.isPresent() ? Integer.toString(v.getAsInt()) : "RFU";
    }

    private static String bits(int nibble) {
        return String.format("%4s", Integer.toBinaryString(nibble)).replace(' ', '0');
    }

    private static String ascii(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(x >= 0x20 && x < 0x7F ? (char) x : '.');
        }
        return sb.toString();
    }
}
