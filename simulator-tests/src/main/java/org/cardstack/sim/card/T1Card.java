package org.cardstack.sim.card;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.cardstack.iso7816.atr.Atr;
import org.cardstack.iso7816.t1.Block;
import org.cardstack.iso7816.t1.BlockCodec;
import org.cardstack.iso7816.t1.BlockFormatException;
import org.cardstack.iso7816.t1.RError;
import org.cardstack.iso7816.t1.SType;

/**
 * The card side of T=1 (ISO/IEC 7816-3 §11) in front of an APDU-level card, for TPDU-level virtual
 * readers: one block from the interface device in, the card's block out (or none, when a fault loses
 * it). Blocks use the project's {@link BlockCodec}; the card's rules are its own:
 * <ul>
 * <li>I-blocks with the expected N(S) are collected (acknowledged by R(N(R)) while M = 1); the last
 *     one runs the APDU, and the response goes back in I-blocks of at most IFSD bytes, chained when
 *     longer (each link waits for R(N(R)); R(N(R) = N(S)) gets the link again).</li>
 * <li>An invalid block, or an I-block longer than IFSC, gets R(N(R)) with the error (rule 7.1); an
 *     R-block the card cannot use makes it send its last block again (rule 7.2).</li>
 * <li>S(IFS request) sets IFSD, S(RESYNCH request) resets sequence numbers, IFSD and chains, S(ABORT
 *     request) drops the chains; each is answered with its S(response).</li>
 * <li>Faults from {@link T1Faults}: see there.</li>
 * </ul>
 * Thread-safe (calls are serialised).
 */
public final class T1Card {
    private static final int DEFAULT_IFSD = 32;
    private static final int MAX_COMMAND = 65_535 + 9;

    private final ApduCard card;
    private final T1Faults faults;
    private BlockCodec codec = new BlockCodec(org.cardstack.iso7816.atr.T1ErrorDetection.LRC);
    private int atrIfsc = Atr.DEFAULT_IFSC;
    private int ifsc;
    private int ifsd;
    private int ns;
    private int nr;
    private ByteArrayOutputStream command = new ByteArrayOutputStream();
    private byte[] response;
    private int responseOffset;
    private Block.I lastI;
    private Block lastSent;
    /** A block held back while the card's own S(request) is answered. */
    private Block deferred;
    private int announcedIfsc;

    public T1Card(ApduCard card, T1Faults faults) {
        this.card = card;
        this.faults = faults;
        reset(card.atr());
    }

    public ApduCard card() { return card; }

    /** After a reset: parameters from the ATR, N(S) = 0 on both sides, IFSD 32, no chains. */
    public synchronized void reset(byte[] atr) {
        try {
            Atr parsed = Atr.parse(atr);
            codec = new BlockCodec(parsed.t1ErrorDetection());
            atrIfsc = parsed.ifsc().orElse(Atr.DEFAULT_IFSC);
        } catch (RuntimeException e) {
            codec = new BlockCodec(org.cardstack.iso7816.atr.T1ErrorDetection.LRC);
            atrIfsc = Atr.DEFAULT_IFSC;
        }
        resynch();
    }

    private void resynch() {
        ifsc = atrIfsc;
        ifsd = DEFAULT_IFSD;
        ns = 0;
        nr = 0;
        dropChains();
        lastI = null;
        lastSent = null;
    }

    private void dropChains() {
        command = new ByteArrayOutputStream();
        response = null;
        deferred = null;
    }

    /** @return IFSD as the card knows it */
    public synchronized int ifsd() { return ifsd; }

    /** @return IFSC in force */
    public synchronized int ifsc() { return ifsc; }

    /**
     * One block in, one block out.
     *
     * @return the card's block, or null when it is lost (the reader reports a mute card)
     */
    public synchronized byte[] receive(byte[] bytes) {
        Block in;
        try {
            if (faults.takeGarbledReceived()) {
                throw new BlockFormatException("garbled on the way (fault)", true);
            }
            in = codec.decode(bytes);
            if (in instanceof Block.I i && i.length() > ifsc) {
                throw new BlockFormatException("I-block longer than IFSC", false);
            }
        } catch (BlockFormatException e) {
            return send(new Block.R(0, nr, e.rError()), true);
        }
        return send(answer(in), false);
    }

