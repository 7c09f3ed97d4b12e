package org.cardstack.reader;

import java.util.List;

/**
 * The session a reader driver offers upward (to pcsc-service): the readers present now, and events
 * as readers and cards come and go.
 */
public interface ReaderSession extends AutoCloseable {

    String clientLabel();

    /** Readers present now, in the order they appeared. */
    List<Reader> readers();

    /**
     * Registers a listener. It first receives {@link ReaderListener#readerAdded} for every reader
     * already present, then live events. Closing the returned handle unregisters it.
     */
    AutoCloseable addListener(ReaderListener listener);

    /** Ends the session; readers obtained from it may no longer be used. */
    @Override
    void close();
}
