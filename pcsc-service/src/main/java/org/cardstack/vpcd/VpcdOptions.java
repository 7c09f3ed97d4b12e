package org.cardstack.vpcd;

import java.net.InetAddress;
import org.cardstack.vpcd.wire.VpcdWire;

/**
 * How a {@link VpcdDriver} listens or connects, and its bounds.
 *
 * @param bind               address to listen on (listen mode); loopback unless told otherwise
 * @param port               first TCP port (listen mode): reader n listens on port + n, as vpcd; 0 picks free ports
 * @param readers            number of readers (listen mode), 1 to 16
 * @param handshakeMillis    how long a newly connected card has to answer the ATR request (jCardSim's
 *                           VSmartCard sleeps 3 s after connecting before it reads)
 * @param responseMillis     how long the card has to answer an APDU or an ATR request; then it is dropped
 * @param maxResponse        longest response APDU accepted, 2 to 65535 bytes; a longer announced length drops the peer
 * @param reconnectMillis    reverse mode: pause between connection attempts
 * @param connectMillis      reverse mode: TCP connect timeout
 */
public record VpcdOptions(InetAddress bind, int port, int readers, int handshakeMillis, int responseMillis,
                          int maxResponse, int reconnectMillis, int connectMillis) {

    public VpcdOptions {
        if (bind == null) bind = InetAddress.getLoopbackAddress();
        if (port < 0 || port > 0xFFFF) throw new IllegalArgumentException("vpcd port " + port + " (0 to 65535)");
        if (readers < 1 || readers > 16) throw new IllegalArgumentException("vpcd readers " + readers + " (1 to 16)");
        if (port != 0 && port + readers - 1 > 0xFFFF) throw new IllegalArgumentException("vpcd ports past 65535");
        if (handshakeMillis < 1 || responseMillis < 1 || reconnectMillis < 1 || connectMillis < 1) {
            throw new IllegalArgumentException("vpcd timeouts must be positive");
        }
        if (maxResponse < 2 || maxResponse > VpcdWire.MAX_PAYLOAD) {
            throw new IllegalArgumentException("vpcd maxResponse " + maxResponse + " (2 to 65535)");
        }
    }

    /** vpcd's defaults: one reader on localhost:35963; 10 s handshake, 60 s per APDU, 1 s between reconnections. */
    public static VpcdOptions defaults() {
        return new VpcdOptions(InetAddress.getLoopbackAddress(), VpcdWire.DEFAULT_PORT, 1, 10_000, 60_000,
                VpcdWire.MAX_PAYLOAD, 1_000, 3_000);
    }

    public VpcdOptions withBind(InetAddress a) {
        return new VpcdOptions(a, port, readers, handshakeMillis, responseMillis, maxResponse, reconnectMillis, connectMillis);
    }

    public VpcdOptions withPort(int p) {
        return new VpcdOptions(bind, p, readers, handshakeMillis, responseMillis, maxResponse, reconnectMillis, connectMillis);
    }

    public VpcdOptions withReaders(int n) {
        return new VpcdOptions(bind, port, n, handshakeMillis, responseMillis, maxResponse, reconnectMillis, connectMillis);
    }

    public VpcdOptions withTimeouts(int handshake, int response) {
        return new VpcdOptions(bind, port, readers, handshake, response, maxResponse, reconnectMillis, connectMillis);
    }

    public VpcdOptions withMaxResponse(int max) {
        return new VpcdOptions(bind, port, readers, handshakeMillis, responseMillis, max, reconnectMillis, connectMillis);
    }

    public VpcdOptions withReconnect(int reconnect, int connect) {
        return new VpcdOptions(bind, port, readers, handshakeMillis, responseMillis, maxResponse, reconnect, connect);
    }
}
