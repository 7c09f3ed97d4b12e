package org.cardstack.iso7816.atr;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Structural ATR parsing per ISO/IEC 7816-3 §8.2; all failures are {@link AtrException}s. */
final class AtrParser {
    /** §8.2.1: at most 32 characters after TS. */
    static final int MAX_LENGTH = 33;

    private static final int ABSENT = InterfaceBytes.absent();

    private final byte[] b;
    private final List<InterfaceBytes> groups = new ArrayList<>();
    private final Map<String, Integer> offsets = new HashMap<>();
    private int pos;
    /** Name and value of the byte announcing what is being read, for messages. */
    private String announcer = "T0";
    private int announcerValue;

    private AtrParser(byte[] atr) {
        this.b = atr;
    }

    static Atr parse(byte[] atr) {
        return new AtrParser(atr).parse();
    }

    private Atr parse() {
        if (b.length == 0) {
            throw new AtrException(0, "byte 0 (TS): ATR is empty");
        }
        if (b.length > MAX_LENGTH) {
            throw new AtrException(MAX_LENGTH, "ATR longer than 33 bytes: " + b.length
                    + " bytes (ISO/IEC 7816-3 §8.2.1 allows TS + at most 32 characters)");
        }
        Convention convention = convention(u(0));
        if (b.length < 2) {
            throw new AtrException(1, "byte 1 (T0): ATR ends after TS");
        }
        int t0 = u(1);
        announcerValue = t0;
        pos = 2;
        int firstNonZeroT = -1;
        int y = t0 >> 4;
        int qualifier = ABSENT;
        for (int i = 1; ; i++) {
            int ta = (y & 0x1) != 0 ? read("TA" + i) : ABSENT;
            int tb = (y & 0x2) != 0 ? read("TB" + i) : ABSENT;
            int tc = (y & 0x4) != 0 ? read("TC" + i) : ABSENT;
            int td = (y & 0x8) != 0 ? read("TD" + i) : ABSENT;
            groups.add(new InterfaceBytes(i, qualifier, ta, tb, tc, td));
            if (td == ABSENT) {
                break;
            }
            qualifier = td & 0x0F;
            if (qualifier != 0 && firstNonZeroT < 0) {
                firstNonZeroT = i;
            }
            y = td >> 4;
            announcer = "TD" + i;
            announcerValue = td;
        }
        int k = t0 & 0x0F;
        int histStart = pos;
        if (histStart + k > b.length) {
            int have = b.length - histStart;
            throw new AtrException(b.length, String.format(
                    "byte %d (historical byte %d of %d): ATR ends after %d of the %d historical bytes"
                            + " announced by T0 = 0x%02X", b.length, have + 1, k, have, k, t0));
        }
        pos += k;
        int tck = ABSENT;
        if (firstNonZeroT > 0) {
            tck = checkTck(firstNonZeroT);
        }
        if (pos < b.length) {
            throw new AtrException(pos, String.format(
                    "byte %d: %d unexpected byte(s) after the end of the ATR (expected length %d)%s",
                    pos, b.length - pos, pos,
                    tck == ABSENT ? "; TCK must be absent when only T=0 is indicated (§8.2.5)" : ""));
        }
        return new Atr(b, convention, groups, histStart, k, tck, offsets);
    }

    private Convention convention(int ts) {
        // §8.1: TS is the only byte that fixes the convention; anything else is not an ATR.
        if (ts == 0x3B) {
            return Convention.DIRECT;
        }
        if (ts == 0x3F) {
            return Convention.INVERSE;
        }
        String hint = ts == 0x03 ? " (0x03 is 0x3F still in inverse coding: bytes were not decoded)" : "";
        throw new AtrException(0, String.format(
                "byte 0 (TS): 0x%02X is not a valid initial character, expected 0x3B (direct) or 0x3F"
                        + " (inverse), ISO/IEC 7816-3 §8.1%s", ts, hint));
    }

    private int read(String name) {
        if (pos >= b.length) {
            throw new AtrException(pos, String.format("byte %d (%s): ATR ends before %s (announced by %s = 0x%02X)",
                    pos, name, name, announcer, announcerValue));
        }
        offsets.put(name, pos);
        return u(pos++);
    }

    private int checkTck(int tdIndex) {
        // §8.2.5: TCK is present unless only T=0 is indicated; XOR of T0..TCK is zero.
        if (pos >= b.length) {
            throw new AtrException(pos, String.format(
                    "byte %d (TCK): ATR ends before TCK, which is mandatory since TD%d indicates T=%d"
                            + " (ISO/IEC 7816-3 §8.2.5)", pos, tdIndex, groups.get(tdIndex - 1).indicatedProtocol().getAsInt()));
        }
        int xor = 0;
        for (int i = 1; i < pos; i++) {
            xor ^= u(i);
        }
        int tck = u(pos);
        if (xor != tck) {
            throw new AtrException(pos, String.format("TCK mismatch: expected 0x%02X at offset %d, got 0x%02X",
                    xor, pos, tck));
        }
        offsets.put("TCK", pos);
        pos++;
        return tck;
    }

    private int u(int i) {
        return b[i] & 0xFF;
    }
}
