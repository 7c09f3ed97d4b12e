package org.cardstack.vpcd;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.cardstack.reader.Reader;
import org.cardstack.reader.ReaderDriver;
import org.cardstack.reader.ReaderListener;
import org.cardstack.reader.ReaderSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A reader source speaking vsmartcard's vpcd protocol, so that existing virtual cards (vsmartcard's
 * {@code vicc}, jCardSim's {@code com.licel.jcardsim.remote.VSmartCard}, the Remote Smart Card Reader
 * app) connect to cardstack as they would to pcscd with vpcd.
 *
 * <ul>
 * <li>{@link #listen}: like vpcd, one reader per TCP port (port, port + 1, ...), bound to loopback
 *     unless told otherwise. A card that connects and answers the ATR request is an inserted card; when
 *     it disconnects, the card is removed. One card per reader: a second connection is refused.</li>
 * <li>{@link #connect}: vpcd's reverse mode: cardstack connects out to a vicc listening at host:port
 *     (e.g. {@code vicc --reversed}), and again after each disconnection.</li>
 * </ul>
 *
 * A peer that breaks the protocol (a message out of turn, a zero or over-long length, an ATR that does
 * not parse, no answer in time) is disconnected with a log line; other readers and cards are not
 * affected. Listener callbacks run on one event thread, in order.
 */
public final class VpcdDriver implements ReaderDriver {
    private static final Logger LOG = LoggerFactory.getLogger(VpcdDriver.class);

    private final VpcdOptions options;
    private final List<VpcdReader> readers = new ArrayList<>();
    private final List<ServerSocket> servers = new ArrayList<>();
    private final List<InetSocketAddress> addresses = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Set<Session> sessions = new CopyOnWriteArraySet<>();
    private final ExecutorService events;
    private final ScheduledExecutorService timer;
    private volatile boolean closed;

    private VpcdDriver(VpcdOptions options) {
        this.options = options;
        this.events = Executors.newSingleThreadExecutor(r -> daemon(r, "cardstack-vpcd-events"));
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "cardstack-vpcd-timer"));
    }

    /**
     * Listens for cards: {@code options.readers()} readers on consecutive ports from {@code options.port()}.
     * The ports are bound before this returns.
     *
     * @throws IOException naming the address when a port cannot be bound (e.g. pcscd's vpcd already has it)
     */
    public static VpcdDriver listen(VpcdOptions options) throws IOException {
        VpcdDriver d = new VpcdDriver(options);
        try {
            for (int i = 0; i < options.readers(); i++) {
                int port = options.port() == 0 ? 0 : options.port() + i;
                ServerSocket server = new ServerSocket();
                d.servers.add(server);
                InetSocketAddress want = new InetSocketAddress(options.bind(), port);
                try {
                    server.bind(want, 1);
                } catch (BindException e) {
                    throw new BindException("vpcd: cannot listen on " + want.getAddress().getHostAddress() + ":" + port
                            + ": " + e.getMessage() + " (is pcscd with vpcd, or another cardstack, using it?)");
                }
                InetSocketAddress at = new InetSocketAddress(options.bind(), server.getLocalPort());
                d.addresses.add(at);
                String where = at.getAddress().getHostAddress() + ":" + at.getPort();
                VpcdReader r = new VpcdReader("Virtual PCD " + where, "listening on " + where, options, d.timer, d.slotEvents);
                d.readers.add(r);
                LOG.info("vpcd: reader {} listening on {}", r.info().name(), where);
            }
        } catch (IOException | RuntimeException e) {
            d.close();
            throw e;
        }
        for (int i = 0; i < d.readers.size(); i++) {
            ServerSocket server = d.servers.get(i);
            VpcdReader r = d.readers.get(i);
            d.startThread("cardstack-vpcd-accept-" + d.addresses.get(i).getPort(), () -> d.acceptLoop(server, r));
        }
        return d;
    }

    /** Reverse mode: connects to a card listening at host:port, and reconnects after it goes. */
    public static VpcdDriver connect(String host, int port, VpcdOptions options) {
        if (port < 1 || port > 0xFFFF) {
            throw new IllegalArgumentException("vpcd: port " + port + " (1 to 65535)");
        }
        VpcdDriver d = new VpcdDriver(options);
        String where = host + ":" + port;
        VpcdReader r = new VpcdReader("Virtual PCD " + where + " (reverse)", "connecting to " + where, options, d.timer,
                d.slotEvents);
        d.readers.add(r);
        d.addresses.add(InetSocketAddress.createUnresolved(host, port));
        d.startThread("cardstack-vpcd-connect-" + port, () -> d.connectLoop(host, port, r));
        return d;
    }

    /** The readers, in port order. */
    public List<Reader> readers() { return List.copyOf(readers); }

    /** Where each reader listens (listen mode; the real port when 0 was asked) or connects (reverse mode). */
    public List<InetSocketAddress> addresses() { return List.copyOf(addresses); }

    /** True while reader {@code index} holds a card. */
    public boolean hasCard(int index) { return readers.get(index).hasCard(); }

    /**
     * Removes the card of reader {@code index} by disconnecting its peer, as unplugging a vicc does.
     *
     * @return false if it held none
     */
    public boolean eject(int index) { return readers.get(index).eject("ejected by request"); }

    private void acceptLoop(ServerSocket server, VpcdReader reader) {
        while (!closed) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("vpcd {}: accept failed: {}", reader.info().name(), e.getMessage());
                    sleep(options.reconnectMillis());
                }
                continue;
            }
            // The ATR handshake runs on its own thread, so a peer that connects and stays silent holds up
            // nobody; at most MAX_HANDSHAKES per reader at once, further connections are refused meanwhile.
            Semaphore slots = handshakes.computeIfAbsent(reader, r -> new Semaphore(MAX_HANDSHAKES));
            if (!slots.tryAcquire()) {
                LOG.warn("vpcd {}: peer {} refused: {} connections are already being checked", reader.info().name(),
                        s.getRemoteSocketAddress(), MAX_HANDSHAKES);
                close(s);
                continue;
            }
            Thread t = daemon(() -> {
                try {
                    reader.offer(s);
                } finally {
                    slots.release();
                }
            }, "cardstack-vpcd-handshake-" + s.getPort());
            t.start();
        }
    }

    /** Connections being checked (ATR handshake) at once, per reader. */
    static final int MAX_HANDSHAKES = 4;
    private final java.util.Map<VpcdReader, Semaphore> handshakes = new java.util.concurrent.ConcurrentHashMap<>();

    private void connectLoop(String host, int port, VpcdReader reader) {
        boolean warned = false;
        while (!closed) {
            if (reader.hasCard()) {
                sleep(Math.min(options.reconnectMillis(), 200));
                continue;
            }
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(host, port), options.connectMillis());
                warned = false;
            } catch (IOException e) {
                close(s);
                if (!warned) {
                    LOG.info("vpcd {}: no card at {}:{} yet ({}); retrying every {} ms", reader.info().name(), host, port,
                            e.getMessage(), options.reconnectMillis());
                    warned = true;
                }
                sleep(options.reconnectMillis());
                continue;
            }
            if (!reader.offer(s)) {
                sleep(options.reconnectMillis());
            }
        }
    }

    private final VpcdReader.Events slotEvents = (reader, state) -> publish(l -> l.slotChanged(reader, 0, state));

    private synchronized void publish(Consumer<ReaderListener> event) {
        for (Session s : sessions) {
            for (ReaderListener l : s.listeners) {
                dispatch(s, l, event);
            }
        }
    }

    private void dispatch(Session s, ReaderListener l, Consumer<ReaderListener> event) {
        try {
            events.execute(() -> {
                try {
                    event.accept(l);
                } catch (RuntimeException e) {
                    LOG.warn("reader listener of {} failed: {}", s.label, e.toString());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed
        }
    }

    @Override
    public ReaderSession openSession(String clientLabel) {
        Session s = new Session(clientLabel);
        sessions.add(s);
        return s;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        servers.forEach(VpcdDriver::close);
        readers.forEach(VpcdReader::markGone);
        for (VpcdReader r : readers) {
            publish(l -> l.readerRemoved(r));
        }
        threads.forEach(Thread::interrupt);
        for (Thread t : threads) {
            try {
                t.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        events.shutdown();
        timer.shutdownNow();
        try {
            events.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void startThread(String name, Runnable body) {
        Thread t = daemon(body, name);
        threads.add(t);
        t.start();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private void sleep(int millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            if (!closed) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void close(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public String toString() { return "VpcdDriver" + addresses; }

    private final class Session implements ReaderSession {
        final String label;
        final Set<ReaderListener> listeners = new CopyOnWriteArraySet<>();

        Session(String label) { this.label = label; }

        @Override
        public String clientLabel() { return label; }

        @Override
        public List<Reader> readers() { return closed ? List.of() : VpcdDriver.this.readers(); }

        @Override
        public AutoCloseable addListener(ReaderListener listener) {
            synchronized (VpcdDriver.this) {
                listeners.add(listener);
                if (!closed) {
                    for (VpcdReader r : readers) {
                        dispatch(this, listener, l -> l.readerAdded(r));
                    }
                }
            }
            return () -> listeners.remove(listener);
        }

        @Override
        public void close() {
            listeners.clear();
            sessions.remove(this);
        }
    }
}
