package org.cardstack.vpcd;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import org.cardstack.vpcd.wire.VpcdCommand;
import org.cardstack.vpcd.wire.VpcdWire;

/**
 * A card side of the vpcd protocol for tests, as vicc does it: answers the ATR request with its ATR and
 * APDUs with {@link #card}; records every command it got. {@link #onApdu} can make it vanish or hang.
 */
final class TestVicc implements AutoCloseable {
    static final byte[] ATR = HexFormat.of().parseHex("3B8A80014A434F503331563233327A");

    enum OnApdu { ANSWER, DISCONNECT, HANG }

    final List<VpcdCommand> received = new CopyOnWriteArrayList<>();
    final CountDownLatch apduSeen = new CountDownLatch(1);
    volatile Function<byte[], byte[]> card = apdu -> concat(apdu, new byte[] {(byte) 0x90, 0});
    volatile OnApdu onApdu = OnApdu.ANSWER;
    volatile byte[] atr = ATR;
    private final Socket socket;
    private final ServerSocket server;
    private final Thread thread;

    private TestVicc(Socket socket, ServerSocket server) {
        this.socket = socket;
        this.server = server;
        this.thread = new Thread(this::run, "test-vicc");
        thread.setDaemon(true);
    }

    /** Connects to a listening reader (vicc's normal mode). */
    static TestVicc connect(InetSocketAddress at) throws IOException {
        Socket s = new Socket();
        s.connect(at, 2_000);
        TestVicc v = new TestVicc(s, null);
        v.thread.start();
        return v;
    }

    /** Listens and serves the first connection (vicc --reversed). */
    static TestVicc listen(ServerSocket server) {
        TestVicc v = new TestVicc(null, server);
        v.thread.start();
        return v;
    }

    static ServerSocket loopbackServer() throws IOException {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
        return s;
    }

    private volatile Socket live;

    private void run() {
        try (Socket s = socket != null ? socket : server.accept()) {
            live = s;
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            while (true) {
                byte[] payload = VpcdWire.readMessage(in, VpcdWire.MAX_PAYLOAD);
                if (payload == null) {
                    return;
                }
                VpcdCommand c = VpcdWire.decodeCommand(payload);
                received.add(c);
                if (c == VpcdCommand.Control.ATR) {
                    out.write(VpcdWire.frame(atr));
                } else if (c instanceof VpcdCommand.Apdu a) {
                    apduSeen.countDown();
                    switch (onApdu) {
                        case DISCONNECT -> {
                            return;
                        }
                        case HANG -> {
                            Thread.sleep(60_000);
                            return;
                        }
                        default -> out.write(VpcdWire.frame(card.apply(a.apdu())));
                    }
                }
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // gone
        }
    }

    @Override
    public void close() throws IOException {
        Socket s = live != null ? live : socket;
        if (s != null) s.close();
        if (server != null) server.close();
        thread.interrupt();
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
