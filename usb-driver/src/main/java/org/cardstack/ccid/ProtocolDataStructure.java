package org.cardstack.ccid;

import org.cardstack.iso7816.atr.Atr;
import org.cardstack.iso7816.atr.Convention;
import org.cardstack.iso7816.atr.T1ErrorDetection;

/**
 * abProtocolDataStructure of PC_to_RDR_SetParameters and RDR_to_PC_Parameters, CCID rev 1.1 §6.1.7
 * tables 6.1-5 (T=0, 5 bytes) and 6.1-6 (T=1, 7 bytes).
 */
public sealed interface ProtocolDataStructure {
    /** @return bProtocolNum: 0 for T=0, 1 for T=1 */
    int bProtocolNum();

    /** @return the structure's bytes */
    byte[] toBytes();

    /**
     * T=0 structure.
     *
     * @param bmFindexDindex Fi index in bits 7-4, Di index in bits 3-0 (as TA1 / PPS1)
     * @param bmTCCKST0 bit 1: convention (0 direct, 1 inverse); other bits 0
     * @param bGuardTimeT0 extra guard time N (TC1)
     * @param bWaitingIntegerT0 WI (TC2)
     * @param bClockStop 0 not allowed, 1 low, 2 high, 3 either
     */
    record T0(int bmFindexDindex, int bmTCCKST0, int bGuardTimeT0, int bWaitingIntegerT0, int bClockStop)
            implements ProtocolDataStructure {
        public int bProtocolNum() { return 0; }

        public byte[] toBytes() {
            return new byte[] {(byte) bmFindexDindex, (byte) bmTCCKST0, (byte) bGuardTimeT0, (byte) bWaitingIntegerT0,
                (byte) bClockStop};
        }

        /** @return the structure for a card with this ATR at Fi/Di byte {@code fiDi} */
        public static T0 of(Atr atr, int fiDi) {
            return new T0(fiDi, atr.convention() == Convention.INVERSE ? 0x02 : 0x00, atr.extraGuardTime(),
                    atr.wi().orElse(Atr.DEFAULT_WI), clockStop(atr));
        }
    }

    /**
     * T=1 structure.
     *
     * @param bmFindexDindex Fi index in bits 7-4, Di index in bits 3-0
     * @param bmTCCKST1 0x10 | bit 1 convention (inverse) | bit 0 checksum (1 CRC, 0 LRC)
     * @param bGuardTimeT1 extra guard time (TC1)
     * @param bmWaitingIntegersT1 BWI in bits 7-4, CWI in bits 3-0
     * @param bClockStop 0 not allowed, 1 low, 2 high, 3 either
     * @param bIFSC size of the card's information field
     * @param bNadValue NAD the reader uses (0 when NAD is not used)
     */
    record T1(int bmFindexDindex, int bmTCCKST1, int bGuardTimeT1, int bmWaitingIntegersT1, int bClockStop, int bIFSC,
              int bNadValue) implements ProtocolDataStructure {
        public int bProtocolNum() { return 1; }

        public byte[] toBytes() {
            return new byte[] {(byte) bmFindexDindex, (byte) bmTCCKST1, (byte) bGuardTimeT1, (byte) bmWaitingIntegersT1,
                (byte) bClockStop, (byte) bIFSC, (byte) bNadValue};
        }

        /** @return the structure for a card with this ATR at Fi/Di byte {@code fiDi} */
        public static T1 of(Atr atr, int fiDi) {
            int tcck = 0x10 | (atr.convention() == Convention.INVERSE ? 0x02 : 0)
                    | (atr.t1ErrorDetection() == T1ErrorDetection.CRC ? 0x01 : 0);
            int waiting = atr.bwi().orElse(Atr.DEFAULT_BWI) << 4 | atr.cwi();
            return new T1(fiDi, tcck, atr.extraGuardTime(), waiting, clockStop(atr), atr.ifsc().orElse(Atr.DEFAULT_IFSC), 0);
        }
    }

    /** @return the structure in abData of RDR_to_PC_Parameters or PC_to_RDR_SetParameters */
    static ProtocolDataStructure parse(int bProtocolNum, byte[] d) throws CcidFormatException {
        if (bProtocolNum == 0 && d.length == 5) {
            return new T0(d[0] & 0xFF, d[1] & 0xFF, d[2] & 0xFF, d[3] & 0xFF, d[4] & 0xFF);
        }
        if (bProtocolNum == 1 && d.length == 7) {
            return new T1(d[0] & 0xFF, d[1] & 0xFF, d[2] & 0xFF, d[3] & 0xFF, d[4] & 0xFF, d[5] & 0xFF, d[6] & 0xFF);
        }
        throw new CcidFormatException("abProtocolDataStructure", 10, "T=" + bProtocolNum + " structure of " + d.length + " bytes");
    }

    private static int clockStop(Atr atr) {
        return atr.clockStop().ordinal();
    }
}
