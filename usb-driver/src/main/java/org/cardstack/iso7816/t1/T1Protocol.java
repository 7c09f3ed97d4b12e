package org.cardstack.iso7816.t1;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import org.cardstack.iso7816.atr.Atr;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The interface-device side of the T=1 block protocol, ISO/IEC 7816-3 §11, for one card in one slot.
 * It keeps the block sequencing state (N(S) of the next I-block sent, N(S) expected from the card),
 * IFSC and IFSD across APDUs, and talks to the card through a {@link BlockTransport}.
 *
 * <ul>
 * <li>Chaining (§11.3.2.2, rules 2 and 5): APDUs longer than IFSC go as a chain of I-blocks with M = 1,
 *     each acknowledged by R(N(R)); chained responses are acknowledged with R(N(R)) and collected.</li>
 * <li>S(IFS) (rule 4): {@link #negotiateIfsd(int)} sends S(IFS request) with the IFSD; an S(IFS request)
 *     from the card changes IFSC for the following blocks and is answered with S(IFS response).</li>
 * <li>S(WTX) (rule 3): answered with S(WTX response); the next answer is awaited for BWT times the
 *     multiplier (passed to the transport).</li>
 * <li>Errors (§11.6.3): an invalid block or BWT exceeded makes the interface device send R(N(R)) with
 *     the error bits (rule 7.1, repeated by rule 7.2), or repeat its S(request) (rule 7.3); an R-block
 *     asking for the I-block in flight makes it retransmit that I-block. After {@link #MAX_ATTEMPTS}
 *     failures in a row it sends S(RESYNCH request) (rule 7.4.1, rule 6), which resets N(S), N(R), IFSC
 *     and IFSD, and sends the APDU again from its start (as libccid does). A RESYNCH unanswered
 *     {@link #MAX_ATTEMPTS} times, or more than {@link #MAX_RESYNCH} resynchronisations in one exchange,
 *     end in {@link T1Exception} (rule 7.4.3: the card is to be reset).</li>
 * <li>S(ABORT) (rule 9): a card's S(ABORT request) is answered and the exchange fails with
 *     {@link T1Exception}; a response chain longer than {@link #MAX_RESPONSE} is aborted by the
 *     interface device.</li>
 * <li>NAD (§11.3.2.1): every block sent carries the configured NAD; received NADs are not checked.</li>
 * </ul>
 * Not thread-safe: one exchange at a time (the reader serialises per slot).
 */
public final class T1Protocol {
    private static final Logger LOG = LoggerFactory.getLogger(T1Protocol.class);

    /** IFSD before any S(IFS request), §11.4.2. */
    public static final int DEFAULT_IFSD = 32;
    /** A block is sent at most this many times without a valid answer (rule 7.4.1: two retransmissions). */
    public static final int MAX_ATTEMPTS = 3;
    /** Resynchronisations within one exchange before giving up (rule 7.4.3). */
    public static final int MAX_RESYNCH = 3;
    /** Longest response collected: 65 536 data bytes and SW1 SW2. */
    public static final int MAX_RESPONSE = 65_538;
    /** S(WTX request)s accepted in a row without progress. */
    public static final int MAX_WTX_IN_A_ROW = 256;
    /** S(IFS request)s from the card accepted in a row without progress. */
    private static final int MAX_IFS_IN_A_ROW = 8;

    private final BlockTransport transport;
    private final BlockCodec codec;
    private final int nad;
    private final int initialIfsc;
    private int ifsc;
    private int ifsd = DEFAULT_IFSD;
    private int wantedIfsd = DEFAULT_IFSD;
    private int ns;
    private int nr;

    /**
     * @param transport the path to the card
     * @param config IFSC and error detection code from the ATR, and the NAD to send
     */
    public T1Protocol(BlockTransport transport, T1Config config) {
        this.transport = transport;
        this.codec = new BlockCodec(config.errorDetection());
        this.nad = config.nad();
        this.initialIfsc = config.ifsc();
        this.ifsc = config.ifsc();
    }

    /** @return the configuration the ATR of {@code atr} gives, NAD 0 */
    public static T1Config configFrom(Atr atr) {
        return new T1Config(atr.ifsc().orElse(Atr.DEFAULT_IFSC), atr.t1ErrorDetection(), 0);
    }

    public int ifsc() { return ifsc; }

    public int ifsd() { return ifsd; }

    /** @return N(S) of the next I-block this side sends */
    public int sendSequence() { return ns; }

    /** @return N(S) expected in the card's next I-block */
    public int receiveSequence() { return nr; }

    public BlockCodec codec() { return codec; }

    /**
     * Announces the interface device's IFSD with S(IFS request) (rule 4). If the card does not answer
     * after {@link #MAX_ATTEMPTS} tries, the protocol is resynchronised and IFSD stays 32.
     *
     * @param size 1..254
     */
    public void negotiateIfsd(int size) throws IOException {
        if (size < 1 || size > Block.MAX_INF) {
            throw new IllegalArgumentException("IFSD " + size + " outside 1..254");
        }
        if (sRequest(SType.IFS, size) != null) {
            ifsd = size;
            wantedIfsd = size;
            return;
        }
        LOG.debug("card does not answer S(IFS request {}); resynchronising, IFSD stays {}", size, DEFAULT_IFSD);
        wantedIfsd = DEFAULT_IFSD;
        resynch();
    }

    /**
     * S(RESYNCH request) (rule 6): on the card's S(RESYNCH response) both sides restart with N(S) = 0
     * and the initial IFSC and IFSD; an IFSD negotiated before is negotiated again.
     *
     * @throws T1Exception the card answered none of {@link #MAX_ATTEMPTS} requests (rule 7.4.3)
     */
    public void resynch() throws IOException {
        if (sRequest(SType.RESYNCH, -1) == null) {
            throw new T1Exception("T=1: card answered none of " + MAX_ATTEMPTS
                    + " S(RESYNCH request)s (ISO/IEC 7816-3 rule 7.4.3); the card needs a reset");
        }
        ns = 0;
        nr = 0;
        ifsc = initialIfsc;
        ifsd = DEFAULT_IFSD;
        if (wantedIfsd != DEFAULT_IFSD) {
            if (sRequest(SType.IFS, wantedIfsd) == null) {
                throw new T1Exception("T=1: card answers no S(IFS request) after S(RESYNCH)");
            }
            ifsd = wantedIfsd;
        }
    }

    /**
     * Sends a command APDU and returns the card's response APDU.
     *
     * @throws T1Exception the error-recovery budget is spent or the card aborted the chain
     * @throws IOException what the transport throws besides {@link BlockReceiveException}
     */
    public byte[] transmit(byte[] apdu) throws IOException {
        for (int resynchs = 0; ; resynchs++) {
            try {
                return new Exchange(apdu).run();
            } catch (ResynchNeeded e) {
                if (resynchs == MAX_RESYNCH) {
                    throw new T1Exception("T=1: exchange failed after " + MAX_RESYNCH + " resynchronisations: "
                            + e.getMessage());
                }
                LOG.debug("T=1: {}; S(RESYNCH request)", e.getMessage());
                resynch();
            }
        }
    }

    /** Sends an S(request) and returns the matching S(response), or null after {@link #MAX_ATTEMPTS} tries (rule 7.3). */
    private Block.S sRequest(SType type, int value) throws IOException {
        Block.S request = new Block.S(nad, type, false, value);
        byte[] bytes = codec.encode(request);
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            try {
                Block got = codec.decode(transport.transceive(bytes, 1));
                if (got instanceof Block.S s && s.response() && s.type() == type && s.value() == value) {
                    return s;
                }
                LOG.debug("T=1: {} answered by {}", request, got);
            } catch (BlockReceiveException | BlockFormatException e) {
                LOG.debug("T=1: {} answered by an invalid block: {}", request, e.getMessage());
            }
        }
        return null;
    }

    /** The budget of rule 7.4.1 is spent: resynchronise. */
    private static final class ResynchNeeded extends Exception {
        private static final long serialVersionUID = 1L;

        ResynchNeeded(String message) { super(message, null, false, false); }
    }

    /** One APDU exchange: the state between blocks. */
    private final class Exchange {
        private final byte[] apdu;
        private final ByteArrayOutputStream response = new ByteArrayOutputStream();
        private final int stepLimit;
        private int offset;
        private int chunk;
        /** True until the card's first I-block: our I-blocks are not all acknowledged yet. */
        private boolean sending = true;
        private Block sent;
        /** The last I- or R-block sent: what an R-block from the card makes us send again. */
        private Block lastIorR;
        private int failures;
        private int wtx = 1;
        private int wtxInARow;
        private int ifsInARow;

        Exchange(byte[] apdu) {
            this.apdu = apdu;
            this.chunk = Math.min(ifsc, apdu.length);
            this.stepLimit = 64 + 4 * (apdu.length + 1) + 4 * (MAX_RESPONSE / ifsd + 1);
        }

        byte[] run() throws IOException, ResynchNeeded {
            Block next = iBlock();
            for (int step = 0; next != null; step++) {
                if (step == stepLimit) {
                    throw new T1Exception("T=1: no end of the exchange after " + stepLimit + " blocks");
                }
                next = answer(send(next));
            }
            return response.toByteArray();
        }

        private Block iBlock() {
            return new Block.I(nad, ns, offset + chunk < apdu.length, Arrays.copyOfRange(apdu, offset, offset + chunk));
        }

        private boolean lastInFlight() { return offset + chunk >= apdu.length; }

        /** @return the card's answer, or an {@link RError} when none or an invalid one came */
        private Object send(Block block) throws IOException {
            sent = block;
            if (!(block instanceof Block.S)) {
                lastIorR = block;
            }
            int multiplier = wtx;
            wtx = 1;
            try {
                Block got = codec.decode(transport.transceive(codec.encode(block), multiplier));
                if (got instanceof Block.I i && i.length() > ifsd) {
                    LOG.debug("T=1: I-block of {} bytes exceeds IFSD {}", i.length(), ifsd);
                    return RError.OTHER;
                }
                return got;
            } catch (BlockReceiveException e) {
                LOG.debug("T=1: {} after {}", e.getMessage(), block);
                return e.parityError() ? RError.EDC : RError.OTHER;
            } catch (BlockFormatException e) {
                LOG.debug("T=1: invalid block after {}: {}", block, e.getMessage());
                return e.rError();
            }
        }

        /** @return the block to send next, or null when the response is complete */
        private Block answer(Object got) throws IOException, ResynchNeeded {
            if (got instanceof RError error) {
                return failed(error, "invalid block or BWT exceeded");
            }
            if (got instanceof Block.I i) {
                return onI(i);
            }
            if (got instanceof Block.R r) {
                return onR(r);
            }
            return onS((Block.S) got);
        }

        /** Rules 7.1 to 7.3: R-block with the error, or the S(request) again; RESYNCH when the budget is spent. */
        private Block failed(RError error, String why) throws ResynchNeeded {
            if (++failures >= MAX_ATTEMPTS) {
                throw new ResynchNeeded(why + ", " + failures + " times in a row");
            }
            if (sent instanceof Block.S s && !s.response()) {
                return sent;
            }
            return new Block.R(nad, nr, error);
        }

        private Block again(Block block, String why) throws ResynchNeeded {
            if (++failures >= MAX_ATTEMPTS) {
                throw new ResynchNeeded(why + ", " + failures + " times in a row");
            }
            return block;
        }

        private void progress() {
            failures = 0;
            wtxInARow = 0;
            ifsInARow = 0;
        }

        private Block onI(Block.I i) throws IOException, ResynchNeeded {
            if (sending && !lastInFlight()) {
                return failed(RError.OTHER, "I-block while our chain waits for R(" + (ns ^ 1) + ")");
            }
            if (i.ns() != nr) {
                return failed(RError.OTHER, "I-block with N(S) " + i.ns() + ", expected " + nr);
            }
            if (sending) {
                ns ^= 1; // the card's I-block acknowledges our last one (rule 2)
                sending = false;
            }
            progress();
            nr ^= 1;
            if (response.size() + i.length() > MAX_RESPONSE) {
                sRequest(SType.ABORT, -1);
                throw new T1Exception("T=1: response chain longer than " + MAX_RESPONSE + " bytes; aborted");
            }
            response.writeBytes(i.data());
            return i.more() ? new Block.R(nad, nr, RError.NONE) : null;
        }

        private Block onR(Block.R r) throws ResynchNeeded {
            if (!sending) {
                // The card did not get our acknowledgement of its chained block: send it again (rule 7.2).
                return again(lastIorR, "card repeats R(" + r.nr() + ")");
            }
            if (r.nr() == ns) {
                // The card asks for the I-block in flight again (rules 7.1, 7.2).
                return again(iBlock(), "card asks again for I(" + ns + ")");
            }
            if (!lastInFlight()) {
                // R(N(R)) acknowledges the chained block in flight (rule 5): next block of the chain.
                ns ^= 1;
                offset += chunk;
                chunk = Math.min(ifsc, apdu.length - offset);
                progress();
                return iBlock();
            }
            if (lastIorR instanceof Block.R) {
                return again(lastIorR, "card did not get our R-block");
            }
            return failed(RError.OTHER, "R(" + r.nr() + ") in answer to the last block of the command");
        }

        private Block onS(Block.S s) throws IOException, ResynchNeeded {
            if (s.response()) {
                return failed(RError.OTHER, "unexpected " + s);
            }
            switch (s.type()) {
                case WTX -> {
                    if (s.value() == 0) {
                        return failed(RError.OTHER, "S(WTX request) with multiplier 0");
                    }
                    if (++wtxInARow > MAX_WTX_IN_A_ROW) {
                        throw new T1Exception("T=1: card asked for more time " + MAX_WTX_IN_A_ROW + " times in a row");
                    }
                    wtx = s.value();
                    return new Block.S(nad, SType.WTX, true, s.value());
                }
                case IFS -> {
                    if (s.value() < 1 || s.value() > Block.MAX_INF) {
                        return failed(RError.OTHER, "S(IFS request) with IFSC " + s.value());
                    }
                    if (++ifsInARow > MAX_IFS_IN_A_ROW) {
                        throw new T1Exception("T=1: card sent " + MAX_IFS_IN_A_ROW + " S(IFS request)s in a row");
                    }
                    ifsc = s.value();
                    return new Block.S(nad, SType.IFS, true, s.value());
                }
                case ABORT -> {
                    Block.S reply = new Block.S(nad, SType.ABORT, true, -1);
                    try {
                        transport.transceive(codec.encode(reply), 1);
                    } catch (BlockReceiveException e) {
                        LOG.debug("T=1: no block after S(ABORT response): {}", e.getMessage());
                    }
                    throw new T1Exception("T=1: card aborted the chain (S(ABORT request))");
                }
                default -> {
                    return failed(RError.OTHER, "S(RESYNCH request) from the card");
                }
            }
        }
    }
}
