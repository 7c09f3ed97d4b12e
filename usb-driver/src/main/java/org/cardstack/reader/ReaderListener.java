package org.cardstack.reader;

/** Events of a {@link ReaderSession}. Called on the driver's event thread: return quickly. */
public interface ReaderListener {
    void readerAdded(Reader reader);

    void readerRemoved(Reader reader);

    /**
     * The card in a slot changed: inserted, removed, or swapped (removed and inserted between two
     * notifications, CCID §6.3.1 "changed" with "present"). {@code state} is the state now.
     */
    void slotChanged(Reader reader, int slot, SlotState state);
}
