package org.cardstack.pcsc;

/**
 * {@code SCARD_STATE_*} bits of SCardGetStatusChange's {@code dwCurrentState}/{@code dwEventState}
 * low word; the high word carries the event counter.
 */
public final class StateFlags {
    public static final int UNAWARE = 0x0000;
    public static final int IGNORE = 0x0001;
    public static final int CHANGED = 0x0002;
    public static final int UNKNOWN = 0x0004;
    public static final int UNAVAILABLE = 0x0008;
    public static final int EMPTY = 0x0010;
    public static final int PRESENT = 0x0020;
    public static final int ATRMATCH = 0x0040;
    public static final int EXCLUSIVE = 0x0080;
    public static final int INUSE = 0x0100;
    public static final int MUTE = 0x0200;
    public static final int UNPOWERED = 0x0400;

    /** The pseudo-reader whose entry reports reader arrival and removal (compared case-insensitively). */
    public static final String PNP_NOTIFICATION = "\\\\?PnP?\\Notification";

    /** {@code INFINITE} timeout of SCardGetStatusChange. */
    public static final long INFINITE = 0xFFFFFFFFL;

    private StateFlags() {
    }

    /** The event counter in the high word. */
    public static int counter(int state) { return state >>> 16; }

    public static String toString(int state) {
        StringBuilder b = new StringBuilder(String.format("0x%08X[", state));
        String[] names = {"IGNORE", "CHANGED", "UNKNOWN", "UNAVAILABLE", "EMPTY", "PRESENT", "ATRMATCH", "EXCLUSIVE",
                "INUSE", "MUTE", "UNPOWERED"};
        for (int i = 0; i < names.length; i++) {
            if ((state & (1 << i)) != 0) {
                b.append(b.charAt(b.length() - 1) == '[' ? "" : "|").append(names[i]);
            }
        }
        return b.append(" counter ").append(counter(state)).append(']').toString();
    }
}
