package org.cardstack.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control socket of {@code cardstack serve --control PATH}: a UNIX socket (mode 0600: the daemon's
 * user only) taking one text command per line and answering "ok ..." or "error ..." lines, then a line
 * ".". Lines are at most 256 characters; a connection idle for 30 s is closed; 4 connections at once.
 */
final class ControlServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);
    static final int MAX_LINE = 256;
    static final int IDLE_MILLIS = 30_000;

    private final Path path;
    private final ServerSocketChannel server;
    private final Function<String, String> handler;
    private final Semaphore slots = new Semaphore(4);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cardstack-control-timer");
        t.setDaemon(true);
        return t;
    });
    private final Thread acceptor;
    private volatile boolean closed;

    ControlServer(Path path, Function<String, String> handler) throws IOException {
        this.path = path;
        this.handler = handler;
        if (path.getParent() != null) {
            Files.createDirectories(path.getParent());
        }
        if (Files.exists(path)) {
            try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                throw new IOException("--control " + path + ": another program is listening there");
            } catch (IOException e) {
                if (e.getMessage() != null && e.getMessage().contains("another program")) throw e;
                Files.delete(path);   // stale
            }
        }
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not POSIX
        }
        acceptor = new Thread(this::acceptLoop, "cardstack-control");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel c;
            try {
                c = server.accept();
            } catch (IOException e) {
                if (!closed) LOG.warn("control socket: {}", e.getMessage());
                return;
            }
            if (!slots.tryAcquire()) {
                reply(c, "error busy: too many control connections\n.\n");
                close(c);
                continue;
            }
            Thread t = new Thread(() -> {
                try {
                    serve(c);
                } finally {
                    slots.release();
                    close(c);
                }
            }, "cardstack-control-client");
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve(SocketChannel c) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(c), StandardCharsets.UTF_8));
             OutputStream out = Channels.newOutputStream(c)) {
            while (!closed) {
                ScheduledFuture<?> idle = timer.schedule(() -> close(c), IDLE_MILLIS, TimeUnit.MILLISECONDS);
                String line = readLine(in);
                idle.cancel(false);
                if (line == null) {
                    return;
                }
                if (line.isBlank()) {
                    continue;
                }
                String answer;
                try {
                    answer = handler.apply(line);
                } catch (IllegalArgumentException e) {
                    answer = "error " + e.getMessage();
                } catch (RuntimeException e) {
                    LOG.warn("control command '{}' failed", line, e);
                    answer = "error " + e;
                }
                LOG.info("control: {} -> {}", line.trim(), answer.lines().findFirst().orElse(""));
                out.write((answer + "\n.\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException e) {
            LOG.debug("control connection: {}", e.getMessage());
        }
    }

    /** A line of at most MAX_LINE characters, or null at end of stream; a longer line ends the connection. */
    private static String readLine(BufferedReader in) throws IOException {
        StringBuilder b = new StringBuilder();
        while (true) {
            int ch = in.read();
            if (ch < 0) return b.length() == 0 ? null : b.toString();
            if (ch == '\n') return b.toString();
            if (b.length() >= MAX_LINE) throw new IOException("control line over " + MAX_LINE + " characters");
            b.append((char) ch);
        }
    }

    private static void reply(SocketChannel c, String s) {
        try {
            c.write(java.nio.ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            // gone
        }
    }

    private static void close(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    /** Sends one command to a control socket and returns the answer (without the final "."). */
    static String send(Path path, String command, int timeoutMillis) throws IOException {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            ScheduledExecutorService t = Executors.newSingleThreadScheduledExecutor();
            try {
                t.schedule(() -> close(c), timeoutMillis, TimeUnit.MILLISECONDS);
                c.write(java.nio.ByteBuffer.wrap((command.replace('\n', ' ') + "\n").getBytes(StandardCharsets.UTF_8)));
                BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(c), StandardCharsets.UTF_8));
                StringBuilder b = new StringBuilder();
                for (String line = in.readLine(); line != null && !line.equals("."); line = in.readLine()) {
                    if (b.length() > 0) b.append('\n');
                    b.append(line);
                    if (b.length() > 1 << 16) break;
                }
                return b.toString();
            } finally {
                t.shutdownNow();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        close(server);
        timer.shutdownNow();
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // best effort
        }
    }
}
