package org.cardstack.pcsc.manager;

import org.cardstack.pcsc.StateFlags;

/**
 * One entry of SCardGetStatusChange (PC/SC {@code SCARD_READERSTATE}): the caller sets the reader
 * name and what it believes ({@link #currentState()}, high word = event counter); the call fills
 * {@link #eventState()} and {@link #atr()}. Use one query from one thread at a time.
 */
public final class ReaderStateQuery {
    private final String readerName;
    private volatile int currentState;
    private volatile int eventState;
    private volatile byte[] atr = new byte[0];

    public ReaderStateQuery(String readerName, int currentState) {
        this.readerName = readerName;
        this.currentState = currentState;
    }

    /** A query that knows nothing yet ({@code SCARD_STATE_UNAWARE}): answered at once. */
    public static ReaderStateQuery unaware(String readerName) { return new ReaderStateQuery(readerName, StateFlags.UNAWARE); }

    /** The PnP pseudo-reader entry, which reports readers coming and going. */
    public static ReaderStateQuery pnp(int currentState) {
        return new ReaderStateQuery(StateFlags.PNP_NOTIFICATION, currentState);
    }

    public String readerName() { return readerName; }

    public int currentState() { return currentState; }

    public void setCurrentState(int state) { this.currentState = state; }

    public int eventState() { return eventState; }

    void setEventState(int state) { this.eventState = state; }

    /** The ATR seen by the last call (empty if no card). */
    public byte[] atr() { return atr.clone(); }

    void setAtr(byte[] atr) { this.atr = atr; }

    /** Copies the event state into the current state with CHANGED cleared, ready for the next call. */
    public void acknowledge() { currentState = eventState & ~StateFlags.CHANGED; }

    public boolean changed() { return (eventState & StateFlags.CHANGED) != 0; }

    public boolean isPnp() { return readerName != null && readerName.equalsIgnoreCase(StateFlags.PNP_NOTIFICATION); }

    @Override
    public String toString() {
        return "\"" + readerName + "\" current " + StateFlags.toString(currentState) + " event "
                + StateFlags.toString(eventState);
    }
}
