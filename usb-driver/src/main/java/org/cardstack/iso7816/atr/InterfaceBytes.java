package org.cardstack.iso7816.atr;

import java.util.OptionalInt;

/**
 * Interface byte group i: TAi, TBi, TCi, TDi (ISO/IEC 7816-3 §8.2.3). Group 1 is announced by T0,
 * group i+1 by TDi. Absent bytes are empty; present bytes are 0..255.
 */
public final class InterfaceBytes {
    private static final int ABSENT = -1;

    private final int index;
    private final int qualifier;
    private final int ta;
    private final int tb;
    private final int tc;
    private final int td;

    InterfaceBytes(int index, int qualifier, int ta, int tb, int tc, int td) {
        this.index = index;
        this.qualifier = qualifier;
        this.ta = ta;
        this.tb = tb;
        this.tc = tc;
        this.td = td;
    }

    static int absent() {
        return ABSENT;
    }

    /** @return i, starting at 1 */
    public int index() {
        return index;
    }

    /**
     * @return the protocol T indicated by TD(i-1), which qualifies the bytes of this group (§8.2.3);
     *     empty for group 1
     */
    public OptionalInt qualifier() {
        return opt(qualifier);
    }

    /** @return TAi */
    public OptionalInt ta() {
        return opt(ta);
    }

    /** @return TBi */
    public OptionalInt tb() {
        return opt(tb);
    }

    /** @return TCi */
    public OptionalInt tc() {
        return opt(tc);
    }

    /** @return TDi */
    public OptionalInt td() {
        return opt(td);
    }

    /** @return the protocol T indicated by TDi (bits 4-1), empty when TDi is absent */
    public OptionalInt indicatedProtocol() {
        return td == ABSENT ? OptionalInt.empty() : OptionalInt.of(td & 0x0F);
    }

    private static OptionalInt opt(int v) {
        return v == ABSENT ? OptionalInt.empty() : OptionalInt.of(v);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InterfaceBytes g
                && g.index == index && g.qualifier == qualifier
                && g.ta == ta && g.tb == tb && g.tc == tc && g.td == td;
    }

    @Override
    public int hashCode() {
        return ((((index * 31 + qualifier) * 31 + ta) * 31 + tb) * 31 + tc) * 31 + td;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("group ").append(index).append(':');
        append(sb, "TA", ta);
        append(sb, "TB", tb);
        append(sb, "TC", tc);
        append(sb, "TD", td);
        return sb.toString();
    }

    private void append(StringBuilder sb, String name, int v) {
        if (v != ABSENT) {
            sb.append(' ').append(name).append(index).append(String.format("=%02X", v));
        }
    }
}
