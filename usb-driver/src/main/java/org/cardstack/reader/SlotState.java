package org.cardstack.reader;

/** What is in a slot, from the reader's slot status (CCID §6.2.6 bmICCStatus). */
public enum SlotState {
    /** No card. */
    ABSENT,
    /** A card is present and not powered (or its power state is unknown after insertion). */
    PRESENT,
    /** A card is present and powered by this driver; it has an ATR. */
    POWERED
}
