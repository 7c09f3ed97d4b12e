package org.cardstack.ccid;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Bulk-in response messages, CCID rev 1.1 §6.2. {@link #bStatus()} and {@link #bError()} are the
 * slot status and slot error registers (§6.2.6), decoded by {@link SlotStatusRegister}.
 */
public sealed interface RdrToPc {
    int HEADER_LENGTH = 10;

    int bSlot();

    int bSeq();

    int bStatus();

    int bError();

    int messageType();

    default byte[] abData() { return new byte[0]; }

    /** Header byte 9: bChainParameter, bClockStatus or bProtocolNum; 0 (bRFU) for the others. */
    default int lastHeaderByte() { return 0; }

    default SlotStatusRegister status() { return new SlotStatusRegister(bStatus(), bError()); }

    /** §6.2.1, 0x80: answers IccPowerOn (abData = ATR), XfrBlock and Secure. */
    record DataBlock(int bSlot, int bSeq, int bStatus, int bError, int bChainParameter, byte[] abData) implements RdrToPc {
        public DataBlock { abData = Arrays.copyOf(abData, abData.length); }

        @Override
        public boolean equals(Object obj) {
            return obj instanceof DataBlock o
                    && bSlot == o.bSlot
                    && bSeq == o.bSeq
                    && bStatus == o.bStatus
                    && bError == o.bError
                    && bChainParameter == o.bChainParameter
                    && Arrays.equals(abData, o.abData);
        }

        @Override
        public int hashCode() { return 31 * Objects.hash(bSlot, bSeq, bStatus, bError, bChainParameter) + Arrays.hashCode(abData); }

        @Override
        public String toString() {
            return "DataBlock[bSlot=" + bSlot + ", bSeq=" + bSeq + ", bStatus=" + bStatus + ", bError=" + bError + ", bChainParameter=" + bChainParameter + ", abData="
                    + HexFormat.of().formatHex(abData) + "]";
        }

        public byte[] abData() { return Arrays.copyOf(abData, abData.length); }

        public int lastHeaderByte() { return bChainParameter; }

        public int messageType() { return 0x80; }
    }

    /** §6.2.2, 0x81. bClockStatus: 0 running, 1 stopped L, 2 stopped H, 3 stopped unknown (04-FF RFU, kept as sent). */
    record SlotStatus(int bSlot, int bSeq, int bStatus, int bError, int bClockStatus) implements RdrToPc {
        public int lastHeaderByte() { return bClockStatus; }

        public int messageType() { return 0x81; }
    }

    /** §6.2.3, 0x82. abData is the protocol data structure for bProtocolNum (0: T=0, 1: T=1). */
    record Parameters(int bSlot, int bSeq, int bStatus, int bError, int bProtocolNum, byte[] abData) implements RdrToPc {
        public Parameters { abData = Arrays.copyOf(abData, abData.length); }

        @Override
        public boolean equals(Object obj) {
            return obj instanceof Parameters o
                    && bSlot == o.bSlot
                    && bSeq == o.bSeq
                    && bStatus == o.bStatus
                    && bError == o.bError
                    && bProtocolNum == o.bProtocolNum
                    && Arrays.equals(abData, o.abData);
        }

        @Override
        public int hashCode() { return 31 * Objects.hash(bSlot, bSeq, bStatus, bError, bProtocolNum) + Arrays.hashCode(abData); }

        @Override
        public String toString() {
            return "Parameters[bSlot=" + bSlot + ", bSeq=" + bSeq + ", bStatus=" + bStatus + ", bError=" + bError + ", bProtocolNum=" + bProtocolNum + ", abData="
                    + HexFormat.of().formatHex(abData) + "]";
        }

        public byte[] abData() { return Arrays.copyOf(abData, abData.length); }

        public int lastHeaderByte() { return bProtocolNum; }

        public int messageType() { return 0x82; }
    }

    /** §6.2.4, 0x83. */
    record Escape(int bSlot, int bSeq, int bStatus, int bError, byte[] abData) implements RdrToPc {
        public Escape { abData = Arrays.copyOf(abData, abData.length); }

        @Override
        public boolean equals(Object obj) {
            return obj instanceof Escape o
                    && bSlot == o.bSlot
                    && bSeq == o.bSeq
                    && bStatus == o.bStatus
                    && bError == o.bError
                    && Arrays.equals(abData, o.abData);
        }

        @Override
        public int hashCode() { return 31 * Objects.hash(bSlot, bSeq, bStatus, bError) + Arrays.hashCode(abData); }

        @Override
        public String toString() {
            return "Escape[bSlot=" + bSlot + ", bSeq=" + bSeq + ", bStatus=" + bStatus + ", bError=" + bError + ", abData="
                    + HexFormat.of().formatHex(abData) + "]";
        }

        public byte[] abData() { return Arrays.copyOf(abData, abData.length); }

        public int messageType() { return 0x83; }
    }

    /** §6.2.5, 0x84. */
    record DataRateAndClockFrequency(int bSlot, int bSeq, int bStatus, int bError, int dwClockFrequency,
                                     int dwDataRate) implements RdrToPc {
        public int messageType() { return 0x84; }

        public byte[] abData() {
            byte[] d = new byte[8];
            CcidCodec.putLe32(d, 0, dwClockFrequency);
            CcidCodec.putLe32(d, 4, dwDataRate);
            return d;
        }
    }
}
