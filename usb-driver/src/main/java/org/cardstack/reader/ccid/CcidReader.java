package org.cardstack.reader.ccid;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.function.IntFunction;
import org.cardstack.ccid.CcidDescriptor;
import org.cardstack.ccid.ExchangeLevel;
import org.cardstack.ccid.PcToRdr;
import org.cardstack.ccid.RdrToPc;
import org.cardstack.ccid.SlotStatusRegister;
import org.cardstack.iso7816.apdu.ApduFormatException;
import org.cardstack.iso7816.apdu.CommandApdu;
import org.cardstack.iso7816.atr.Atr;
import org.cardstack.iso7816.atr.AtrException;
import org.cardstack.iso7816.atr.VoltageClass;
import org.cardstack.iso7816.t0.T0CaseMapping;
import org.cardstack.iso7816.t0.T0MappingException;
import org.cardstack.iso7816.t1.BlockReceiveException;
import org.cardstack.iso7816.t1.T1Exception;
import org.cardstack.iso7816.t1.T1Protocol;
import org.cardstack.reader.CardAbsentException;
import org.cardstack.reader.CardCommunicationException;
import org.cardstack.reader.CardMuteException;
import org.cardstack.reader.CardUnpoweredException;
import org.cardstack.reader.CommandAbortedException;
import org.cardstack.reader.NotSupportedException;
import org.cardstack.reader.Reader;
import org.cardstack.reader.ReaderBusyException;
import org.cardstack.reader.ReaderException;
import org.cardstack.reader.ReaderGoneException;
import org.cardstack.reader.ReaderInfo;
import org.cardstack.reader.ReaderProtocolException;
import org.cardstack.reader.ReaderTimeoutException;
import org.cardstack.reader.SlotState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A CCID reader: slots, power, and APDU exchange at the reader's level (CCID §5.1 dwFeatures):
 * short and extended APDU level, and TPDU level, where the driver selects protocol and parameters
 * after the ATR when the reader does not (PPS and SetParameters, ISO/IEC 7816-3 §9, CCID §6.1.7) and
 * runs T=0 (case mapping, §12.2) or the T=1 block protocol (§11, {@link T1Protocol}) itself. Callers
 * see the same {@link #transmit} at every level.
 */
public final class CcidReader implements Reader {
    private static final Logger LOG = LoggerFactory.getLogger(CcidReader.class);

    // bPowerSelect values, CCID §6.1.1
    private static final int POWER_AUTO = 0;
    private static final int POWER_5V = 1;
    private static final int POWER_3V = 2;
    private static final int POWER_1_8V = 3;

    // wLevelParameter and bChainParameter values for extended APDU level, CCID §6.1.4 table 6.1-3, §6.2.1
    private static final int CHAIN_BEGIN_END = 0x00;
    private static final int CHAIN_BEGIN_MORE = 0x01;
    private static final int CHAIN_CONTINUE_END = 0x02;
    private static final int CHAIN_CONTINUE_MORE = 0x03;
    private static final int CHAIN_EMPTY_CONTINUE = 0x10;
    /** Bound on response blocks of one chained exchange: 64 KiB + SW in the smallest blocks readers use. */
    private static final int MAX_CHAIN_BLOCKS = 4_096;
    private static final int MAX_RESPONSE = 65_538;

    private final ReaderInfo info;
    private final CcidDescriptor descriptor;
    private final CcidTransport transport;
    private final SlotModel[] slots;

    CcidReader(ReaderInfo info, CcidDescriptor descriptor, CcidTransport transport) {
        this.info = info;
        this.descriptor = descriptor;
        this.transport = transport;
        this.slots = new SlotModel[descriptor.slotCount()];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = new SlotModel();
        }
    }

    @Override
    public ReaderInfo info() { return info; }

    public CcidDescriptor descriptor() { return descriptor; }

    @Override
    public boolean isGone() { return transport.isGone(); }

    @Override
    public SlotState slotState(int slot) throws ReaderException {
        SlotModel model = slot(slot);
        RdrToPc answer = transport.exchange(seq -> new PcToRdr.GetSlotStatus(slot, seq));
        SlotStatusRegister st = answer.status();
        if (st.failed() && st.iccStatus() != SlotStatusRegister.IccStatus.ABSENT) {
            throw failure(answer, "GetSlotStatus");
        }
        return model.update(st.iccStatus());
    }

    @Override
    public byte[] powerOn(int slot) throws ReaderException {
        return exclusive(slot, () -> doPowerOn(slot));
    }

    private byte[] doPowerOn(int slot) throws ReaderException {
        SlotModel model = slot(slot);
        ReaderException last = null;
        for (int voltage : voltageSequence()) {
            RdrToPc answer = transport.exchange(seq -> new PcToRdr.IccPowerOn(slot, seq, voltage));
            SlotStatusRegister st = answer.status();
            if (!st.failed() && answer instanceof RdrToPc.DataBlock) {
                byte[] atr = answer.abData();
                if (voltage != POWER_AUTO && !classAccepted(atr, voltage)) {
                    // ISO/IEC 7816-3 §6.2.4: the card's class indicator does not allow this class; try the next.
                    powerOffQuietly(slot);
                    last = new CardCommunicationException("card refuses every class the reader offers");
                    continue;
                }
                model.powered(atr);
                LOG.debug("{} slot {}: ATR {}", info.name(), slot, hex(atr));
                if (descriptor.exchangeLevel() == ExchangeLevel.TPDU) {
                    model.link(tpduLink(slot, model, atr));
                }
                return atr.clone();
            }
            // Data of a failed power-on is no ATR (ccid-traces Q15); ignore it.
            last = failure(answer, "IccPowerOn");
            if (last instanceof CardAbsentException) {
                model.update(SlotStatusRegister.IccStatus.ABSENT);
                throw last;
            }
            if (!(last instanceof CardMuteException) && st.bError() != SlotStatusRegister.ICC_CLASS_NOT_SUPPORTED) {
                throw last;
            }
            powerOffQuietly(slot);
        }
        throw last;
    }

    /**
     * Voltages to try: automatic when the reader selects it itself (dwFeatures 0x08); otherwise
     * from the lowest class up, as ISO/IEC 7816-3 §6.2.4 asks of an interface device.
     */
    private int[] voltageSequence() {
        if (descriptor.has(CcidDescriptor.FEATURE_AUTO_VOLTAGE) || descriptor.bVoltageSupport() == 0) {
            return new int[] {POWER_AUTO};
        }
        int[] all = {POWER_1_8V, POWER_3V, POWER_5V};
        int[] bits = {CcidDescriptor.VOLTAGE_1_8V, CcidDescriptor.VOLTAGE_3V, CcidDescriptor.VOLTAGE_5V};
        return java.util.stream.IntStream.range(0, 3).filter(i -> (descriptor.bVoltageSupport() & bits[i]) != 0)
                .map(i -> all[i]).toArray();
    }

    /**
     * ISO/IEC 7816-3 §6.2.4: a class indicator (first TA for T=15, §8.3) that excludes the class
     * applied makes the interface device try the next class; without one the current class stays.
     */
    private static boolean classAccepted(byte[] atr, int voltage) {
        try {
            Atr parsed = Atr.parse(atr);
            boolean indicated = parsed.interfaceBytes().stream()
                    .anyMatch(g -> g.qualifier().orElse(-1) == 15 && g.ta().isPresent());
            if (!indicated) {
                return true;
            }
            VoltageClass c = voltage == POWER_5V ? VoltageClass.A : voltage == POWER_3V ? VoltageClass.B : VoltageClass.C;
            return parsed.classes().contains(c);
        } catch (AtrException e) {
            return true; // a malformed ATR is reported when used, not by refusing power
        }
    }

    private void powerOffQuietly(int slot) {
        try {
            powerOff(slot);
        } catch (ReaderException e) {
            LOG.debug("power off after failed power on: {}", e.getMessage());
        }
    }

    @Override
    public void powerOff(int slot) throws ReaderException {
        exclusive(slot, () -> {
            doPowerOff(slot);
            return null;
        });
    }

    private void doPowerOff(int slot) throws ReaderException {
        SlotModel model = slot(slot);
        RdrToPc answer = transport.exchange(seq -> new PcToRdr.IccPowerOff(slot, seq));
        if (answer.status().failed() && answer.status().iccStatus() != SlotStatusRegister.IccStatus.ABSENT) {
            throw failure(answer, "IccPowerOff");
        }
        model.update(answer.status().iccStatus());
        model.unpowered();
    }

    @Override
    public byte[] atr(int slot) {
        return slots[checkSlot(slot)].atr();
    }

    @Override
    public byte[] transmit(int slot, byte[] commandApdu) throws ReaderException {
        // exclusive(slot, lambda) unrolled: C1, the daemon's JIT, creates a capturing lambda through a
        // method handle and a call into the VM, once per command.
        SlotModel model = enter(slot);
        try {
            return doTransmit(slot, model, commandApdu);
        } finally {
            model.turn.unlock();
        }
    }

    /** One slot operation that may take several CCID messages (a T=1 or extended chain, a power-on). */
    private interface SlotCall<T> {
        T run() throws ReaderException;
    }

    /**
     * Runs a slot operation alone on its slot: the messages of one APDU (T=1 blocks, chained XfrBlocks)
     * must not interleave with another thread's, and a power cycle must not cut through a chain.
     */
    private <T> T exclusive(int slot, SlotCall<T> call) throws ReaderException {
        SlotModel model = enter(slot);
        try {
            return call.run();
        } finally {
            model.turn.unlock();
        }
    }

    /** Takes the slot's turn (bounded by the overall timeout); the caller unlocks {@code turn}. */
    private SlotModel enter(int slot) throws ReaderException {
        SlotModel model = slot(slot);
        int bound = transport.timeouts().overallMillis();
        try {
            if (!model.turn.tryLock(bound, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                throw new ReaderBusyException("slot " + slot + " of " + info.name() + " busy for " + bound + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReaderException("interrupted while waiting for slot " + slot, e);
        }
        return model;
    }

    private byte[] doTransmit(int slot, SlotModel model, byte[] commandApdu) throws ReaderException {
        if (!model.powered()) {
            throw new CardUnpoweredException("slot " + slot + " of " + info.name() + " is not powered");
        }
        CommandApdu apdu;
        try {
            apdu = CommandApdu.parse(commandApdu);
        } catch (ApduFormatException e) {
            throw new ReaderProtocolException("not a command APDU: " + e.getMessage(), e);
        }
        return switch (descriptor.exchangeLevel()) {
            case SHORT_APDU -> {
                if (apdu.isExtended()) {
                    throw new NotSupportedException(info.name() + " works at short APDU level; extended APDUs need"
                            + " an extended-APDU reader or T=1");
                }
                yield xfr(slot, model, commandApdu, CHAIN_BEGIN_END);
            }
            case EXTENDED_APDU -> extendedExchange(slot, model, commandApdu);
            case TPDU -> tpduExchange(slot, model, apdu);
            case CHARACTER -> throw new NotSupportedException(info.name() + " works at character level, which"
                    + " this driver does not support");
        };
    }

    /** TPDU level (CCID §5.1 0x00010000): T=0 mapped per command, or T=1 blocks through the slot's engine. */
    private byte[] tpduExchange(int slot, SlotModel model, CommandApdu apdu) throws ReaderException {
        TpduLink link = model.link();
        if (link == null) {
            throw new CardUnpoweredException("slot " + slot + " of " + info.name() + " is not powered");
        }
        if (link.protocol() == 1) {
            try {
                return link.t1().transmit(apdu.toBytes());
            } catch (T1Exception e) {
                throw new CardCommunicationException(info.name() + " slot " + slot + ": " + e.getMessage(), e);
            } catch (ReaderException e) {
                throw e;
            } catch (java.io.IOException e) {
                throw new ReaderException("T=1 transport failed: " + e.getMessage(), e);
            }
        }
        byte[] tpdu;
        try {
            tpdu = T0CaseMapping.map(apdu).toBytes();
        } catch (T0MappingException e) {
            throw new NotSupportedException(e.getMessage(), e);
        }
        return xfr(slot, model, tpdu, CHAIN_BEGIN_END);
    }

    /**
     * Selects the protocol after the ATR. Readers that configure themselves from the ATR or negotiate
     * themselves (dwFeatures 0x02, 0x40) are left alone; for the others the driver chooses protocol and
     * Fi/Di ({@link ProtocolChoice}), runs PPS unless the reader does (0x80), and sends SetParameters.
     * On T=1 it then announces IFSD = dwMaxIFSD unless the reader does (0x400). A card this reader
     * cannot serve stays powered and every transmit says why; a failed PPS powers the card off.
     */
    private TpduLink tpduLink(int slot, SlotModel model, byte[] atrBytes) throws ReaderException {
        Atr atr;
        try {
            atr = Atr.parse(atrBytes);
        } catch (AtrException e) {
            return TpduLink.unsupported(new NotSupportedException("card's ATR does not parse: " + e.getMessage()));
        }
        try {
            int protocol;
            if (descriptor.has(CcidDescriptor.FEATURE_AUTO_CONFIG_ATR)
                    || descriptor.has(CcidDescriptor.FEATURE_AUTO_PARAMETER_NEGOTIATION)) {
                protocol = tpduProtocol(atr);
            } else {
                protocol = new ParameterSelection(transport, descriptor, info.name()).select(slot, atr,
                        data -> dataBlock(slot, model, data, CHAIN_BEGIN_END).abData());
            }
            if (protocol == 0) {
                return TpduLink.t0();
            }
            T1Protocol t1 = new T1Protocol((block, wtx) -> t1Block(slot, model, block, wtx), T1Protocol.configFrom(atr));
            if (!descriptor.has(CcidDescriptor.FEATURE_AUTO_IFSD) && descriptor.dwMaxIFSD() > 0) {
                t1.negotiateIfsd(Math.min(254, descriptor.dwMaxIFSD()));
            }
            return TpduLink.t1(t1);
        } catch (NotSupportedException e) {
            return TpduLink.unsupported(e);
        } catch (ReaderException e) {
            powerOffQuietly(slot);
            throw e;
        } catch (java.io.IOException e) {
            powerOffQuietly(slot);
            throw new CardCommunicationException(info.name() + " slot " + slot + ": " + e.getMessage(), e);
        }
    }

    /** The protocol a reader that sets the parameters itself will have chosen: TA2's, or the first offered. */
    private int tpduProtocol(Atr atr) throws ReaderException {
        int protocol = atr.specificMode().map(m -> m.protocol()).orElse(atr.firstProtocol());
        if (protocol == 0 && !descriptor.supportsT0() || protocol == 1 && !descriptor.supportsT1() || protocol > 1) {
            List<Integer> offered = atr.protocols();
            if (atr.specificMode().isEmpty()) {
                for (int t : offered) {
                    if (t == 0 && descriptor.supportsT0() || t == 1 && descriptor.supportsT1()) {
                        return t;
                    }
                }
            }
            throw new NotSupportedException("card offers " + offered + ", reader supports dwProtocols 0x"
                    + Integer.toHexString(descriptor.dwProtocols()));
        }
        return protocol;
    }

    /**
     * One T=1 block through XfrBlock; bBWI carries the WTX multiplier (CCID §6.1.4). A mute card or a
     * parity error is no block at all to the T=1 engine (ISO/IEC 7816-3 §11.6.3.1).
     */
    private byte[] t1Block(int slot, SlotModel model, byte[] block, int wtx) throws java.io.IOException {
        int bwi = wtx > 1 ? Math.min(wtx, 255) : 0;
        RdrToPc answer = transport.exchange(new Xfr(slot, bwi, CHAIN_BEGIN_END, block), wtx);
        SlotStatusRegister st = answer.status();
        if (st.failed() && st.iccStatus() == SlotStatusRegister.IccStatus.PRESENT_ACTIVE) {
            if (st.bError() == SlotStatusRegister.ICC_MUTE) {
                throw new BlockReceiveException("no block within BWT (ICC_MUTE)", false);
            }
            if (st.bError() == SlotStatusRegister.XFR_PARITY_ERROR) {
                throw new BlockReceiveException("parity error (XFR_PARITY_ERROR)", true);
            }
        }
        return checked(slot, model, answer).abData();
    }

    /**
     * Extended APDU level: one XfrBlock when the APDU fits in dwMaxCCIDMessageLength, otherwise
     * wLevelParameter chaining (CCID §6.1.4 table 6.1-3); responses chained by bChainParameter are
     * collected with empty XfrBlocks of wLevelParameter 0x10.
     */
    private byte[] extendedExchange(int slot, SlotModel model, byte[] apdu) throws ReaderException {
        int block = transport.maxMessageLength() - PcToRdr.HEADER_LENGTH;
        if (apdu.length <= block) {
            return xfr(slot, model, apdu, CHAIN_BEGIN_END);
        }
        for (int off = 0; ; off += block) {
            int len = Math.min(block, apdu.length - off);
            boolean first = off == 0;
            boolean last = off + len == apdu.length;
            int level = first ? CHAIN_BEGIN_MORE : last ? CHAIN_CONTINUE_END : CHAIN_CONTINUE_MORE;
            byte[] part = java.util.Arrays.copyOfRange(apdu, off, off + len);
            if (last) {
                return xfr(slot, model, part, level);
            }
            RdrToPc.DataBlock ack = dataBlock(slot, model, part, level);
            if (ack.bChainParameter() != CHAIN_EMPTY_CONTINUE) {
                throw new ReaderProtocolException(String.format(
                        "reader answered a command block with bChainParameter 0x%02X, expected 0x10", ack.bChainParameter()));
            }
        }
    }

    /** One XfrBlock (or the last block of a chained command) and, if the reader chains its response, the rest. */
    private byte[] xfr(int slot, SlotModel model, byte[] data, int level) throws ReaderException {
        RdrToPc.DataBlock answer = dataBlock(slot, model, data, level);
        int chain = answer.bChainParameter();
        if (chain == CHAIN_BEGIN_END) {
            return answer.abData();
        }
        if (chain != CHAIN_BEGIN_MORE) {
            throw new ReaderProtocolException(String.format("response starts with bChainParameter 0x%02X", chain));
        }
        ByteArrayOutputStream response = new ByteArrayOutputStream();
        response.writeBytes(answer.abData());
        for (int blocks = 1; blocks < MAX_CHAIN_BLOCKS; blocks++) {
            RdrToPc.DataBlock next = dataBlock(slot, model, new byte[0], CHAIN_EMPTY_CONTINUE);
            if (response.size() + next.abData().length > MAX_RESPONSE) {
                throw new ReaderProtocolException("chained response exceeds " + MAX_RESPONSE + " bytes");
            }
            response.writeBytes(next.abData());
            if (next.bChainParameter() == CHAIN_CONTINUE_END) {
                return response.toByteArray();
            }
            if (next.bChainParameter() != CHAIN_CONTINUE_MORE) {
                throw new ReaderProtocolException(String.format(
                        "response block with bChainParameter 0x%02X, expected 0x02 or 0x03", next.bChainParameter()));
            }
        }
        throw new ReaderProtocolException("chained response longer than " + MAX_CHAIN_BLOCKS + " blocks");
    }

    private RdrToPc.DataBlock dataBlock(int slot, SlotModel model, byte[] data, int level) throws ReaderException {
        RdrToPc answer;
        try {
            answer = transport.exchange(new Xfr(slot, 0, level, data));
        } catch (ReaderTimeoutException e) {
            // Readers drop a queued answer when the card is pulled (ccid-traces Q16): ask what happened.
            if (slotStateAfterFailure(slot) == SlotState.ABSENT) {
                throw new CardAbsentException("card removed from slot " + slot + " of " + info.name()
                        + " during the command", e);
            }
            throw e;
        }
        return checked(slot, model, answer);
    }

    private SlotState slotStateAfterFailure(int slot) {
        try {
            return slotState(slot);
        } catch (ReaderException e) {
            return slots[slot].state();
        }
    }

    /** The DataBlock of an XfrBlock answer, or the typed failure. */
    private RdrToPc.DataBlock checked(int slot, SlotModel model, RdrToPc answer) throws ReaderException {
        SlotStatusRegister st = answer.status();
        if (st.failed()) {
            ReaderException e = failure(answer, "XfrBlock");
            if (e instanceof CardAbsentException) {
                model.update(SlotStatusRegister.IccStatus.ABSENT);
            }
            throw e;
        }
        if (!(answer instanceof RdrToPc.DataBlock block)) {
            throw new ReaderProtocolException("XfrBlock answered with bMessageType 0x"
                    + Integer.toHexString(answer.messageType()) + ", expected RDR_to_PC_DataBlock 0x80");
        }
        // Some readers answer OK with no data for an absent or unpowered card (ccid-traces Q3).
        if (st.iccStatus() == SlotStatusRegister.IccStatus.ABSENT) {
            model.update(SlotStatusRegister.IccStatus.ABSENT);
            throw new CardAbsentException("card removed from slot " + slot + " of " + info.name());
        }
        if (st.iccStatus() == SlotStatusRegister.IccStatus.PRESENT_INACTIVE) {
            model.unpowered();
            throw new CardUnpoweredException("card in slot " + slot + " of " + info.name() + " is not powered");
        }
        return block;
    }

    @Override
    public byte[] escape(int slot, byte[] command) throws ReaderException {
        slot(slot);
        RdrToPc answer = transport.exchange(seq -> new PcToRdr.Escape(slot, seq, command));
        if (answer.status().failed()) {
            throw failure(answer, "Escape");
        }
        if (!(answer instanceof RdrToPc.Escape)) {
            throw new ReaderProtocolException("Escape answered with bMessageType 0x"
                    + Integer.toHexString(answer.messageType()) + ", expected RDR_to_PC_Escape 0x83");
        }
        return answer.abData();
    }

    /** The reader-level exception for a failed answer, CCID §6.2.6 slot error register. */
    static ReaderException failure(RdrToPc answer, String command) {
        SlotStatusRegister st = answer.status();
        String what = command + " failed: " + st;
        if (st.iccStatus() == SlotStatusRegister.IccStatus.ABSENT) {
            return new CardAbsentException(what);
        }
        return switch (st.bError()) {
            case SlotStatusRegister.ICC_MUTE -> new CardMuteException(what);
            case SlotStatusRegister.XFR_PARITY_ERROR, SlotStatusRegister.XFR_OVERRUN, SlotStatusRegister.HW_ERROR,
                    SlotStatusRegister.BAD_ATR_TS, SlotStatusRegister.BAD_ATR_TCK,
                    SlotStatusRegister.ICC_PROTOCOL_NOT_SUPPORTED, SlotStatusRegister.ICC_CLASS_NOT_SUPPORTED,
                    SlotStatusRegister.PROCEDURE_BYTE_CONFLICT, SlotStatusRegister.DEACTIVATED_PROTOCOL ->
                    new CardCommunicationException(what);
            case SlotStatusRegister.CMD_SLOT_BUSY, SlotStatusRegister.BUSY_WITH_AUTO_SEQUENCE ->
                    new ReaderBusyException(what);
            case SlotStatusRegister.CMD_ABORTED -> new CommandAbortedException(what);
            case SlotStatusRegister.CMD_NOT_SUPPORTED -> new NotSupportedException(what);
            default -> new ReaderProtocolException(what);
        };
    }

    /** Called by the interrupt watcher: the card in a slot changed. */
    SlotState cardChanged(int slot, boolean present) {
        SlotModel model = slots[slot];
        model.unpowered();
        return model.update(present ? SlotStatusRegister.IccStatus.PRESENT_INACTIVE : SlotStatusRegister.IccStatus.ABSENT);
    }

    SlotState knownState(int slot) { return slots[slot].state(); }

    int slotCount() { return slots.length; }

    org.cardstack.usb.UsbDevice device() { return transport.device(); }

    void markGone() { transport.markGone(); }

    private SlotModel slot(int slot) throws ReaderException {
        if (transport.isGone()) {
            throw new ReaderGoneException(info.name() + " was unplugged");
        }
        return slots[checkSlot(slot)];
    }

    private int checkSlot(int slot) {
        if (slot < 0 || slot >= slots.length) {
            throw new IllegalArgumentException("slot " + slot + " out of range 0.." + (slots.length - 1));
        }
        return slot;
    }

    static String hex(byte[] b) {
        return java.util.HexFormat.of().withUpperCase().formatHex(b);
    }

    @Override
    public String toString() { return info.name(); }

    /**
     * An XfrBlock for the bSeq the transport assigns. A class, not a lambda: C1, the daemon's JIT, creates
     * a capturing lambda through a method handle and a call into the VM, and this is made per command.
     */
    private record Xfr(int slot, int bwi, int level, byte[] data) implements IntFunction<PcToRdr> {
        @Override
        public PcToRdr apply(int seq) { return new PcToRdr.XfrBlock(slot, seq, bwi, level, data); }
    }

    /** What the driver knows of one slot. */
    private static final class SlotModel {
        /** Held for a whole slot operation; see {@link #exclusive}. */
        final java.util.concurrent.locks.ReentrantLock turn = new java.util.concurrent.locks.ReentrantLock(true);
        private byte[] atr;
        private TpduLink link;
        private SlotState state = SlotState.ABSENT;

        synchronized SlotState update(SlotStatusRegister.IccStatus icc) {
            switch (icc) {
                case ABSENT -> {
                    atr = null;
                    link = null;
                    state = SlotState.ABSENT;
                }
                case PRESENT_INACTIVE -> {
                    atr = null;
                    link = null;
                    state = SlotState.PRESENT;
                }
                // "Active" without our power-on (ccid-traces Q1) is not a usable card for us.
                default -> state = atr != null ? SlotState.POWERED : SlotState.PRESENT;
            }
            return state;
        }

        synchronized void powered(byte[] newAtr) {
            atr = newAtr.clone();
            link = null;
            state = SlotState.POWERED;
        }

        synchronized void unpowered() {
            atr = null;
            link = null;
            if (state == SlotState.POWERED) {
                state = SlotState.PRESENT;
            }
        }

        synchronized byte[] atr() { return atr == null ? null : atr.clone(); }

        synchronized boolean powered() { return atr != null; }

        synchronized void link(TpduLink l) {
            if (atr != null) {
                link = l;
            }
        }

        synchronized TpduLink link() { return link; }

        synchronized SlotState state() { return state; }
    }
}
