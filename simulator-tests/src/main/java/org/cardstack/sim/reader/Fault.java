package org.cardstack.sim.reader;

import java.util.Arrays;

/**
 * One-shot faults of a {@link VirtualCcidReader}, queued with {@link Faults#next(Fault)} and applied to
 * the next bulk-out command message (or the next of one bMessageType). Every fault is deterministic:
 * no randomness, delays are the only timing involved.
 */
public sealed interface Fault {

    /**
     * {@code count} time-extension answers (bmCommandStatus = 2, bError = {@code multiplier}, no data,
     * the command's answer type and bSeq), each sent {@code delayMillis} after the previous, then the
     * real answer. A control ABORT or an unplug ends the wait.
     */
    record TimeExtension(int count, long delayMillis, int multiplier) implements Fault {
    }

    /** The answer comes {@code millis} late (a slow card or reader). */
    record Delay(long millis) implements Fault {
    }

    /** The answer carries bSeq + 1 (mod 256) instead of the command's bSeq. */
    record WrongSeq() implements Fault {
    }

    /** Only the first {@code length} bytes of the answer are sent (a header cut short if under 10). */
    record Truncate(int length) implements Fault {
    }

    /** The answer's dwLength says {@code dwLength} (e.g. 0x7FFFFFFF); the data sent is unchanged. */
    record Oversized(int dwLength) implements Fault {
    }

    /** These bytes are sent instead of the answer. */
    record Garbage(byte[] bytes) implements Fault {
        public Garbage {
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() { return bytes.clone(); }

        @Override
        public boolean equals(Object o) { return o instanceof Garbage g && Arrays.equals(g.bytes, bytes); }

        @Override
        public int hashCode() { return Arrays.hashCode(bytes); }
    }

    /** dwLength says {@code delta} more (positive) or fewer (negative) data bytes than are sent. */
    record LyingLength(int delta) implements Fault {
    }

    /**
     * The card is pulled while the command runs: no answer at all (as readers that drop queued answers
     * do), the slot is empty and the interrupt endpoint reports the change.
     */
    record CardRemoved() implements Fault {
    }

    /** The whole reader is unplugged while the command runs: no answer, every handle is gone. */
    record Unplug() implements Fault {
    }

    /**
     * The endpoint halts. Bulk OUT: that bulkOut throws UsbStallException, the message is dropped.
     * Bulk IN: the command runs, its answer is dropped and bulkIn throws UsbStallException. Either way
     * every later transfer on the endpoint stalls until clearHalt (CLEAR_FEATURE ENDPOINT_HALT).
     */
    record Stall(int endpoint) implements Fault {
    }

    /** The command is swallowed: no answer, the slot stays busy until a class request ABORT. */
    record NoAnswer() implements Fault {
    }

    static Fault timeExtension(int count, long delayMillis) { return new TimeExtension(count, delayMillis, 1); }

    static Fault delay(long millis) { return new Delay(millis); }

    static Fault wrongSeq() { return new WrongSeq(); }

    static Fault truncated(int length) { return new Truncate(length); }

    static Fault oversized(int dwLength) { return new Oversized(dwLength); }

    /** The default garbage: 16 fixed bytes that are no CCID message (bMessageType 0xDE). */
    static Fault garbage() {
        return new Garbage(new byte[] {(byte) 0xDE, (byte) 0xAD, (byte) 0xBE, (byte) 0xEF, 0x01, 0x23, 0x45, 0x67,
                (byte) 0x89, (byte) 0xAB, (byte) 0xCD, (byte) 0xEF, 0x55, (byte) 0xAA, 0x00, (byte) 0xFF});
    }

    static Fault garbage(byte[] bytes) { return new Garbage(bytes); }

    static Fault lyingLength(int delta) { return new LyingLength(delta); }

    static Fault cardRemoved() { return new CardRemoved(); }

    static Fault unplug() { return new Unplug(); }

    static Fault stall(int endpoint) { return new Stall(endpoint); }

    static Fault noAnswer() { return new NoAnswer(); }
}
