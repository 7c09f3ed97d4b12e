package org.cardstack.vpcd;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.HexFormat;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.cardstack.vpcd.wire.VpcdFormatException;
import org.cardstack.vpcd.wire.VpcdWire;

/**
 * One connected card (the vicc side of one TCP connection). A reader thread takes every message the
 * peer sends: a message is accepted only while an answer is expected, and only up to the length that
 * answer may have (33 bytes for an ATR, {@code maxResponse} for a response APDU). Anything else, or the
 * end of the connection, ends the peer: the socket is closed, a waiting exchange is woken, and
 * {@code onGone} is called once with the reason.
 */
final class VpcdPeer {
    static final int NONE = 0;
    static final int ATR = 1;
    static final int RESPONSE = 2;

    private static final Object GONE = new Object();

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String label;
    private final int maxResponse;
    private final ScheduledExecutorService timer;
    private final BlockingQueue<Object> answers = new ArrayBlockingQueue<>(1);
    private final AtomicInteger expecting = new AtomicInteger(NONE);
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile String endReason;
    private volatile Consumer<String> onGone = r -> { };
    private Thread thread;

    VpcdPeer(Socket socket, int maxResponse, ScheduledExecutorService timer) throws IOException {
        this.socket = socket;
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(0);     // idle is normal; every wait for an answer is bounded by exchange()
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.label = socket.getInetAddress().getHostAddress() + ":" + socket.getPort();
        this.maxResponse = maxResponse;
        this.timer = timer;
    }

    String label() { return label; }

    boolean isGone() { return ended.get(); }

    String endReason() { return endReason; }

    /** Starts the reader thread; {@code onGone} is called once, from whichever thread ends the peer. */
    void start(String threadName, Consumer<String> onGone) {
        this.onGone = onGone;
        thread = new Thread(this::readLoop, threadName);
        thread.setDaemon(true);
        thread.start();
        if (ended.get()) {
            onGone.accept(endReason);
        }
    }

    private void readLoop() {
        try {
            while (!ended.get()) {
                int hi = in.read();
                if (hi < 0) {
                    end("disconnected");
                    return;
                }
                int lo = in.read();
                if (lo < 0) {
                    end("disconnected inside a length prefix");
                    return;
                }
                int kind = expecting.get();
                if (kind == NONE) {
                    end(String.format("sent a message (length %d) when none was expected", (hi & 0xFF) << 8 | lo));
                    return;
                }
                int n = VpcdWire.payloadLength(hi, lo, kind == ATR ? VpcdWire.MAX_ATR : maxResponse);
                byte[] payload = in.readNBytes(n);
                if (payload.length < n) {
                    end("disconnected after " + payload.length + " of " + n + " bytes");
                    return;
                }
                if (!expecting.compareAndSet(kind, NONE)) {
                    end("answered after the exchange was given up");
                    return;
                }
                answers.offer(payload);
            }
        } catch (VpcdFormatException e) {
            end(e.getMessage());
        } catch (IOException e) {
            end(ended.get() ? endReason : "connection failed: " + e.getMessage());
        }
    }

    /** Ends the peer (idempotent): closes the socket, wakes a waiting exchange, calls onGone once. */
    void end(String reason) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        endReason = reason;
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
        answers.clear();
        answers.offer(GONE);
        onGone.accept(reason);
    }

    /** Sends a message that has no answer (power on/off, reset). */
    synchronized void send(byte[] frame, int timeoutMillis) throws PeerGoneException {
        write(frame, timeoutMillis);
    }

    /**
     * Sends a message and waits for its answer.
     *
     * @throws PeerGoneException  if the peer ended (before or during the exchange, or by this timeout)
     * @throws PeerTimeoutException if no answer came in time (the peer has been ended)
     */
    synchronized byte[] exchange(byte[] frame, int kind, int timeoutMillis) throws PeerGoneException, PeerTimeoutException {
        if (ended.get()) {
            throw new PeerGoneException(endReason);
        }
        answers.clear();
        expecting.set(kind);
        write(frame, timeoutMillis);
        Object answer;
        try {
            answer = answers.poll(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            end("exchange interrupted");
            throw new PeerGoneException("exchange interrupted");
        }
        if (answer == null) {
            String why = "no answer within " + timeoutMillis + " ms to " + describe(frame);
            end(why);
            throw new PeerTimeoutException(why);
        }
        if (answer == GONE) {
            throw new PeerGoneException(endReason);
        }
        return (byte[]) answer;
    }

    private void write(byte[] frame, int timeoutMillis) throws PeerGoneException {
        if (ended.get()) {
            throw new PeerGoneException(endReason);
        }
        // A peer that does not read would block write() once the socket buffers are full: bound it.
        ScheduledFuture<?> guard = timer.schedule(() -> end("did not take a message within " + timeoutMillis + " ms"),
                timeoutMillis, TimeUnit.MILLISECONDS);
        try {
            out.write(frame);
            out.flush();
        } catch (IOException e) {
            end(ended.get() ? endReason : "connection failed: " + e.getMessage());
            throw new PeerGoneException(endReason);
        } finally {
            guard.cancel(false);
        }
    }

    private static String describe(byte[] frame) {
        if (frame.length == 3) {
            return String.format("control 0x%02X", frame[2]);
        }
        int n = Math.min(frame.length - 2, 5);
        return "APDU " + HexFormat.of().withUpperCase().formatHex(frame, 2, 2 + n) + (frame.length - 2 > n ? "..." : "");
    }

    /** The peer is gone (disconnected, dropped for a protocol violation, or timed out). */
    static final class PeerGoneException extends Exception {
        private static final long serialVersionUID = 1L;

        PeerGoneException(String reason) { super(reason); }
    }

    /** No answer in time; the peer has been ended. */
    static final class PeerTimeoutException extends Exception {
        private static final long serialVersionUID = 1L;

        PeerTimeoutException(String reason) { super(reason); }
    }
}
