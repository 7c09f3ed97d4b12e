package org.cardstack.sim.card;

import java.util.Random;

/**
 * Switches that make a {@link T1Card} break the rules the way ISO/IEC 7816-3 §11.6 expects an
 * interface device to survive: blocks sent with a bad checksum, blocks lost (the card stays silent),
 * I-blocks with the wrong sequence number, blocks received garbled (the card answers an R-block with
 * the error), S(WTX request)s and S(IFS request)s from the card, S(ABORT request) in a chain, and
 * forced chaining of responses. Each switch is a count of blocks it still affects; {@link #random}
 * draws faults at a rate instead. Thread-safe.
 */
public final class T1Faults {
    private int badChecksum;
    private int lost;
    private int wrongSequence;
    private int garbledReceived;
    private int wtxRequests;
    private int wtxMultiplier = 2;
    private int ifsRequests;
    private int ifsValue;
    private int aborts;
    private int maxResponseInf = 254;
    private Random random;
    private double rate;
    private long injected;

    /** The next {@code n} blocks the card sends carry a wrong LRC/CRC. */
    public synchronized T1Faults badChecksum(int n) { badChecksum = n; return this; }

    /** The next {@code n} blocks the card would send are lost: the reader sees a mute card (BWT exceeded). */
    public synchronized T1Faults lose(int n) { lost = n; return this; }

    /** The next {@code n} new I-blocks the card sends carry the wrong N(S) (retransmissions are right). */
    public synchronized T1Faults wrongSequence(int n) { wrongSequence = n; return this; }

    /** The next {@code n} blocks the card receives arrive garbled: it answers R(N(R)) with EDC error. */
    public synchronized T1Faults garbleReceived(int n) { garbledReceived = n; return this; }

    /** The card sends S(WTX request) with {@code multiplier} before each of its next {@code n} answers. */
    public synchronized T1Faults wtx(int n, int multiplier) { wtxRequests = n; wtxMultiplier = multiplier; return this; }

    /** The card sends S(IFS request) with IFSC {@code ifsc} before its next {@code n} answers. */
    public synchronized T1Faults ifsRequest(int n, int ifsc) { ifsRequests = n; ifsValue = ifsc; return this; }

    /** The card aborts its next {@code n} response chains with S(ABORT request) after the first link. */
    public synchronized T1Faults abortChain(int n) { aborts = n; return this; }

    /** The card sends at most {@code max} response bytes per I-block (chaining even when IFSD is larger). */
    public synchronized T1Faults maxResponseInf(int max) { maxResponseInf = Math.max(1, Math.min(254, max)); return this; }

    /**
     * Draws one of bad checksum, lost block, wrong N(S), garbled reception, WTX or IFS request for
     * each block with probability {@code rate}, from {@code random}.
     */
    public synchronized T1Faults random(Random random, double rate) {
        this.random = random;
        this.rate = rate;
        return this;
    }

    /** Clears every switch. */
    public synchronized T1Faults clear() {
        badChecksum = lost = wrongSequence = garbledReceived = wtxRequests = ifsRequests = aborts = 0;
        maxResponseInf = 254;
        random = null;
        return this;
    }

    /** @return how many faults were injected so far */
    public synchronized long injected() { return injected; }

    synchronized int maxResponseInf() { return maxResponseInf; }

    synchronized boolean takeBadChecksum() { return take(Kind.BAD_CHECKSUM); }

    synchronized boolean takeLost() { return take(Kind.LOST); }

    synchronized boolean takeWrongSequence() { return take(Kind.WRONG_SEQUENCE); }

    synchronized boolean takeGarbledReceived() { return take(Kind.GARBLED); }

    /** @return the WTX multiplier to ask for, or 0 */
    synchronized int takeWtx() { return take(Kind.WTX) ? wtxMultiplier : 0; }

    /** @return the IFSC to announce, or 0 */
    synchronized int takeIfs() { return take(Kind.IFS) ? ifsValue : 0; }

    synchronized boolean takeAbort() { return take(Kind.ABORT); }

    private enum Kind { BAD_CHECKSUM, LOST, WRONG_SEQUENCE, GARBLED, WTX, IFS, ABORT }

    private boolean take(Kind k) {
        boolean hit = switch (k) {
            case BAD_CHECKSUM -> badChecksum > 0 && badChecksum-- > 0;
            case LOST -> lost > 0 && lost-- > 0;
            case WRONG_SEQUENCE -> wrongSequence > 0 && wrongSequence-- > 0;
            case GARBLED -> garbledReceived > 0 && garbledReceived-- > 0;
            case WTX -> wtxRequests > 0 && wtxRequests-- > 0;
            case IFS -> ifsRequests > 0 && ifsRequests-- > 0;
            case ABORT -> aborts > 0 && aborts-- > 0;
        };
        if (!hit && random != null && k != Kind.ABORT && random.nextDouble() < rate) {
            hit = true;
            if (k == Kind.WTX) {
                wtxMultiplier = 1 + random.nextInt(4);
            } else if (k == Kind.IFS) {
                ifsValue = 1 + random.nextInt(254);
            }
        }
        if (hit) {
            injected++;
        }
        return hit;
    }
}
