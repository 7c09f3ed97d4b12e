package org.cardstack.pcsc.smartcardio;

import java.nio.ByteBuffer;
import javax.smartcardio.Card;
import javax.smartcardio.CardChannel;
import javax.smartcardio.CardException;
import javax.smartcardio.CommandAPDU;
import javax.smartcardio.ResponseAPDU;

/** A logical channel; its number goes into each command's CLA (ISO/IEC 7816-4 §5.4.1 tables 2 and 3). */
public final class CardStackChannel extends CardChannel {
    private final CardStackCard card;
    private final int channel;
    private volatile boolean closed;

    CardStackChannel(CardStackCard card, int channel) {
        this.card = card;
        this.channel = channel;
    }

    @Override
    public Card getCard() { return card; }

    @Override
    public int getChannelNumber() {
        checkClosed();
        return channel;
    }

    private void checkClosed() {
        card.checkState();
        if (closed) {
            throw new IllegalStateException("Logical channel has been closed");
        }
    }

    @Override
    public ResponseAPDU transmit(CommandAPDU command) throws CardException {
        checkClosed();
        card.checkExclusive();
        return new ResponseAPDU(doTransmit(command.getBytes()));
    }

    @Override
    public int transmit(ByteBuffer command, ByteBuffer response) throws CardException {
        checkClosed();
        card.checkExclusive();
        if (command == null || response == null) {
            throw new NullPointerException();
        }
        if (response.isReadOnly()) {
            throw new java.nio.ReadOnlyBufferException();
        }
        if (command == response) {
            throw new IllegalArgumentException("command and response must not be the same object");
        }
        if (response.remaining() < 258) {
            throw new IllegalArgumentException("Insufficient space in response buffer");
        }
        byte[] c = new byte[command.remaining()];
        command.get(c);
        byte[] r = doTransmit(c);
        response.put(r);
        return r.length;
    }

    private byte[] doTransmit(byte[] command) throws CardException {
        if (command.length >= 2 && (command[1] & 0xFF) == 0x70) {
            throw new IllegalArgumentException("Manage channel command not allowed, use openLogicalChannel()");
        }
        byte[] c = command.clone();
        setChannel(c);
        return card.exchange(c, true);
    }

    /** Puts the channel number into CLA as SunPCSC does (interindustry classes only). */
    private void setChannel(byte[] c) {
        int cla = c[0];
        if (cla < 0 || (cla & 0xE0) == 0x20) {
            return; // proprietary class, or RFU: leave it
        }
        if (channel <= 3) {
            c[0] = (byte) ((cla & 0xBC) | channel);
        } else if (channel <= 19) {
            c[0] = (byte) ((cla & 0xB0) | 0x40 | (channel - 4));
        } else {
            throw new IllegalStateException("Unsupported channel number: " + channel);
        }
    }

    /** Closes a logical channel with MANAGE CHANNEL close; the basic channel cannot be closed. */
    @Override
    public void close() throws CardException {
        if (channel == 0) {
            throw new IllegalStateException("Cannot close basic logical channel");
        }
        if (closed) {
            return;
        }
        card.checkState();
        card.checkExclusive();
        byte[] c = {0x00, 0x70, (byte) 0x80, (byte) channel};
        setChannel(c);
        try {
            byte[] r = card.exchange(c, false);
            if (r.length != 2 || r[0] != (byte) 0x90 || r[1] != 0x00) {
                throw new CardException("close() failed, card response: " + CardStackCard.hex(r));
            }
        } finally {
            closed = true;
        }
    }

    @Override
    public String toString() { return "PC/SC channel " + channel; }
}
