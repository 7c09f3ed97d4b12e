package org.cardstack.sim.card;

/**
 * A contact card as a reader sees it, at APDU level: power it (cold or warm reset, answering with the
 * ATR), exchange command and response APDUs (ISO/IEC 7816-4 §5.1), power it off. Implementations are
 * thread-safe; calls are serialised per card.
 */
public interface ApduCard {

    /** The ATR the card answers a reset with. */
    byte[] atr();

    /**
     * Resets the card (a cold reset if it was off, a warm reset if it was powered) and returns the ATR.
     * Transient state (CLEAR_ON_RESET / CLEAR_ON_DESELECT) is lost, persistent state is kept.
     */
    byte[] powerOn();

    /** Deactivates the card; {@link #transmit} fails until the next {@link #powerOn}. */
    void powerOff();

    boolean isPowered();

    /**
     * One command APDU in, one response APDU (data and SW1 SW2) out.
     *
     * @throws IllegalStateException when the card is not powered
     */
    byte[] transmit(byte[] commandApdu);
}
