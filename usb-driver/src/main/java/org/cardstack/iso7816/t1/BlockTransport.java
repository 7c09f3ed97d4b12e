package org.cardstack.iso7816.t1;

import java.io.IOException;

/**
 * What the T=1 engine needs from below: send one block, get the card's next block. Implemented by
 * a CCID reader at TPDU level (one XfrBlock per block) or by a test script; the engine knows nothing
 * else about the path to the card.
 */
@FunctionalInterface
public interface BlockTransport {
    /**
     * Sends a block and waits for the card's answer.
     *
     * @param block the block's bytes, epilogue included
     * @param waitingTimeMultiplier 1, or the multiplier of BWT the card asked for by S(WTX request)
     *     (§11.4.3: the waiting time for this one answer is BWT times it)
     * @return the bytes of the card's block, unchecked
     * @throws BlockReceiveException nothing came within the waiting time, or it came with a parity
     *     error: to the engine an invalid block (§11.6.3.1)
     * @throws IOException the path to the card failed; the engine passes it on unchanged
     */
    byte[] transceive(byte[] block, int waitingTimeMultiplier) throws IOException;
}
