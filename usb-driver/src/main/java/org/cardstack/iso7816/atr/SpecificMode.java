package org.cardstack.iso7816.atr;

/**
 * The specific mode byte TA2 (ISO/IEC 7816-3 §8.3, §6.3.1): presence of TA2 means the card is in
 * specific mode.
 *
 * @param protocol the protocol T to use (bits 4-1)
 * @param parametersImplicit bit 5: 1 means the transmission parameters are defined implicitly rather
 *     than by the interface bytes (Fi/Di from TA1)
 * @param canChange bit 8 = 0: the card is able to change to negotiable mode (after a warm reset)
 */
public record SpecificMode(int protocol, boolean parametersImplicit, boolean canChange) {

    static SpecificMode of(int ta2) {
        return new SpecificMode(ta2 & 0x0F, (ta2 & 0x10) != 0, (ta2 & 0x80) == 0);
    }
}
