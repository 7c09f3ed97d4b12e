package org.cardstack.pcsc.manager;

/**
 * What SCardStatus answers.
 *
 * @param readerName the name the handle connected to
 * @param state      {@code (eventCounter << 16) | readerState} ({@link org.cardstack.pcsc.ReaderStates} bits)
 * @param protocol   the protocol in use with the card (0 if none)
 * @param atr        the card's ATR
 */
public record CardStatus(String readerName, int state, int protocol, byte[] atr) {
    public CardStatus {
        atr = atr.clone();
    }

    @Override
    public byte[] atr() { return atr.clone(); }
}
