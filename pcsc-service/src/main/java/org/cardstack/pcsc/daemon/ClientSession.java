package org.cardstack.pcsc.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.cardstack.pcsc.Disposition;
import org.cardstack.pcsc.PcscException;
import org.cardstack.pcsc.ScardError;
import org.cardstack.pcsc.ShareMode;
import org.cardstack.pcsc.SharingViolationException;
import org.cardstack.pcsc.daemon.wire.Codec;
import org.cardstack.pcsc.daemon.wire.Message;
import org.cardstack.pcsc.daemon.wire.ProtocolException;
import org.cardstack.pcsc.daemon.wire.ReaderRecord;
import org.cardstack.pcsc.daemon.wire.RequestDecoder;
import org.cardstack.pcsc.daemon.wire.Wire;
import org.cardstack.pcsc.manager.CardHandle;
import org.cardstack.pcsc.manager.Context;
import org.cardstack.pcsc.policy.AccessPolicy;

/**
 * One client connection (pcsc-lite: one per context): its decoder, its queue of requests (handled one
 * at a time, in order, on the connection's own thread), its queued output, its context, its place on the
 * waiting list and a notification held back until the connection is idle (pcscd-protocol.md §7, §14.1).
 * Fields are guarded by {@code this}.
 *
 * <p>Like pcscd, each connection has a thread of its own that waits for the client's input and runs
 * the request itself: a request costs no hand-over between threads (which dominated the round trip on
 * slow machines), and a client stuck in a long card operation delays nobody else. Its channel stays
 * non-blocking, so the notifier can always queue output without waiting on a client.
 */
final class ClientSession {
    private static final int READ_BUFFER = 16 * 1024;
    /** Whole requests decoded ahead; reading pauses beyond this. */
    private static final int MAX_INBOX = 4;
    private static final int SV = ScardError.E_SHARING_VIOLATION.code();

    final PcscDaemon daemon;
    final long id;
    final SocketChannel channel;
    final AccessPolicy.Peer peer;
    final Predicate<String> visible;
    final String label;
    SelectionKey key;
    private Selector selector;

