package org.cardstack.reader;

/**
 * One reader with one or more slots. Operations on a reader are serialised by the driver (one
 * command at a time per reader, as CCID's bMaxCCIDBusySlots = 1 readers require); any thread may call.
 * Every call is bounded in time.
 */
public interface Reader {

    ReaderInfo info();

    /** True once the reader is unplugged or failed for good; every call then throws ReaderGoneException. */
    boolean isGone();

    /** The slot's state, asked from the reader (CCID GetSlotStatus). */
    SlotState slotState(int slot) throws ReaderException;

    /** Powers the card (cold reset; a warm reset if already powered) and returns its ATR. */
    byte[] powerOn(int slot) throws ReaderException;

    void powerOff(int slot) throws ReaderException;

    /** The ATR of the powered card, or null when not powered. */
    byte[] atr(int slot);

    /**
     * Sends one command APDU (ISO/IEC 7816-4 §5.1) and returns the response APDU with its status word.
     * On T=0 cards SW 61xx and 6Cxx are returned as they are, as in PC/SC.
     */
    byte[] transmit(int slot, byte[] commandApdu) throws ReaderException;

    /** Sends a reader-specific escape command (CCID PC_to_RDR_Escape) and returns its answer. */
    byte[] escape(int slot, byte[] command) throws ReaderException;
}
