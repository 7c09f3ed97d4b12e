package org.cardstack.reader;

/**
 * A reader driver component (Genode's "USB driver" role): owns its devices and offers
 * {@link ReaderSession}s to clients, each opened with the client's label so that a parent can route
 * and police sessions. Everything crossing this interface is a plain value or byte array, so a
 * session can be proxied across a process boundary.
 */
public interface ReaderDriver extends AutoCloseable {

    /** Opens a session for the client named by {@code clientLabel} (e.g. "pcsc-service -> gpg"). */
    ReaderSession openSession(String clientLabel);

    @Override
    void close();
}
