package org.cardstack.reader.ccid;

import org.cardstack.ccid.CcidDescriptor;
import org.cardstack.ccid.PcToRdr;
import org.cardstack.ccid.ProtocolDataStructure;
import org.cardstack.ccid.RdrToPc;
import org.cardstack.iso7816.atr.Atr;
import org.cardstack.iso7816.pps.Pps;
import org.cardstack.iso7816.pps.PpsException;
import org.cardstack.reader.CardCommunicationException;
import org.cardstack.reader.NotSupportedException;
import org.cardstack.reader.ReaderException;
import org.cardstack.reader.ReaderProtocolException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Protocol and parameter selection by the host on a TPDU-level reader that does not do it itself:
 * the reader's data rates (GET_DATA_RATES, CCID §5.3.3) and clock frequencies (GET_CLOCK_FREQUENCIES,
 * §5.3.2), the choice ({@link ProtocolChoice}), the PPS exchange through XfrBlock (ISO/IEC 7816-3 §9)
 * unless the reader runs PPS itself (dwFeatures 0x80), and PC_to_RDR_SetParameters with the T=0 or
 * T=1 structure (§6.1.7).
 */
final class ParameterSelection {
    private static final Logger LOG = LoggerFactory.getLogger(ParameterSelection.class);
    static final int REQUEST_GET_CLOCK_FREQUENCIES = 0x02;
    static final int REQUEST_GET_DATA_RATES = 0x03;

    /** Sends bytes to the card with XfrBlock and returns its answer. */
    @FunctionalInterface
    interface CardBytes {
        byte[] exchange(byte[] data) throws ReaderException;
    }

    private final CcidTransport transport;
    private final CcidDescriptor descriptor;
    private final String readerName;

    ParameterSelection(CcidTransport transport, CcidDescriptor descriptor, String readerName) {
        this.transport = transport;
        this.descriptor = descriptor;
        this.readerName = readerName;
    }

    /** @return the protocol now in force, 0 or 1 */
    int select(int slot, Atr atr, CardBytes card) throws ReaderException {
        int[] rates = list(REQUEST_GET_DATA_RATES, descriptor.bNumDataRatesSupported());
        int[] clocks = list(REQUEST_GET_CLOCK_FREQUENCIES, descriptor.bNumClockSupported());
        ProtocolChoice choice = ProtocolChoice.choose(atr, descriptor, rates);
        LOG.debug("{} slot {}: T={} Fi/Di {} (PPS {}), reader rates {} clocks {} kHz", readerName, slot, choice.protocol(),
                Integer.toHexString(choice.fiDi()), choice.ppsNeeded(), java.util.Arrays.toString(rates),
                java.util.Arrays.toString(clocks));
        int fiDi = choice.fiDi();
        if (choice.ppsNeeded() && !descriptor.has(CcidDescriptor.FEATURE_AUTO_PPS)) {
            fiDi = pps(choice, card);
        }
        ProtocolDataStructure params = choice.protocol() == 0
                ? ProtocolDataStructure.T0.of(atr, fiDi) : ProtocolDataStructure.T1.of(atr, fiDi);
        setParameters(slot, params);
        return choice.protocol();
    }

    /** PPS request and response, §9.2/9.3. @return the Fi/Di byte the card confirmed */
    private int pps(ProtocolChoice choice, CardBytes card) throws ReaderException {
        Pps request = choice.fiDi() == ProtocolChoice.DEFAULT_FI_DI
                ? Pps.request(choice.protocol()) : Pps.request(choice.protocol(), choice.fiDi());
        byte[] answer = card.exchange(request.toBytes());
        try {
            return request.confirmedBy(Pps.parse(answer));
        } catch (PpsException e) {
            throw new CardCommunicationException("PPS failed on " + readerName + ": " + request + " answered "
                    + CcidReader.hex(answer) + ": " + e.getMessage());
        }
    }

    private void setParameters(int slot, ProtocolDataStructure params) throws ReaderException {
        RdrToPc answer = transport.exchange(seq -> new PcToRdr.SetParameters(slot, seq, params.bProtocolNum(), params.toBytes()));
        if (answer.status().failed()) {
            throw CcidReader.failure(answer, "SetParameters " + params);
        }
        if (!(answer instanceof RdrToPc.Parameters)) {
            throw new ReaderProtocolException("SetParameters answered with bMessageType 0x"
                    + Integer.toHexString(answer.messageType()) + ", expected RDR_to_PC_Parameters 0x82");
        }
    }

    /** A list of dwords from a class request; empty when the reader lists none or refuses. */
    private int[] list(int request, int count) throws ReaderException {
        if (count == 0) {
            return new int[0];
        }
        byte[] d;
        try {
            d = transport.classRequestIn(request, 4 * count);
        } catch (NotSupportedException e) {
            LOG.debug("{}: {}", readerName, e.getMessage());
            return new int[0];
        }
        int[] values = new int[d.length / 4];
        for (int i = 0; i < values.length; i++) {
            values[i] = (d[4 * i] & 0xFF) | (d[4 * i + 1] & 0xFF) << 8 | (d[4 * i + 2] & 0xFF) << 16 | (d[4 * i + 3] & 0xFF) << 24;
        }
        return values;
    }
}
