package org.cardstack.reader.ccid;

import java.util.ArrayList;
import java.util.List;
import org.cardstack.ccid.CcidDescriptor;
import org.cardstack.iso7816.atr.Atr;
import org.cardstack.iso7816.atr.SpecificMode;
import org.cardstack.reader.NotSupportedException;

/**
 * What the host selects after the ATR on a reader that leaves it to the host (ISO/IEC 7816-3 §6.3.1,
 * §9; CCID §6.1.7): the protocol and the Fi/Di byte, and whether a PPS exchange is needed to get them.
 *
 * <p>Specific mode (TA2 present): the protocol of TA2 and the Fi/Di of TA1 (or Fd/Dd when bit 5 says
 * the parameters are implicit), no PPS. Negotiable mode: the first offered protocol the reader
 * supports, and the card's TA1 if the reader can run that data rate at its default clock, else the
 * same Fi with the next smaller Di the reader can run, else Fd/Dd (0x11). PPS is needed when the
 * selection differs from the defaults (first offered protocol, Fd/Dd).
 *
 * @param protocol 0 or 1
 * @param fiDi the Fi index in bits 8-5, the Di index in bits 4-1 (as TA1 and PPS1)
 * @param ppsNeeded whether a PPS exchange must confirm the selection
 */
record ProtocolChoice(int protocol, int fiDi, boolean ppsNeeded) {
    static final int DEFAULT_FI_DI = 0x11;
    // ISO/IEC 7816-3 tables 7 and 8 by code; 0 marks RFU.
    private static final int[] FI = {372, 372, 558, 744, 1116, 1488, 1860, 0, 0, 512, 768, 1024, 1536, 2048, 0, 0};
    private static final int[] FMAX_KHZ = {4000, 5000, 6000, 8000, 12000, 16000, 20000, 0, 0, 5000, 7500, 10000, 15000,
        20000, 0, 0};
    private static final int[] DI = {0, 1, 2, 4, 8, 16, 32, 64, 12, 20, 0, 0, 0, 0, 0, 0};
    /** Tolerance on a listed data rate, in bps (libccid uses the same). */
    private static final int RATE_TOLERANCE = 2;

    /**
     * @param dataRates the reader's GET_DATA_RATES list in bps (empty: any rate up to dwMaxDataRate)
     */
    static ProtocolChoice choose(Atr atr, CcidDescriptor reader, int[] dataRates) throws NotSupportedException {
        int ta1 = atr.ta(1).orElse(DEFAULT_FI_DI);
        if (atr.specificMode().isPresent()) {
            SpecificMode mode = atr.specificMode().get();
            int fiDi = mode.parametersImplicit() ? DEFAULT_FI_DI : ta1;
            if (!supportsProtocol(reader, mode.protocol())) {
                throw new NotSupportedException("card in specific mode T=" + mode.protocol() + ", reader supports dwProtocols 0x"
                        + Integer.toHexString(reader.dwProtocols()));
            }
            if (!supportsRate(reader, dataRates, fiDi)) {
                throw new NotSupportedException(String.format("card in specific mode at Fi/Di %02X (%d bps at %d kHz),"
                        + " which the reader cannot run", fiDi, rate(reader, fiDi), reader.dwDefaultClock()));
            }
            return new ProtocolChoice(mode.protocol(), fiDi, false);
        }
        int protocol = atr.protocols().stream().filter(t -> supportsProtocol(reader, t)).findFirst()
                .orElseThrow(() -> new NotSupportedException("card offers " + atr.protocols() + ", reader supports dwProtocols 0x"
                        + Integer.toHexString(reader.dwProtocols())));
        int fiDi = candidates(ta1).stream().filter(c -> supportsRate(reader, dataRates, c)).findFirst().orElse(DEFAULT_FI_DI);
        return new ProtocolChoice(protocol, fiDi, protocol != atr.firstProtocol() || fiDi != DEFAULT_FI_DI);
    }

    /** TA1, then the same Fi with smaller Di values (largest first), then Fd/Dd. */
    static List<Integer> candidates(int ta1) {
        List<Integer> list = new ArrayList<>();
        int fi = ta1 >> 4;
        int di = DI[ta1 & 0x0F];
        if (FI[fi] != 0 && di != 0) {
            list.add(ta1);
            for (int value = di - 1; value >= 1; value--) {
                for (int code = 1; code < 10; code++) {
                    if (DI[code] == value) {
                        list.add(fi << 4 | code);
                    }
                }
            }
        }
        if (!list.contains(DEFAULT_FI_DI)) {
            list.add(DEFAULT_FI_DI);
        }
        return list;
    }

    /** @return the data rate in bps of Fi/Di at the reader's default clock, 0 for RFU codes */
    static long rate(CcidDescriptor reader, int fiDi) {
        int fi = FI[fiDi >> 4 & 0x0F];
        int di = DI[fiDi & 0x0F];
        return fi == 0 || di == 0 ? 0 : 1000L * reader.dwDefaultClock() * di / fi;
    }

    static boolean supportsRate(CcidDescriptor reader, int[] dataRates, int fiDi) {
        long rate = rate(reader, fiDi);
        if (rate == 0 || reader.dwDefaultClock() > FMAX_KHZ[fiDi >> 4 & 0x0F]) {
            return false;
        }
        if (dataRates.length > 0) {
            for (int r : dataRates) {
                if (Math.abs((r & 0xFFFFFFFFL) - rate) <= RATE_TOLERANCE) {
                    return true;
                }
            }
            return false;
        }
        return rate <= (reader.dwMaxDataRate() & 0xFFFFFFFFL) || fiDi == DEFAULT_FI_DI;
    }

    private static boolean supportsProtocol(CcidDescriptor reader, int t) {
        return t == 0 && reader.supportsT0() || t == 1 && reader.supportsT1();
    }
}
