package org.cardstack.ccid;

import java.util.Arrays;
import java.util.HexFormat;

/** Interrupt-in messages, CCID rev 1.1 §6.3. */
public sealed interface InterruptMessage {

    /**
     * §6.3.1, 0x50. bmSlotICCState: two bits per slot, bit 0 = ICC present, bit 1 = changed since
     * the last message; as many bytes as the reader's slots need.
     */
    record NotifySlotChange(byte[] bmSlotICCState) implements InterruptMessage {
        public NotifySlotChange { bmSlotICCState = bmSlotICCState.clone(); }

        @Override
        public boolean equals(Object obj) {
            return obj instanceof NotifySlotChange o && Arrays.equals(bmSlotICCState, o.bmSlotICCState);
        }

        @Override
        public int hashCode() { return Arrays.hashCode(bmSlotICCState); }

        @Override
        public String toString() { return "NotifySlotChange[bmSlotICCState=" + HexFormat.of().formatHex(bmSlotICCState) + "]"; }

        public byte[] bmSlotICCState() { return bmSlotICCState.clone(); }

        public int slotCount() { return bmSlotICCState.length * 4; }

        public boolean present(int slot) { return bits(slot, 0x1); }

        public boolean changed(int slot) { return bits(slot, 0x2); }

        private boolean bits(int slot, int mask) {
            int i = slot / 4;
            return i < bmSlotICCState.length && ((bmSlotICCState[i] >> ((slot % 4) * 2)) & mask) != 0;
        }
    }

    /** §6.3.2, 0x51. bHardwareErrorCode 0x01: overcurrent. */
    record HardwareError(int bSlot, int bSeq, int bHardwareErrorCode) implements InterruptMessage {
    }
}