    private Block answer(Block in) {
        if (in instanceof Block.I i) {
            return onI(i);
        }
        if (in instanceof Block.R r) {
            return onR(r);
        }
        return onS((Block.S) in);
    }

    private Block onI(Block.I i) {
        if (i.ns() != nr) {
            return new Block.R(0, nr, RError.OTHER);
        }
        nr ^= 1;
        response = null; // a new command acknowledges the last response block
        lastI = null;
        deferred = null;
        if (command.size() + i.length() > MAX_COMMAND) {
            command = new ByteArrayOutputStream();
            return new Block.R(0, nr, RError.OTHER);
        }
        command.writeBytes(i.data());
        if (i.more()) {
            return announce(new Block.R(0, nr, RError.NONE));
        }
        byte[] apdu = command.toByteArray();
        command = new ByteArrayOutputStream();
        byte[] rsp;
        try {
            rsp = card.transmit(apdu);
        } catch (RuntimeException e) {
            rsp = new byte[] {0x6F, 0x00};
        }
        response = rsp;
        responseOffset = 0;
        return announce(nextLink());
    }

    /** The next I-block of the response. */
    private Block nextLink() {
        int n = Math.min(Math.min(ifsd, faults.maxResponseInf()), response.length - responseOffset);
        boolean more = responseOffset + n < response.length;
        Block.I b = new Block.I(0, ns, more, Arrays.copyOfRange(response, responseOffset, responseOffset + n));
        responseOffset += n;
        ns ^= 1;
        lastI = b;
        if (!more) {
            response = null;
        }
        return b;
    }

    private Block onR(Block.R r) {
        if (lastI != null && r.nr() == lastI.ns() && !(lastSent instanceof Block.S)) {
            return lastI; // the interface device asks for our I-block again
        }
        if (lastI != null && response != null && r.nr() != lastI.ns() && !(lastSent instanceof Block.S)) {
            if (faults.takeAbort()) {
                response = null;
                return new Block.S(0, SType.ABORT, false, -1);
            }
            return announce(nextLink()); // acknowledgement of a link: the next one
        }
        return lastSent != null ? lastSent : new Block.R(0, nr, RError.OTHER);
    }

    private Block onS(Block.S s) {
        if (!s.response()) {
            return switch (s.type()) {
                case IFS -> {
                    ifsd = s.value();
                    yield new Block.S(0, SType.IFS, true, s.value());
                }
                case RESYNCH -> {
                    resynch();
                    yield new Block.S(0, SType.RESYNCH, true, -1);
                }
                case ABORT -> {
                    dropChains();
                    yield new Block.S(0, SType.ABORT, true, -1);
                }
                default -> new Block.R(0, nr, RError.OTHER);
            };
        }
        if (deferred != null && lastSent instanceof Block.S mine && mine.type() == s.type() && mine.value() == s.value()) {
            if (s.type() == SType.IFS) {
                ifsc = announcedIfsc;
            }
            Block b = deferred;
            deferred = null;
            return b;
        }
        if (s.type() == SType.ABORT) {
            return new Block.R(0, nr, RError.NONE); // after our S(ABORT request): back to the interface device
        }
        return new Block.R(0, nr, RError.OTHER);
    }

    /** Puts S(WTX request) or S(IFS request) before {@code b} when a fault asks for it. */
    private Block announce(Block b) {
        int wtx = faults.takeWtx();
        if (wtx > 0) {
            deferred = b;
            return new Block.S(0, SType.WTX, false, wtx);
        }
        int newIfsc = faults.takeIfs();
        if (newIfsc > 0) {
            deferred = b;
            announcedIfsc = newIfsc;
            return new Block.S(0, SType.IFS, false, newIfsc);
        }
        return b;
    }

    private byte[] send(Block b, boolean errorAnswer) {
        lastSent = b;
        if (faults.takeLost()) {
            return null;
        }
        Block wire = b;
        if (b instanceof Block.I i && b == lastI && !errorAnswer && faults.takeWrongSequence()) {
            wire = new Block.I(i.nad(), i.ns() ^ 1, i.more(), i.data());
        }
        byte[] bytes = codec.encode(wire);
        if (faults.takeBadChecksum()) {
            bytes[bytes.length - 1] ^= 0x5A;
        }
        return bytes;
    }
}
