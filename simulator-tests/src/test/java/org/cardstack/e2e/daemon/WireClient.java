package org.cardstack.e2e.daemon;

import java.io.EOFException;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.cardstack.pcsc.daemon.wire.Codec;
import org.cardstack.pcsc.daemon.wire.Message;
import org.cardstack.pcsc.daemon.wire.ProtocolException;
import org.cardstack.pcsc.daemon.wire.ReaderRecord;
import org.cardstack.pcsc.daemon.wire.Wire;

/**
 * A raw pcsc-lite client for tests: writes requests as libpcsclite does and reads the bare replies
 * with timeouts (a test never hangs on a daemon that does not answer).
 */
final class WireClient implements AutoCloseable {
    static final long TIMEOUT = 10_000;

    private final SocketChannel ch;
    private final Selector selector;

    WireClient(Path socket) throws IOException {
        ch = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        ch.configureBlocking(false);
        selector = Selector.open();
        ch.register(selector, SelectionKey.OP_READ);
    }

    void send(Message m) throws IOException { sendRaw(Codec.request(m)); }

    void sendRaw(byte[] bytes) throws IOException { sendRaw(ByteBuffer.wrap(bytes)); }

    void sendRaw(ByteBuffer b) throws IOException {
        long deadline = System.currentTimeMillis() + TIMEOUT;
        while (b.hasRemaining()) {
            if (ch.write(b) == 0) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IOException("write timed out");
                }
                Thread.onSpinWait();
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            }
        }
    }

    /** Exactly n bytes, or TimeoutException / EOFException. */
    ByteBuffer read(int n, long timeoutMillis) throws IOException, TimeoutException {
        ByteBuffer b = ByteBuffer.allocate(n).order(Wire.ORDER);
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (b.hasRemaining()) {
            int r = ch.read(b);
            if (r < 0) {
                throw new EOFException("daemon closed the connection after " + b.position() + " of " + n + " bytes");
            }
            if (r == 0) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    throw new TimeoutException("no reply (" + b.position() + " of " + n + " bytes)");
                }
                selector.select(left);
                selector.selectedKeys().clear();
            }
        }
        return b.flip();
    }

    ByteBuffer read(int n) throws IOException, TimeoutException { return read(n, TIMEOUT); }

    /** True if nothing arrives within the time (and the connection stays open). */
    boolean silentFor(long millis) throws IOException {
        try {
            read(1, millis);
            return false;
        } catch (TimeoutException e) {
            return true;
        }
    }

    /** True if the daemon closes the connection within the time (bytes before the close are skipped). */
    boolean closedWithin(long millis) throws IOException {
        long deadline = System.currentTimeMillis() + millis;
        ByteBuffer b = ByteBuffer.allocate(4096);
        while (System.currentTimeMillis() < deadline) {
            b.clear();
            int r;
            try {
                r = ch.read(b);
            } catch (IOException e) {
                return true;   // reset by peer
            }
            if (r < 0) {
                return true;
            }
            if (r == 0) {
                selector.select(Math.max(1, deadline - System.currentTimeMillis()));
                selector.selectedKeys().clear();
            }
        }
        return false;
    }

    /** Sends a request with a structure and reads its reply (plus raw data for TRANSMIT/CONTROL with rv 0). */
    @SuppressWarnings("unchecked")
    <T extends Message> T call(T request) throws IOException, TimeoutException {
        send(request);
        return reply(request);
    }

    @SuppressWarnings("unchecked")
    <T extends Message> T reply(T request) throws IOException, TimeoutException {
        ByteBuffer struct = read(request.structSize());
        Message m;
        try {
            m = Codec.parseReply(request.command(), struct);
        } catch (ProtocolException e) {
            throw new IOException(e);
        }
        if (m instanceof Message.Transmit t && t.rv() == 0 && t.recvLength() > 0) {
            byte[] data = new byte[t.recvLength()];
            read(t.recvLength()).get(data);
            m = new Message.Transmit(t.hCard(), t.sendPciProtocol(), t.sendPciLength(), t.sendLength(),
                    t.recvPciProtocol(), t.recvPciLength(), t.recvLength(), t.rv(), data);
        } else if (m instanceof Message.Control c && c.rv() == 0 && c.bytesReturned() > 0) {
            byte[] data = new byte[c.bytesReturned()];
            read(c.bytesReturned()).get(data);
            m = new Message.Control(c.hCard(), c.controlCode(), c.sendLength(), c.recvLength(), c.bytesReturned(),
                    c.rv(), data);
        }
        return (T) m;
    }

    void bodiless(int command) throws IOException { send(new Message.Bodiless(command)); }

    Message.Version version(int minor) throws IOException, TimeoutException {
        return call(new Message.Version(4, minor, 0));
    }

    /** CMD_VERSION 4.minor then ESTABLISH (scope SYSTEM); returns hContext. */
    int establish(int minor) throws IOException, TimeoutException {
        Message.Version v = version(minor);
        if (v.rv() != 0) {
            throw new IOException("version refused: " + v);
        }
        Message.Establish e = call(new Message.Establish(2, 0, 0));
        if (e.rv() != 0) {
            throw new IOException("establish failed: " + e);
        }
        return e.hContext();
    }

    static List<ReaderRecord> records(ByteBuffer array) {
        List<ReaderRecord> out = new ArrayList<>();
        while (array.remaining() >= Wire.RECORD_SIZE) {
            out.add(ReaderRecord.read(array));
        }
        return out;
    }

    /** CMD_GET_READERS_STATE: the 16 fixed records. */
    List<ReaderRecord> readersState() throws IOException, TimeoutException {
        bodiless(Wire.CMD_GET_READERS_STATE);
        return records(read(Wire.FIXED_ARRAY_SIZE));
    }

    /** Names of the non-empty records (what SCardListReaders computes). */
    List<String> listReaders() throws IOException, TimeoutException {
        return readersState().stream().filter(r -> !r.isEmpty()).map(ReaderRecord::name).toList();
    }

    Message.Connect connect(int ctx, String reader, int share, int protocols) throws IOException, TimeoutException {
        return call(Message.Connect.request(ctx, reader, share, protocols));
    }

    Message.Transmit transmit(int hCard, int protocol, byte[] apdu) throws IOException, TimeoutException {
        return call(Message.Transmit.request(hCard, protocol, apdu, Wire.MAX_BUFFER_SIZE_EXTENDED));
    }

    @Override
    public void close() throws IOException {
        selector.close();
        ch.close();
    }
}
