package org.cardstack.pcsc.manager;

import java.util.Arrays;

/**
 * One reader's published state: what pcscd writes into its readers-state record (pcscd-protocol §6),
 * and what SCardGetStatusChange and SCardStatus are computed from.
 *
 * @param index        stable position of the reader in the readers-state array while it exists
 * @param name         "friendly name NN SS", unique
 * @param eventCounter card event counter, +1 at every insertion and every removal, 0..0xFFFF
 * @param readerState  {@link org.cardstack.pcsc.ReaderStates} bits
 * @param sharing      -1 held exclusively, 0 no handle, n &gt;= 1 shared/direct handles
 * @param atr          the card's ATR (empty when absent; kept after an UNPOWER disposition, as pcscd does)
 * @param protocol     protocol in use with the card, 0 until a connect negotiates one
 */
public record ReaderState(int index, String name, int eventCounter, int readerState, int sharing, byte[] atr,
                          int protocol) {
    public ReaderState {
        atr = atr.clone();
    }

    @Override
    public byte[] atr() { return atr.clone(); }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReaderState r && index == r.index && name.equals(r.name) && eventCounter == r.eventCounter
                && readerState == r.readerState && sharing == r.sharing && Arrays.equals(atr, r.atr)
                && protocol == r.protocol;
    }

    @Override
    public int hashCode() { return name.hashCode() * 31 + eventCounter * 7 + readerState; }

    @Override
    public String toString() {
        return String.format("ReaderState[%d \"%s\" counter %d state 0x%X sharing %d atr %s protocol %d]", index, name,
                eventCounter, readerState, sharing, java.util.HexFormat.of().withUpperCase().formatHex(atr), protocol);
    }
}
