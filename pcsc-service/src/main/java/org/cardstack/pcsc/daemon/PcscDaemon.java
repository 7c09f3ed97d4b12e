package org.cardstack.pcsc.daemon;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.cardstack.pcsc.daemon.wire.ReaderRecord;
import org.cardstack.pcsc.daemon.wire.Wire;
import org.cardstack.pcsc.manager.ReaderState;
import org.cardstack.pcsc.manager.ResourceManager;
import org.cardstack.pcsc.policy.AccessPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pcscd-compatible daemon: serves pcsc-lite's client protocol (4.4, 4.5 and 4.6, per connection as
 * the client announces; shared/docs/pcscd-protocol.md) on a UNIX stream socket, on top of a
 * {@link ResourceManager}. Programs linked against libpcsclite use it as they use pcscd.
 *
 * <p><b>Threads.</b> One selector thread accepts connections. Each connection has a thread of its own,
 * as in pcscd, that waits for the client's input and runs its requests one at a time, in order (manager
 * calls may wait: card I/O, transactions). All output is non-blocking and queued per connection; a
 * client that stops reading is closed when its queue passes
 * {@link DaemonConfig#maxPendingOutput()}. A notifier thread turns the manager's changes into the
 * one-shot 8-byte notifications, held back per connection while it is not idle (§7.4). So one slow or
 * stuck client never delays another (except through the card it holds, as in PC/SC).
 *
 * <p><b>Clients.</b> A malformed or oversized message closes that connection only, with a log line.
 * A closed connection (crash, exit, RELEASE or not) frees its context with the handles, transactions
 * and exclusive holds, as pcscd does ({@link ResourceManager#releaseClient(String)}).
 */
public final class PcscDaemon implements AutoCloseable {
    static final Logger LOG = LoggerFactory.getLogger(PcscDaemon.class);

    final ResourceManager rm;
    final DaemonConfig config;
    private final Selector selector;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    final ExecutorService cleanup;
    final ScheduledExecutorService timer;
    private final Map<Long, ClientSession> sessions = new ConcurrentHashMap<>();
    private final Map<Integer, ClientSession> byContext = new ConcurrentHashMap<>();
    private final Set<ClientSession> waiting = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicInteger> perUser = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Object arrayLock = new Object();
    private int arraySize = 2;
    private ServerSocketChannel server;
    private Path ownedSocket;
    private Thread io;
    private Thread notifier;
    private AutoCloseable changeRegistration;
    private final Object notifyLock = new Object();
    private boolean dirty;
    private volatile boolean running;
    private ScheduledFuture<?> autoExit;

    public PcscDaemon(ResourceManager rm, DaemonConfig config) throws IOException {
        this.rm = rm;
        this.config = config;
        this.selector = Selector.open();
        this.cleanup = Executors.newCachedThreadPool(named("cardstack-pcscd-cleanup"));
        this.timer = Executors.newSingleThreadScheduledExecutor(named("cardstack-pcscd-timer"));
    }

    private static ThreadFactory named(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    // ------------------------------------------------------------------ socket

    /**
     * Binds the socket as pcscd does (pcscd-protocol.md §2.4): creates the directory (0755) if it is
     * missing, refuses if a daemon already answers on {@code path}, removes a stale socket file, binds,
     * then sets {@code mode} (pcscd: 0666) and, if given, the group.
     */
    public static ServerSocketChannel bind(Path path, String mode, String group) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        }
        if (Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            boolean alive;
            try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                alive = probe.isConnected();
            } catch (IOException e) {
                alive = false;
            }
            if (alive) {
                throw new IOException("another daemon is listening on " + path);
            }
            LOG.info("removing stale socket file {}", path);
            Files.delete(path);
        }
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        ch.bind(UnixDomainSocketAddress.of(path), 64);
        try {
            Files.setPosixFilePermissions(path, permissions(mode));
            if (group != null) {
                GroupPrincipal g = path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
                Files.getFileAttributeView(path, PosixFileAttributeView.class).setGroup(g);
            }
        } catch (IOException | RuntimeException e) {
            ch.close();
            Files.deleteIfExists(path);
            throw e;
        }
        return ch;
    }

    /** An octal mode such as "0666" or "660" as permissions. */
    static Set<PosixFilePermission> permissions(String octal) {
        int m = Integer.parseInt(octal, 8);
        if (m < 0 || m > 0777) {
            throw new IllegalArgumentException("mode " + octal + " out of range");
        }
        String rwx = "rwxrwxrwx";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 9; i++) {
            sb.append((m & (1 << (8 - i))) != 0 ? rwx.charAt(i) : '-');
        }
        return PosixFilePermissions.fromString(sb.toString());
    }

    /** The group that owns a socket file, or null. */
    public static String groupOf(Path socket) {
        try {
            return Files.readAttributes(socket, java.nio.file.attribute.PosixFileAttributes.class).group().getName();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Starts serving on a bound (or inherited) listening channel. If {@code ownedSocket} is not null the
     * daemon deletes that file when it closes (not for a socket systemd owns).
     */
    public void start(ServerSocketChannel listening, Path ownedSocket) throws IOException {
        this.server = listening;
        this.ownedSocket = ownedSocket;
        listening.configureBlocking(false);
        listening.register(selector, SelectionKey.OP_ACCEPT);
        running = true;
        changeRegistration = rm.addChangeListener(this::markDirty);
        notifier = new Thread(this::notifyLoop, "cardstack-pcscd-notifier");
        notifier.setDaemon(true);
        notifier.start();
        io = new Thread(this::ioLoop, "cardstack-pcscd-io");
        io.setDaemon(true);
        io.start();
        armAutoExit();
        LOG.info("serving pcsc-lite protocol 4.4/4.5/4.6 on {} with readers {}", listening.getLocalAddress(), rm.readerNames());
    }

    /** Connections open now. */
    public int clients() { return sessions.size(); }

    /** Blocks until the daemon has closed (signal, auto-exit). */
    public void awaitClosed() throws InterruptedException { stopped.await(); }

    // ------------------------------------------------------------------ I/O loop

    private void ioLoop() {
        try {
            while (running) {
                selector.select(1000);
                Runnable t;
                while ((t = tasks.poll()) != null) {
                    t.run();
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    try {
                        if (!key.isValid()) {
                            continue;
                        }
                        if (key.isAcceptable()) {
                            accept();
                        } else if (key.attachment() instanceof ClientSession s) {
                            if (key.isWritable()) {
                                s.onWritable();
                            }
                            if (key.isValid() && key.isReadable()) {
                                s.onReadable();
                            }
                        }
                    } catch (java.nio.channels.CancelledKeyException e) {
                        // the session closed meanwhile
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | RuntimeException e) {
            if (running) {
                LOG.error("I/O loop failed, stopping the daemon", e);
                cleanup.execute(this::close);
            }
        }
    }

    /** Runs {@code task} on the selector thread. */
    void onIoThread(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    private void accept() throws IOException {
        while (true) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (IOException e) {
                LOG.warn("accept failed: {}", e.toString());
                return;
            }
            if (ch == null) {
                return;
            }
            AccessPolicy.Peer peer = peer(ch);
            if (sessions.size() >= config.maxClients()) {
                LOG.warn("refusing a connection of {}: {} clients connected (limit)", peer.user(), sessions.size());
                ch.close();
                continue;
            }
            AtomicInteger mine = perUser.computeIfAbsent(peer.user(), u -> new AtomicInteger());
            if (mine.incrementAndGet() > config.maxClientsPerUser()) {
                mine.decrementAndGet();
                LOG.warn("refusing a connection of {}: {} connections of that user (limit)", peer.user(),
                        config.maxClientsPerUser());
                ch.close();
                continue;
            }
            ch.configureBlocking(false);
            long id = ids.incrementAndGet();
            Predicate<String> readers = readerFilter(peer);
            ClientSession s = new ClientSession(this, id, ch, peer, readers);
            sessions.put(id, s);
            cancelAutoExit();
            s.start();
            LOG.debug("{} connected", s);
        }
    }

    private AccessPolicy.Peer peer(SocketChannel ch) {
        try {
            UnixDomainPrincipal p = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
            return new AccessPolicy.Peer(p.user().getName(), p.group().getName());
        } catch (IOException | RuntimeException e) {
            LOG.warn("no peer credentials for a connection ({}): treated as an unknown user", e.toString());
            return new AccessPolicy.Peer("?", "?");
        }
    }

    private Predicate<String> readerFilter(AccessPolicy.Peer peer) {
        Set<String> groups = config.groups().groupsOf(peer);
        boolean dflt = AccessPolicy.defaultAllows(peer, groups, config.daemonUser(), config.socketGroup());
        return config.policy().readersFor(peer, groups, dflt);
    }

    // ------------------------------------------------------------------ sessions

    void sessionClosed(ClientSession s) {
        if (sessions.remove(s.id) == null) {
            return;
        }
        waiting.remove(s);
        byContext.values().removeIf(v -> v == s);
        AtomicInteger mine = perUser.get(s.peer.user());
        if (mine != null) {
            mine.decrementAndGet();
        }
        Runnable release = () -> {
            try {
                rm.releaseClient(s.label);
            } catch (RuntimeException e) {
                LOG.warn("{}: cleanup failed: {}", s, e.toString());
            }
        };
        try {
            cleanup.execute(release);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            release.run(); // the daemon is closing and its pool is gone: free the client's holds here
        }
        if (sessions.isEmpty()) {
            armAutoExit();
        }
    }

    void contextCreated(int hContext, ClientSession s) { byContext.put(hContext, s); }

    void contextGone(int hContext) { byContext.remove(hContext); }

    ClientSession sessionOfContext(int hContext) { return byContext.get(hContext); }

    void addWaiter(ClientSession s) { waiting.add(s); }

    void removeWaiter(ClientSession s) { waiting.remove(s); }

    // ------------------------------------------------------------------ readers-state array

    /** The records this client may see, at their stable positions. */
    List<ReaderRecord> records(Predicate<String> visible) {
        List<ReaderState> states = rm.readerStates();
        List<ReaderRecord> out = new ArrayList<>();
        for (ReaderState st : states) {
            if (!visible.test(st.name())) {
                continue;
            }
            while (out.size() <= st.index()) {
                out.add(null);
            }
            byte[] atr = st.atr();
            if (atr.length > Wire.MAX_ATR_SIZE) {
                atr = java.util.Arrays.copyOf(atr, Wire.MAX_ATR_SIZE);
            }
            out.set(st.index(), new ReaderRecord(st.name(), st.eventCounter(), st.readerState(), st.sharing(), atr,
                    st.protocol()));
        }
        return out;
    }

    /** The 4.6 array size N: starts at 2, grows by 2 to hold every reader position, never shrinks. */
    int arraySize() {
        int needed = 0;
        for (ReaderState st : rm.readerStates()) {
            needed = Math.max(needed, st.index() + 1);
        }
        synchronized (arrayLock) {
            while (arraySize < needed) {
                arraySize += 2;
            }
            return arraySize;
        }
    }

    /** CMD_GET_READER_EVENTS: 1..32767, never 0, +1 per reader added or removed. */
    int readerEvents() { return rm.readerEventCounter() % 0x7FFF + 1; }

    // ------------------------------------------------------------------ notifications

    private void markDirty() {
        synchronized (notifyLock) {
            dirty = true;
            notifyLock.notifyAll();
        }
    }

    private void notifyLoop() {
        List<ReaderState> last = rm.readerStates();
        int lastEvents = rm.readerEventCounter();
        while (running) {
            synchronized (notifyLock) {
                while (!dirty && running) {
                    try {
                        notifyLock.wait(1000);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                dirty = false;
            }
            List<ReaderState> now = rm.readerStates();
            int events = rm.readerEventCounter();
            if (now.equals(last) && events == lastEvents) {
                continue;
            }
            last = now;
            lastEvents = events;
            for (ClientSession s : waiting.toArray(new ClientSession[0])) {
                waiting.remove(s);
                s.notifyChange(0);
            }
        }
    }

    // ------------------------------------------------------------------ auto-exit and close

    private synchronized void armAutoExit() {
        if (config.autoExitMillis() < 0 || !running || autoExit != null) {
            return;
        }
        autoExit = timer.schedule(() -> {
            if (sessions.isEmpty()) {
                LOG.info("no client for {} ms: exiting (--auto-exit)", config.autoExitMillis());
                close();
            }
        }, config.autoExitMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized void cancelAutoExit() {
        if (autoExit != null) {
            autoExit.cancel(false);
            autoExit = null;
        }
    }

    /** Stops accepting, closes every connection (their contexts are released), deletes an owned socket file. */
    @Override
    public void close() {
        synchronized (this) {
            if (!running) {
                return;
            }
            running = false;
        }
        try {
            if (changeRegistration != null) {
                changeRegistration.close();
            }
        } catch (Exception e) {
            LOG.debug("removing the change listener: {}", e.toString());
        }
        try {
            server.close();
        } catch (IOException e) {
            LOG.debug("closing the listening socket: {}", e.toString());
        }
        for (ClientSession s : sessions.values()) {
            s.close("daemon stopping");
        }
        selector.wakeup();
        markDirty();
        if (ownedSocket != null) {
            try {
                Files.deleteIfExists(ownedSocket);
            } catch (IOException e) {
                LOG.warn("could not remove {}: {}", ownedSocket, e.toString());
            }
        }
        try {
            if (io != null && io != Thread.currentThread()) {
                io.join(2000);
            }
            selector.close();
        } catch (IOException | InterruptedException e) {
            LOG.debug("closing the selector: {}", e.toString());
        }
        cleanup.shutdown();
        try {
            cleanup.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        timer.shutdownNow();
        LOG.info("stopped");
        stopped.countDown();
    }
}
