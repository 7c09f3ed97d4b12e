package org.cardstack.pcsc;

/** {@code SCARD_PROTOCOL_*} bit values (pcsc-lite {@code pcsclite.h}). Protocol sets are bit masks of these. */
public final class Protocol {
    /** Not negotiated yet (also: DIRECT handles). */
    public static final int UNDEFINED = 0;
    public static final int T0 = 0x0001;
    public static final int T1 = 0x0002;
    public static final int RAW = 0x0004;
    public static final int T15 = 0x0008;
    public static final int ANY = T0 | T1;
    /** The pre-1.0 "any" value pcscd still accepts in connect masks and as send PCI. */
    public static final int ANY_OLD = 0x1000;

    private Protocol() {
    }

    /** "T=0", "T=1", "RAW", "T=15", or the mask in hex. */
    public static String toString(int protocol) {
        return switch (protocol) {
            case UNDEFINED -> "undefined";
            case T0 -> "T=0";
            case T1 -> "T=1";
            case RAW -> "RAW";
            case T15 -> "T=15";
            default -> String.format("0x%X", protocol);
        };
    }
}