    private final RequestDecoder decoder = new RequestDecoder();
    /**
     * Direct, as is {@link #stage}: NIO copies a heap buffer through a temporary direct one on every
     * read and write, which showed as a tenth of the daemon's own time per request.
     */
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER);
    /** Replies up to this size are written from {@link #stage}; larger ones straight from their buffer. */
    private static final int STAGE = 8 * 1024;
    private final ByteBuffer stage = ByteBuffer.allocateDirect(STAGE);
    private final ArrayDeque<Message> inbox = new ArrayDeque<>();
    private final ArrayDeque<ByteBuffer> output = new ArrayDeque<>();
    private long outputBytes;
    private boolean busy;
    private boolean readingPaused;
    private boolean closed;
    private boolean doomed;

    /** Negotiated minor version: 4, 5 or 6 (6 until the client says otherwise, as for CANCEL connections). */
    private int minor = 6;
    private Context context;
    private final Set<Integer> released = new HashSet<>();
    /** On the waiting list (registered by WAIT). */
    private boolean registered;
    /** A notification to send once idle (rv), or null. */
    private Integer held;
    /** 4.6: between WAIT and the ARRAY reply that follows it. */
    private boolean window;
    private long quietUntil;
    private boolean flushScheduled;
    private int announced = -1;

    ClientSession(PcscDaemon daemon, long id, SocketChannel channel, AccessPolicy.Peer peer, Predicate<String> visible) {
        this.daemon = daemon;
        this.id = id;
        this.channel = channel;
        this.peer = peer;
        this.visible = visible;
        this.label = "pcscd-client#" + id + "(" + peer.user() + ")";
    }

    @Override
    public String toString() { return "client #" + id + " (" + peer.user() + ":" + peer.group() + ")"; }

    // ------------------------------------------------------------------ the connection's thread

    /** Registers the channel with a selector of its own and starts the connection's thread. */
    void start() throws IOException {
        selector = Selector.open();
        key = channel.register(selector, SelectionKey.OP_READ, this);
        Thread t = new Thread(this::run, "cardstack-pcscd-client-" + id);
        t.setDaemon(true);
        t.start();
    }

    private void run() {
        try (Selector sel = selector) {
            while (serveOnce(sel)) {
                // each turn is a method of its own: a loop that never returns would stay interpreted
            }
        } catch (IOException | ClosedSelectorException | java.nio.channels.CancelledKeyException e) {
            close(null);
        } catch (RuntimeException e) {
            PcscDaemon.LOG.error("{}: connection thread failed, closing", this, e);
            close("internal error");
        }
    }

    /** One wait for the socket and what it brought; false when the connection is over. */
    private boolean serveOnce(Selector sel) throws IOException {
        synchronized (this) {
            if (closed) {
                return false;
            }
        }
        // the action form keeps no selected-key set (an add and a clear per request)
        int updated = sel.select(ignored -> { }, 1000);
        if (!key.isValid()) {
            close(null);
            return false;
        }
        int ready = updated > 0 ? key.readyOps() : 0;
        if ((ready & SelectionKey.OP_WRITE) != 0) {
            onWritable();
        }
        if ((ready & SelectionKey.OP_READ) != 0 && key.isValid()) {
            onReadable();
        }
        return true;
    }

    // ------------------------------------------------------------------ input (the connection's thread)

    void onReadable() {
        int n;
        try {
            synchronized (this) {
                if (closed) {
                    return;
                }
                n = channel.read(readBuffer);
            }
        } catch (IOException e) {
            close("read failed: " + e.getMessage());
            return;
        }
        if (n < 0) {
            close(null);
            return;
        }
        pump();
    }

    /** Decodes what has been read, up to MAX_INBOX requests; pauses reading when full. */
    private void pump() {
        boolean work;
        try {
            synchronized (this) {
                if (closed) {
                    return;
                }
                readBuffer.flip();
                try {
                    while (readBuffer.hasRemaining() && inbox.size() < MAX_INBOX) {
                        Message m = decoder.decode(readBuffer);
                        if (m == null) {
                            break;
                        }
                        inbox.add(m);
                    }
                } finally {
                    readBuffer.compact();
                }
                boolean pause = inbox.size() >= MAX_INBOX || !readBuffer.hasRemaining();
                if (pause != readingPaused) {
                    readingPaused = pause;
                    key.interestOps(pause ? key.interestOps() & ~SelectionKey.OP_READ : key.interestOps() | SelectionKey.OP_READ);
                }
                work = !busy && !inbox.isEmpty() && !doomed;
                if (work) {
                    busy = true;
                }
            }
        } catch (ProtocolException e) {
            PcscDaemon.LOG.warn("{}: protocol violation, closing the connection: {}", this, e.getMessage());
            close("protocol violation");
            return;
        }
        if (work) {
            drain();
        }
    }

    // ------------------------------------------------------------------ requests (the connection's thread)

    private void drain() {
        while (true) {
            Message m;
            boolean resume;
            synchronized (this) {
                m = closed || doomed ? null : inbox.poll();
                if (m == null) {
                    busy = false;
                    break;
                }
                resume = readingPaused;
            }
            if (resume) {
                pump();   // reading had paused on a full inbox: decode what is buffered, read on
            }
            try {
                handle(m);
            } catch (BadHandle e) {
                PcscDaemon.LOG.warn("{}: {} with handle 0x{} that is not its own: closing in {} ms", this,
                        Wire.commandName(m.command()), Integer.toHexString(e.handle), daemon.config.badHandleDelayMillis());
                synchronized (this) {
                    doomed = true;
                    busy = false;
                }
                daemon.timer.schedule(() -> close("used a handle not its own"), daemon.config.badHandleDelayMillis(),
                        TimeUnit.MILLISECONDS);
                return;
            } catch (RuntimeException e) {
                PcscDaemon.LOG.error("{}: {} failed, closing the connection", this, Wire.commandName(m.command()), e);
                close("internal error");
                return;
            }
        }
        flushHeld();
    }

    private static final class BadHandle extends Exception {
        private static final long serialVersionUID = 1L;
        final int handle;

        BadHandle(int handle) {
            super(null, null, false, false);
            this.handle = handle;
        }
    }

    private void handle(Message m) throws BadHandle {
        if (PcscDaemon.LOG.isTraceEnabled()) {
            PcscDaemon.LOG.trace("{} < {}", this, m);
        }
        if (m instanceof Message.Version v) {
            version(v);
        } else if (m instanceof Message.Establish e) {
            establish(e);
        } else if (m instanceof Message.Release r) {
            release(r);
        } else if (m instanceof Message.Connect c) {
            connect(c);
        } else if (m instanceof Message.Reconnect r) {
            reconnect(r);
        } else if (m instanceof Message.Disconnect d) {
            disconnect(d);
        } else if (m instanceof Message.BeginTransaction b) {
            begin(b);
        } else if (m instanceof Message.EndTransaction e) {
            end(e);
        } else if (m instanceof Message.Transmit t) {
            transmit(t);
        } else if (m instanceof Message.Control c) {
            control(c);
        } else if (m instanceof Message.Status s) {
            status(s);
        } else if (m instanceof Message.Cancel c) {
            cancel(c);
        } else if (m instanceof Message.Attrib a) {
            attrib(a);
        } else if (m instanceof Message.Bodiless b) {
            bodiless(b.command());
        } else {
            throw new IllegalStateException("unexpected " + m);
        }
    }

    private void version(Message.Version v) {
        int rv;
        int replyMinor;
        if (v.major() == Wire.PROTOCOL_MAJOR && v.minor() >= Wire.MINOR_MIN && v.minor() <= Wire.MINOR_MAX) {
            synchronized (this) {
                minor = v.minor();
            }
            rv = 0;
            replyMinor = v.minor();
        } else {
            rv = ScardError.E_SERVICE_STOPPED.code();
            replyMinor = Wire.MINOR_MAX;
            PcscDaemon.LOG.info("{}: protocol {}.{} refused (serving 4.4 to 4.6)", this, v.major(), v.minor());
        }
        send(new Message.Version(Wire.PROTOCOL_MAJOR, replyMinor, rv));
    }

    private void establish(Message.Establish e) {
        Context c;
        try {
            c = daemon.rm.establishContext(label, e.scope());
        } catch (PcscException ex) {
            send(new Message.Establish(e.scope(), 0, ex.code()));
            return;
        }
        Context old;
        synchronized (this) {
            old = context;
            context = c;
        }
        if (old != null) {
            // the client re-sends ESTABLISH when the id collided in its process; it keeps the last one
            daemon.contextGone(old.id());
            old.release();
        }
        daemon.contextCreated(c.id(), this);
        send(new Message.Establish(e.scope(), c.id(), 0));
    }

    private void release(Message.Release r) {
        Context c;
        synchronized (this) {
            c = context;
            if (c != null && c.id() == r.hContext()) {
                context = null;
                released.add(r.hContext());
            } else {
                c = null;
            }
        }
        int rv;
        if (c != null) {
            daemon.contextGone(c.id());
            c.release();
            rv = 0;
        } else {
            boolean twice;
            synchronized (this) {
                twice = released.contains(r.hContext());
            }
            rv = (twice ? ScardError.E_INVALID_HANDLE : ScardError.E_INVALID_VALUE).code();
        }
        send(new Message.Release(r.hContext(), rv));
    }

    private synchronized Context context() { return context; }

    private CardHandle handle(int hCard) throws BadHandle {
        Context c = context();
        CardHandle h = c == null ? null : c.handle(hCard);
        if (h == null) {
            throw new BadHandle(hCard);
        }
        return h;
    }

    private void connect(Message.Connect c) {
        Context ctx = context();
        if (ctx == null || ctx.id() != c.hContext()) {
            send(c.reply(0, 0, ScardError.E_INVALID_VALUE.code()));
            return;
        }
        String name = c.reader();
        ShareMode mode = ShareMode.of(c.shareMode());
        try {
            if (!visible.test(name) || daemon.rm.readerState(name) == null) {
                throw PcscException.of(ScardError.E_UNKNOWN_READER, name);
            }
            if (mode == null) {
                throw PcscException.of(ScardError.E_INVALID_VALUE, "share mode " + c.shareMode());
            }
            CardHandle h;
            while (true) {
                try {
                    h = ctx.connect(name, mode, c.preferredProtocols(), -1);
                    break;
                } catch (SharingViolationException e) {
                    // pcscd's CONNECT waits while another handle holds a transaction and refuses only for
                    // an exclusive hold (or EXCLUSIVE wanted on a used reader); a transaction that began
                    // between the manager's wait and its check is waited for again
                    org.cardstack.pcsc.manager.ReaderState st = daemon.rm.readerState(name);
                    if (st == null || st.sharing() < 0 || mode == ShareMode.EXCLUSIVE && st.sharing() > 0
                            || !ctx.isValid()) {
                        throw e;
                    }
                }
            }
            send(c.reply(h.id(), h.activeProtocol(), 0));
        } catch (PcscException e) {
            debug("CONNECT", e);
            send(c.reply(0, 0, e.code()));
        }
    }

    private void reconnect(Message.Reconnect r) throws BadHandle {
        CardHandle h = handle(r.hCard());
        ShareMode mode = ShareMode.of(r.shareMode());
        Disposition init = Disposition.of(r.initialization());
        int rv = 0;
        int active = 0;
        try {
            if (mode == null || init == null) {
                throw PcscException.of(ScardError.E_INVALID_VALUE, "share mode " + r.shareMode() + ", initialization "
                        + r.initialization());
            }
            active = withAccess(h, () -> h.reconnect(mode, r.preferredProtocols(), init));
        } catch (PcscException e) {
            debug("RECONNECT", e);
            rv = e.code();
        }
        send(new Message.Reconnect(r.hCard(), r.shareMode(), r.preferredProtocols(), r.initialization(), active, rv));
    }

    private void disconnect(Message.Disconnect d) throws BadHandle {
        CardHandle h = handle(d.hCard());
        Disposition disp = Disposition.of(d.disposition());
        int rv = 0;
        try {
            if (disp == null) {
                throw PcscException.of(ScardError.E_INVALID_VALUE, "disposition " + d.disposition());
            }
            h.disconnect(disp, -1);
        } catch (PcscException e) {
            debug("DISCONNECT", e);
            rv = e.code();
        }
        send(new Message.Disconnect(d.hCard(), d.disposition(), rv));
    }

    private void begin(Message.BeginTransaction b) throws BadHandle {
        CardHandle h = handle(b.hCard());
        int rv = 0;
        try {
            h.beginTransaction(daemon.config.lockWaitMillis());
        } catch (PcscException e) {
            rv = e.code();
        }
        send(new Message.BeginTransaction(b.hCard(), rv));
    }

    private void end(Message.EndTransaction e) throws BadHandle {
        CardHandle h = handle(e.hCard());
        Disposition disp = Disposition.of(e.disposition());
        int rv = 0;
        try {
            if (disp == null) {
                throw PcscException.of(ScardError.E_INVALID_VALUE, "disposition " + e.disposition());
            }
            h.endTransaction(disp);
        } catch (PcscException ex) {
            debug("END_TRANSACTION", ex);
            rv = ex.code();
        }
        send(new Message.EndTransaction(e.hCard(), e.disposition(), rv));
    }

    private void transmit(Message.Transmit t) throws BadHandle {
        CardHandle h = handle(t.hCard());
        byte[] apdu = t.data();
        long start = System.nanoTime();
        byte[] response = null;
        int rv = 0;
        try {
            if (apdu.length == 0) {
                throw PcscException.of(ScardError.E_INVALID_PARAMETER, "empty command");
            }
            // withAccess(h, lambda) unrolled: C1, the daemon's JIT, creates a capturing lambda through a
            // method handle and a call into the VM, and this runs once per command.
            try {
                response = h.transmit(t.sendPciProtocol(), apdu);
            } catch (SharingViolationException e) {
                awaitAccess(h, e);
                response = h.transmit(t.sendPciProtocol(), apdu);
            }
        } catch (PcscException e) {
            debug("TRANSMIT", e);
            rv = e.code();
        }
        if (daemon.config.traceApdus()) {
            ApduTrace.trace(this, h.readerName(), apdu, response, (System.nanoTime() - start) / 1000, rv);
        }
        if (response != null && Integer.compareUnsigned(response.length, t.recvLength()) > 0) {
            // pcscd: the needed length and SCARD_E_INSUFFICIENT_BUFFER, no data (§5.9)
            send(new Message.Transmit(t.hCard(), t.sendPciProtocol(), t.sendPciLength(), t.sendLength(),
                    t.recvPciProtocol(), t.recvPciLength(), response.length, ScardError.E_INSUFFICIENT_BUFFER.code(), null));
        } else if (response != null) {
            send(new Message.Transmit(t.hCard(), t.sendPciProtocol(), t.sendPciLength(), t.sendLength(),
                    h.activeProtocol(), t.recvPciLength(), response.length, 0, response));
        } else {
            send(new Message.Transmit(t.hCard(), t.sendPciProtocol(), t.sendPciLength(), t.sendLength(),
                    t.recvPciProtocol(), t.recvPciLength(), 0, rv, null));
        }
    }

    private void control(Message.Control c) throws BadHandle {
        CardHandle h = handle(c.hCard());
        try {
            byte[] out = h.control(c.controlCode(), c.data());
            if (Integer.compareUnsigned(out.length, c.recvLength()) > 0) {
                send(new Message.Control(c.hCard(), c.controlCode(), c.sendLength(), c.recvLength(), 0,
                        ScardError.E_INSUFFICIENT_BUFFER.code(), null));
            } else {
                send(new Message.Control(c.hCard(), c.controlCode(), c.sendLength(), c.recvLength(), out.length, 0, out));
            }
        } catch (PcscException e) {
            debug("CONTROL", e);
            send(new Message.Control(c.hCard(), c.controlCode(), c.sendLength(), c.recvLength(), 0, e.code(), null));
        }
    }

    private void status(Message.Status s) throws BadHandle {
        CardHandle h = handle(s.hCard());
        int rv = 0;
        try {
            withAccess(h, h::status);
        } catch (PcscException e) {
            rv = e.code();
        }
        send(new Message.Status(s.hCard(), rv));
    }

    private void attrib(Message.Attrib a) throws BadHandle {
        CardHandle h = handle(a.hCard());
        try {
            if (a.set()) {
                h.setAttrib(a.attrId(), a.value());
                send(a);
            } else {
                byte[] v = h.getAttrib(a.attrId());
                if (v.length > Wire.MAX_BUFFER_SIZE || Integer.compareUnsigned(v.length, a.attrLength()) > 0) {
                    send(new Message.Attrib(false, a.hCard(), a.attrId(), new byte[0], 0,
                            ScardError.E_INSUFFICIENT_BUFFER.code()));
                } else {
                    send(new Message.Attrib(false, a.hCard(), a.attrId(), v, v.length, 0));
                }
            }
        } catch (PcscException e) {
            debug(a.set() ? "SET_ATTRIB" : "GET_ATTRIB", e);
            send(new Message.Attrib(a.set(), a.hCard(), a.attrId(), a.set() ? a.attr() : new byte[0],
                    a.set() ? a.attrLength() : 0, e.code()));
        }
    }

    private void cancel(Message.Cancel c) {
        ClientSession target = daemon.sessionOfContext(c.hContext());
        if (target == null) {
            send(new Message.Cancel(c.hContext(), ScardError.E_INVALID_HANDLE.code()));
            return;
        }
        target.cancelWait();
        send(new Message.Cancel(c.hContext(), 0));   // pcsc-lite 2.0.1+: 0 also when it was not waiting
    }

    private void bodiless(int command) {
        switch (command) {
            case Wire.CMD_GET_READERS_STATE -> send(ReaderRecord.array(daemon.records(visible), Wire.READERS_CONTEXTS));
            case Wire.CMD_WAIT_READER_STATE_CHANGE -> {
                synchronized (this) {
                    registered = true;
                    daemon.addWaiter(this);
                    if (minor < 6) {
                        // the array goes out at once, under the lock that guards the registration (§7.1)
                        send(ReaderRecord.array(daemon.records(visible), Wire.READERS_CONTEXTS));
                        if (minor == 5) {
                            quietUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(daemon.config.notifyQuietMillis());
                        }
                    } else {
                        window = true;
                    }
                }
            }
            case Wire.CMD_STOP_WAITING_READER_STATE_CHANGE -> {
                synchronized (this) {
                    window = false;
                    if (registered) {
                        registered = false;
                        daemon.removeWaiter(this);
                        send(new Message.WaitReply(0, 0));
                    } else if (held != null) {
                        // the client takes the notification it has not seen yet as the answer to STOP
                        send(new Message.WaitReply(0, held));
                        held = null;
                    }
                    // else: a notification already went out and answers this STOP (§7.2)
                }
            }
            case Wire.CMD_GET_READER_EVENTS -> send(new Message.ReaderEvents(daemon.readerEvents(), 0));
            case Wire.CMD_GET_READERS_STATE_SIZE -> {
                int n = daemon.arraySize();
                synchronized (this) {
                    announced = n;
                }
                send(new Message.StateSize(n));
            }
            case Wire.CMD_GET_READERS_STATE_ARRAY -> {
                synchronized (this) {
                    int n = announced > 0 ? announced : daemon.arraySize();
                    send(ReaderRecord.array(daemon.records(visible), n));
                    if (window) {
                        window = false;
                        quietUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(daemon.config.notifyQuietMillis());
                    }
                }
            }
            default -> throw new IllegalStateException("command " + command);
        }
    }

    private void debug(String what, PcscException e) {
        if (PcscDaemon.LOG.isDebugEnabled()) {
            PcscDaemon.LOG.debug("{}: {} -> {}", this, what, e.getMessage());
        }
    }

    private interface Op<T> {
        T run() throws PcscException;
    }

    /**
     * Runs a TRANSMIT/STATUS/RECONNECT; refused because another handle holds the transaction, it waits
     * up to the lock wait (pcscd's 100 ms) for the transaction to end and tries once more. A refusal
     * after that goes to the client, whose library retries every 100 ms.
     */
    private <T> T withAccess(CardHandle h, Op<T> op) throws PcscException {
        try {
            return op.run();
        } catch (SharingViolationException e) {
            awaitAccess(h, e);
            return op.run();
        }
    }

    /** Returns when the refused operation may be tried once more; rethrows the refusal otherwise. */
    private void awaitAccess(CardHandle h, SharingViolationException e) throws PcscException {
        if (e.code() != SV || !h.awaitAccess(daemon.config.lockWaitMillis())) {
            throw e;
        }
    }

    // ------------------------------------------------------------------ notifications

    /** The state changed: a registered connection gets one notification, held until it is idle. */
    void notifyChange(int rv) {
        synchronized (this) {
            if (!registered || closed) {
                return;
            }
            registered = false;
            held = rv;
        }
        flushHeld();
    }

    /** SCARD_CANCEL from another connection: a waiting client gets SCARD_E_CANCELLED. */
    void cancelWait() {
        synchronized (this) {
            if (registered) {
                registered = false;
                daemon.removeWaiter(this);
                held = ScardError.E_CANCELLED.code();
            } else if (held != null) {
                held = ScardError.E_CANCELLED.code();   // not sent yet: the cancel wins
            } else {
                return;
            }
        }
        flushHeld();
    }

    /** Sends a held notification if the connection is idle and out of its quiet window. */
    void flushHeld() {
        long delay;
        synchronized (this) {
            if (held == null || closed) {
                return;
            }
            boolean idle = !busy && inbox.isEmpty() && !decoder.inProgress() && readBuffer.position() == 0 && !window;
            if (!idle) {
                return;   // the worker flushes when it has finished
            }
            delay = quietUntil - System.nanoTime();
            if (delay <= 0) {
                send(new Message.WaitReply(0, held));
                held = null;
                return;
            }
            if (flushScheduled) {
                return;
            }
            flushScheduled = true;
        }
        daemon.timer.schedule(() -> {
            synchronized (this) {
                flushScheduled = false;
            }
            flushHeld();
        }, delay, TimeUnit.NANOSECONDS);
    }

    // ------------------------------------------------------------------ output

    private void send(Message reply) { send(Codec.reply(reply)); }

    /** Queues bytes for the client; written at once when possible, never blocking. */
    private void send(ByteBuffer bytes) {
        String overflow = null;
        synchronized (this) {
            if (closed) {
                return;
            }
            try {
                if (output.isEmpty()) {
                    writeNow(bytes);
                }
            } catch (IOException e) {
                overflow = "write failed: " + e.getMessage();
            }
            if (overflow == null && bytes.hasRemaining()) {
                output.add(bytes);
                outputBytes += bytes.remaining();
                if (outputBytes > daemon.config.maxPendingOutput()) {
                    overflow = "does not read its replies (" + outputBytes + " bytes queued)";
                } else if ((key.interestOps() & SelectionKey.OP_WRITE) == 0) {
                    key.interestOps(key.interestOps() | SelectionKey.OP_WRITE);
                    key.selector().wakeup();
                }
            }
        }
        if (overflow != null) {
            PcscDaemon.LOG.warn("{}: {}: closing the connection", this, overflow);
            close(overflow);
        }
    }

    /** Writes what the socket takes now; {@code bytes} is advanced past it. Caller holds the lock. */
    private void writeNow(ByteBuffer bytes) throws IOException {
        int length = bytes.remaining();
        int start = bytes.position();
        ByteBuffer from = length > STAGE ? bytes : stage.clear().put(0, bytes, start, length).limit(length);
        while (from.hasRemaining() && channel.write(from) > 0) {
            // keep writing while the socket takes it
        }
        if (from == stage) {
            bytes.position(start + stage.position());
        }
    }

    void onWritable() {
        String failure = null;
        synchronized (this) {
            if (closed) {
                return;
            }
            try {
                while (!output.isEmpty()) {
                    ByteBuffer b = output.peek();
                    int n = channel.write(b);
                    outputBytes -= n;
                    if (b.hasRemaining()) {
                        break;
                    }
                    output.poll();
                }
                if (output.isEmpty()) {
                    key.interestOps(key.interestOps() & ~SelectionKey.OP_WRITE);
                }
            } catch (IOException e) {
                failure = "write failed: " + e.getMessage();
            }
        }
        if (failure != null) {
            close(failure);
        }
    }

    /** Closes the connection; the daemon releases the client's context and everything it holds. */
    void close(String reason) {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            registered = false;
            held = null;
            output.clear();
            inbox.clear();
        }
        if (key != null) {
            key.cancel();
        }
        if (selector != null) {
            selector.wakeup();
        }
        try {
            channel.close();
        } catch (IOException e) {
            // closing anyway
        }
        if (reason == null) {
            PcscDaemon.LOG.debug("{} disconnected", this);
        } else {
            PcscDaemon.LOG.debug("{} closed: {}", this, reason);
        }
        daemon.sessionClosed(this);
    }

}
