package org.cardstack.ccid;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Bulk-out command messages, CCID rev 1.1 §6.1. Each record carries the header fields bSlot and
 * bSeq, the three message-specific header bytes under their spec names, and abData where the
 * message has it. {@link CcidCodec} turns them into bytes and back.
 */
public sealed interface PcToRdr {
    int HEADER_LENGTH = 10;

    int bSlot();

    int bSeq();

    /** bMessageType of this command. */
    int messageType();

    /** Header bytes 7..9 (message specific) as a little-endian 24-bit value. */
    default int messageSpecific() { return 0; }

    /** abData, or an empty array for commands without data. Never null. */
    default byte[] abData() { return new byte[0]; }

    /** §6.1.1, 0x62. bPowerSelect: 0 automatic, 1 5.0 V, 2 3.0 V, 3 1.8 V. */
    record IccPowerOn(int bSlot, int bSeq, int bPowerSelect) implements PcToRdr {
        public int messageSpecific() { return bPowerSelect & 0xFF; }

        public int messageType() { return 0x62; }
    }

    /** §6.1.2, 0x63. */
    record IccPowerOff(int bSlot, int bSeq) implements PcToRdr {
        public int messageType() { return 0x63; }
    }

    /** §6.1.3, 0x65. */
    record GetSlotStatus(int bSlot, int bSeq) implements PcToRdr {
        public int messageType() { return 0x65; }
    }

    /** §6.1.4, 0x6F. wLevelParameter chains extended APDUs and character-level exchanges. */
    record XfrBlock(int bSlot, int bSeq, int bBWI, int wLevelParameter, byte[] abData) implements PcToRdr {
        public XfrBlock { abData = Arrays.copyOf(abData, abData.length); }

        @Override
        public boolean equals(Object obj) {
            return obj instanceof XfrBlock o
                    && bSlot == o.bSlot
                    && bSeq == o.bSeq
                    && bBWI == o.bBWI
                    && wLevelParameter == o.wLevelParameter
                    && Arrays.equals(abData, o.abData);
        }

        @Override
        public int hashCode() { return 31 * Objects.hash(bSlot, bSeq, bBWI, wLevelParameter) + Arrays.hashCode(abData); }

        @Override
        public String toString() {
            return "XfrBlock[bSlot=" + bSlot + ", bSeq=" + bSeq + ", bBWI=" + bBWI + ", wLevelParameter=" + wLevelParameter + ", abData="
                    + HexFormat.of().formatHex(abData) + "]";
        }

        public byte[] abData() { return Arrays.copyOf(abData, abData.length); }

        public int messageSpecific() { return (bBWI & 0xFF) | (wLevelParameter & 0xFFFF) << 8; }

        public int messageType() { return 0x6F; }
    }

    /** §6.1.5, 0x6C. */
    record GetParameters(int bSlot, int bSeq) implements PcToRdr {
        public int messageType() { return 0x6C; }
    }

    /** §6.1.6, 0x6D. */
    record ResetParameters(int bSlot, int bSeq) implements PcToRdr {
        public int messageType() { return 0x6D; }
    }

    /** §6.1.7, 0x61. abData is the T=0 (5 bytes) or T=1 (7 bytes) protocol data structure. */
    record SetParameters(int bSlot, int bSeq, int bProtocolNum, byte[] abData) implements PcToRdr {
        public SetParameters { abData = Arrays.copyOf(abData, abData.length); }

        @Override
        public boolean equals(Object obj) {
            return obj instanceof SetParameters o
                    && bSlot == o.bSlot
                    && bSeq == o.bSeq
                    && bProtocolNum == o.bProtocolNum
                    && Arrays.equals(abData, o.abData);
        }

        @Override
        public int hashCode() { return 31 * Objects.hash(bSlot, bSeq, bProtocolNum) + Arrays.hashCode(abData); }

        @Override
        public String toString() {
            return "SetParameters[bSlot=" + bSlot + ", bSeq=" + bSeq + ", bProtocolNum=" + bProtocolNum + ", abData="
                    + HexFormat.of().formatHex(abData) + "]";
        }

        public byte[] abData() { return Arrays.copyOf(abData, abData.length); }

        public int messageSpecific() { return bProtocolNum & 0xFF; }

        public int messageType() { return 0x61; }
    }

    /** §6.1.8, 0x6B. */
    record Escape(int bSlot, int bSeq, byte[] abData) implements PcToRdr {
        public Escape { abData = Arrays.copyOf(abData, abData.length); }

        @Override
        public boolean equals(Object obj) {
            return obj instanceof Escape o
                    && bSlot == o.bSlot
                    && bSeq == o.bSeq
                    && Arrays.equals(abData, o.abData);
        }

        @Override
        public int hashCode() { return 31 * Objects.hash(bSlot, bSeq) + Arrays.hashCode(abData); }

        @Override
        public String toString() {
            return "Escape[bSlot=" + bSlot + ", bSeq=" + bSeq + ", abData="
                    + HexFormat.of().formatHex(abData) + "]";
        }

        public byte[] abData() { return Arrays.copyOf(abData, abData.length); }

        public int messageType() { return 0x6B; }
    }

    /** §6.1.9, 0x6E. bClockCommand: 0 restart, 1 stop. */
    record IccClock(int bSlot, int bSeq, int bClockCommand) implements PcToRdr {
        public int messageSpecific() { return bClockCommand & 0xFF; }

        public int messageType() { return 0x6E; }
    }

    /** §6.1.10, 0x6A. */
    record T0APDU(int bSlot, int bSeq, int bmChanges, int bClassGetResponse, int bClassEnvelope) implements PcToRdr {
        public int messageSpecific() { return (bmChanges & 0xFF) | (bClassGetResponse & 0xFF) << 8 | (bClassEnvelope & 0xFF) << 16; }

        public int messageType() { return 0x6A; }
    }

    /** §6.1.11, 0x69. abData: bPINOperation and the PIN verification/modification structure. */
    record Secure(int bSlot, int bSeq, int bBWI, int wLevelParameter, byte[] abData) implements PcToRdr {
        public Secure { abData = Arrays.copyOf(abData, abData.length); }

        @Override
        public boolean equals(Object obj) {
            return obj instanceof Secure o
                    && bSlot == o.bSlot
                    && bSeq == o.bSeq
                    && bBWI == o.bBWI
                    && wLevelParameter == o.wLevelParameter
                    && Arrays.equals(abData, o.abData);
        }

        @Override
        public int hashCode() { return 31 * Objects.hash(bSlot, bSeq, bBWI, wLevelParameter) + Arrays.hashCode(abData); }

        @Override
        public String toString() {
            return "Secure[bSlot=" + bSlot + ", bSeq=" + bSeq + ", bBWI=" + bBWI + ", wLevelParameter=" + wLevelParameter + ", abData="
                    + HexFormat.of().formatHex(abData) + "]";
        }

        public byte[] abData() { return Arrays.copyOf(abData, abData.length); }

        public int messageSpecific() { return (bBWI & 0xFF) | (wLevelParameter & 0xFFFF) << 8; }

        public int messageType() { return 0x69; }
    }

    /** §6.1.12, 0x71. bFunction: 1 accept, 2 eject, 3 capture, 4 lock, 5 unlock. */
    record Mechanical(int bSlot, int bSeq, int bFunction) implements PcToRdr {
        public int messageSpecific() { return bFunction & 0xFF; }

        public int messageType() { return 0x71; }
    }

    /** §6.1.13, 0x72. Sent after the class request ABORT with the same bSeq (§5.3.1). */
    record Abort(int bSlot, int bSeq) implements PcToRdr {
        public int messageType() { return 0x72; }
    }

    /** §6.1.14, 0x73. dwClockFrequency in kHz, dwDataRate in bps. */
    record SetDataRateAndClockFrequency(int bSlot, int bSeq, int dwClockFrequency, int dwDataRate) implements PcToRdr {
        public int messageType() { return 0x73; }

        public byte[] abData() {
            byte[] d = new byte[8];
            CcidCodec.putLe32(d, 0, dwClockFrequency);
            CcidCodec.putLe32(d, 4, dwDataRate);
            return d;
        }
    }
}
