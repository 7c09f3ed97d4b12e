package org.cardstack.pcsc.manager;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.cardstack.pcsc.CardResetException;
import org.cardstack.pcsc.NoServiceException;
import org.cardstack.pcsc.PcscCancelledException;
import org.cardstack.pcsc.PcscException;
import org.cardstack.pcsc.PcscTimeoutException;
import org.cardstack.pcsc.ReaderStates;
import org.cardstack.pcsc.ReaderUnavailableException;
import org.cardstack.pcsc.ScardError;
import org.cardstack.reader.CardAbsentException;
import org.cardstack.reader.CardCommunicationException;
import org.cardstack.reader.CardMuteException;
import org.cardstack.reader.Reader;
import org.cardstack.reader.ReaderDriver;
import org.cardstack.reader.ReaderException;
import org.cardstack.reader.ReaderGoneException;
import org.cardstack.reader.ReaderInfo;
import org.cardstack.reader.ReaderListener;
import org.cardstack.reader.ReaderSession;
import org.cardstack.reader.SlotState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PC/SC resource manager (pcsc-lite's {@code readerfactory.c}, {@code eventhandler.c} and
 * {@code winscard.c}, event-driven): readers from pluggable sources, contexts, card handles with
 * share modes, transactions, dispositions, status-change waits.
 *
 * <p><b>Sources.</b> Readers come from {@link ReaderSession}s of any {@link ReaderDriver} (the CCID
 * driver, virtual readers): {@link #addSource(ReaderSession)}. Each slot of a driver's reader becomes a
 * PC/SC reader named "<i>driver's reader name</i> NN SS" (NN the lowest reader number not in use,
 * SS the slot, upper-case hex), as pcscd names them; the name is stable for the life of the reader.
 *
 * <p><b>Clients.</b> A client (a Java program, or one connection of the daemon) establishes
 * {@link Context}s under a client label; contexts own {@link CardHandle}s. Context and handle ids are
 * unique positive 31-bit values, as the pcscd wire needs, and can be looked up with
 * {@link #context(int)} and {@link Context#handle(int)}. {@link #releaseClient(String)} cleans up all
 * a client owned.
 *
 * <p><b>Publication.</b> {@link #readerStates()} is the readers-state array; every change bumps
 * {@link #generation()} and runs the listeners of {@link #addChangeListener(Runnable)}, so a daemon can
 * notify its waiting clients.
 *
 * <p><b>Threads.</b> Everything is thread-safe. Reader events are processed in order on one manager
 * thread (card power-up at insertion happens there, as pcscd's event handler does). Card I/O on a
 * reader is serialised per slot; bookkeeping uses one short-held lock; every wait is event-driven
 * (no polling), ends when its condition can no longer come true, and is cancellable per context.
 */
public final class ResourceManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ResourceManager.class);
    /** pcscd's MAX_READERNAME: 127 characters and the NUL. */
    static final int MAX_READERNAME = 128;
    /** pcscd's limit of handles per context; more CONNECTs get SCARD_E_NO_MEMORY. */
    public static final int MAX_HANDLES_PER_CONTEXT = 200;

    final ReentrantLock lock = new ReentrantLock();
    final Condition changed = lock.newCondition();

    private final List<Slot> positions = new ArrayList<>();
    private final Map<String, Slot> byName = new HashMap<>();
    private final Map<Reader, Slot[]> byReader = new HashMap<>();
    private final Map<Integer, Object> ids = new ConcurrentHashMap<>();
    private final Map<Integer, Context> contexts = new ConcurrentHashMap<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final List<Source> sources = new CopyOnWriteArrayList<>();
    private final ExecutorService events;
    private int readerEvents;
    private int waiting;
    private long generation;
    private volatile boolean closed;

    private static ResourceManager system;

    /**
     * The process-wide manager the provider uses when given no other: created on first use, without
     * readers until a source is added ({@code ResourceManager.system().addSource(driver)}). A closed
     * system manager is replaced by a fresh one on the next call.
     */
    public static synchronized ResourceManager system() {
        if (system == null || system.closed) {
            system = new ResourceManager();
        }
        return system;
    }

    public ResourceManager() {
        events = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "cardstack-pcsc-events");
            t.setDaemon(true);
            return t;
        });
    }

    // ------------------------------------------------------------------ sources

    /**
     * Takes readers from a driver session: its present readers now (before this returns), and those
     * that come and go later. Closing the returned handle removes the source's readers; the session
     * itself stays the caller's.
     */
    public AutoCloseable addSource(ReaderSession session) {
        Source source = new Source(session);
        sources.add(source);
        source.registration = session.addListener(source);
        // The session announces present readers asynchronously; take them now so that callers see
        // them when this returns (the later readerAdded events are then no-ops).
        List<Reader> present = session.readers();
        source.submit(() -> present.forEach(r -> addReader(r, source)));
        sync();
        return source;
    }

    /** Opens a session on {@code driver} labelled {@code "pcsc-service"} and takes its readers. */
    public AutoCloseable addSource(ReaderDriver driver) {
        ReaderSession session = driver.openSession("pcsc-service");
        AutoCloseable source = addSource(session);
        return () -> {
            source.close();
            session.close();
        };
    }

    /** Waits until reader events queued so far have been processed (at most 5 s). */
    public void sync() {
        try {
            events.submit(() -> { }).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.debug("sync: {}", e.toString());
        }
    }

    private final class Source implements ReaderListener, AutoCloseable {
        final ReaderSession session;
        volatile AutoCloseable registration;
        volatile boolean closed;

        Source(ReaderSession session) { this.session = session; }

        @Override
        public void readerAdded(Reader reader) { submit(() -> addReader(reader, this)); }

        @Override
        public void readerRemoved(Reader reader) { submit(() -> removeReader(reader, "removed")); }

        @Override
        public void slotChanged(Reader reader, int slot, SlotState state) { submit(() -> slotEvent(reader, slot, state)); }

        void submit(Runnable r) {
            if (closed || ResourceManager.this.closed) {
                return;
            }
            try {
                events.execute(() -> {
                    try {
                        if (!closed) {
                            r.run();
                        }
                    } catch (RuntimeException e) {
                        LOG.warn("reader event failed", e);
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                LOG.debug("reader event after close dropped");
            }
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            try {
                if (registration != null) {
                    registration.close();
                }
            } catch (Exception e) {
                LOG.debug("listener removal: {}", e.toString());
            }
            sources.remove(this);
            Runnable removeAll = () -> {
                List<Reader> mine = new ArrayList<>();
                lock.lock();
                try {
                    byReader.forEach((r, slots) -> {
                        if (slots[0].source == this) {
                            mine.add(r);
                        }
                    });
                } finally {
                    lock.unlock();
                }
                mine.forEach(r -> removeReader(r, "source closed"));
            };
            closed = true;
            try {
                events.submit(removeAll).get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                removeAll.run();
            }
        }
    }

    // ------------------------------------------------------------------ reader events (manager thread)

    private void addReader(Reader reader, Source source) {
        ReaderInfo info = reader.info();
        int slotCount = Math.max(1, info.slotCount());
        Slot[] slots = new Slot[slotCount];
        lock.lock();
        try {
            if (closed || byReader.containsKey(reader) || reader.isGone()) {
                return;
            }
            BitSet used = new BitSet();
            byReader.values().forEach(s -> used.set(s[0].readerNumber));
            int number = used.nextClearBit(0);
            String base = friendlyName(info.name());
            for (int s = 0; s < slotCount; s++) {
                String name = String.format("%s %02X %02X", base, number & 0xFF, s & 0xFF);
                int index = positions.indexOf(null);
                if (index < 0) {
                    index = positions.size();
                    positions.add(null);
                }
                slots[s] = new Slot(reader, s, number, name, index, source);
                positions.set(index, slots[s]);
                byName.put(name, slots[s]);
            }
            byReader.put(reader, slots);
            readerEvents = readerEvents % 0x7FFF + 1;
            LOG.info("reader added: {} ({} slot(s))", slots[0].name, slotCount);
        } finally {
            lock.unlock();
        }
        publish();
        for (Slot slot : slots) {
            try {
                SlotState state = reader.slotState(slot.slotNumber);
                if (state != SlotState.ABSENT) {
                    insertion(slot, state == SlotState.POWERED ? reader.atr(slot.slotNumber) : null);
                }
            } catch (ReaderException e) {
                LOG.debug("{}: initial slot status: {}", slot, e.getMessage());
            }
        }
    }

    /** Keeps the driver's name short enough for "name NN SS" to fit pcscd's 127 characters. */
    private static String friendlyName(String name) {
        int max = MAX_READERNAME - 1 - 6;
        return name.length() <= max ? name : name.substring(0, max);
    }

    private void removeReader(Reader reader, String why) {
        lock.lock();
        try {
            Slot[] slots = byReader.remove(reader);
            if (slots == null) {
                return;
            }
            for (Slot s : slots) {
                s.gone = true;
                positions.set(s.index, null);
                byName.remove(s.name);
                s.lockOwner = null;
                s.lockCount = 0;
                if (s.present()) {
                    s.bumpCounter();
                }
                s.readerState = ReaderStates.UNKNOWN;
                s.protocol = 0;
            }
            readerEvents = readerEvents % 0x7FFF + 1;
            LOG.info("reader {}: {}", why, slots[0].name);
        } finally {
            lock.unlock();
        }
        publish();
    }

    private void slotEvent(Reader reader, int slotNumber, SlotState state) {
        Slot slot;
        lock.lock();
        try {
            Slot[] slots = byReader.get(reader);
            if (slots == null || slotNumber < 0 || slotNumber >= slots.length) {
                return;
            }
            slot = slots[slotNumber];
            if (slot.present()) {
                // ABSENT: removal. PRESENT: the driver saw the card change (swap): removal, then insertion.
                removal(slot);
            }
        } finally {
            lock.unlock();
        }
        publish();
        if (state != SlotState.ABSENT) {
            insertion(slot, state == SlotState.POWERED ? reader.atr(slotNumber) : null);
        }
    }

    /** A card arrived: count it and power it up (pcscd does so to publish the ATR). */
    private void insertion(Slot slot, byte[] atrIfPowered) {
        slot.io.lock();
        try {
            lock.lock();
            try {
                if (slot.gone || slot.present()) {
                    return;
                }
                slot.bumpCounter();
                slot.readerState = ReaderStates.PRESENT;
                slot.atr = new byte[0];
                slot.protocol = 0;
            } finally {
                lock.unlock();
            }
            if (atrIfPowered != null) {
                lock.lock();
                try {
                    poweredUp(slot, atrIfPowered);
                } finally {
                    lock.unlock();
                }
            } else {
                powerUp(slot, false);
            }
        } finally {
            slot.io.unlock();
        }
        publish();
    }

    /** Card removal: every handle gets SCARD_W_REMOVED_CARD, a transaction ends. Caller holds the lock. */
    void removal(Slot slot) {
        if (!slot.present()) {
            return;
        }
        slot.bumpCounter();
        slot.readerState = ReaderStates.ABSENT;
        slot.atr = new byte[0];
        slot.protocol = 0;
        slot.lockOwner = null;
        slot.lockCount = 0;
        for (CardHandle h : slot.handles) {
            h.event = ScardError.W_REMOVED_CARD;
        }
        generation++;
        changed.signalAll();
    }

    // ------------------------------------------------------------------ card power (caller holds slot.io)

    /**
     * Powers the card (a warm reset if powered) or power-cycles it, and updates the state as pcscd
     * does. Caller holds {@code slot.io}, not the state lock. Returns null on success, else the error.
     */
    ScardError powerUp(Slot slot, boolean cycle) {
        byte[] atr;
        try {
            if (cycle) {
                slot.reader.powerOff(slot.slotNumber);
            }
            atr = slot.reader.powerOn(slot.slotNumber);
        } catch (ReaderException e) {
            lock.lock();
            try {
                return powerFailed(slot, e);
            } finally {
                lock.unlock();
                publish();
            }
        }
        lock.lock();
        try {
            poweredUp(slot, atr);
        } finally {
            lock.unlock();
        }
        publish();
        return null;
    }

    private void poweredUp(Slot slot, byte[] atr) {
        if (slot.gone || !slot.present()) {
            return;
        }
        slot.atr = atr.clone();
        slot.readerState = ReaderStates.PRESENT | ReaderStates.POWERED | ReaderStates.NEGOTIABLE;
        slot.protocol = 0;
        generation++;
        changed.signalAll();
    }

    /** Caller holds the state lock. */
    private ScardError powerFailed(Slot slot, ReaderException e) {
        LOG.debug("{}: power up failed: {}", slot, e.toString());
        if (e instanceof ReaderGoneException) {
            return ScardError.E_READER_UNAVAILABLE;
        }
        if (e instanceof CardAbsentException) {
            removal(slot);
            return ScardError.E_NO_SMARTCARD;
        }
        if (slot.present()) {
            slot.readerState = ReaderStates.PRESENT | ReaderStates.SWALLOWED;
            slot.atr = new byte[0];
            slot.protocol = 0;
            generation++;
            changed.signalAll();
        }
        return e instanceof CardMuteException || e instanceof CardCommunicationException
                ? ScardError.W_UNRESPONSIVE_CARD : ScardError.W_UNPOWERED_CARD;
    }

    /** Powers the card down (UNPOWER disposition): state PRESENT only, ATR kept, protocol 0. Caller holds slot.io. */
    void powerDown(Slot slot) {
        try {
            slot.reader.powerOff(slot.slotNumber);
        } catch (ReaderException e) {
            LOG.debug("{}: power off: {}", slot, e.getMessage());
        }
        lock.lock();
        try {
            if (slot.present()) {
                slot.readerState = ReaderStates.PRESENT;
                slot.protocol = 0;
                generation++;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
        publish();
    }

    /**
     * The PC/SC error for a failed exchange with the card; a card found absent is processed as a
     * removal at once. Caller holds slot.io but not the state lock.
     */
    PcscException ioFailure(Slot slot, ReaderException e, String what) {
        if (e instanceof ReaderGoneException) {
            return PcscException.of(ScardError.E_READER_UNAVAILABLE, what + ": " + e.getMessage(), e);
        }
        if (e instanceof CardAbsentException) {
            lock.lock();
            try {
                removal(slot);
            } finally {
                lock.unlock();
            }
            publish();
            return PcscException.of(ScardError.W_REMOVED_CARD, what + ": card removed", e);
        }
        if (e instanceof org.cardstack.reader.NotSupportedException) {
            return PcscException.of(ScardError.E_UNSUPPORTED_FEATURE, what + ": " + e.getMessage(), e);
        }
        return PcscException.of(ScardError.E_NOT_TRANSACTED, what + ": " + e.getMessage(), e);
    }

    // ------------------------------------------------------------------ contexts

    /** SCardEstablishContext for the client named {@code clientLabel}, scope USER. */
    public Context establishContext(String clientLabel) throws PcscException {
        return establishContext(clientLabel, 0);
    }

    /** SCardEstablishContext; {@code scope} 0..3 (USER, TERMINAL, SYSTEM, GLOBAL), else SCARD_E_INVALID_VALUE. */
    public Context establishContext(String clientLabel, int scope) throws PcscException {
        Objects.requireNonNull(clientLabel, "clientLabel");
        if (scope < 0 || scope > 3) {
            throw PcscException.of(ScardError.E_INVALID_VALUE, "scope " + scope);
        }
        checkOpen();
        Context c = new Context(this, newId(), clientLabel);
        ids.put(c.id(), c);
        contexts.put(c.id(), c);
        return c;
    }

    /** The context with this id, or null. */
    public Context context(int id) { return contexts.get(id); }

    /** The live contexts of a client. */
    public List<Context> contextsOf(String clientLabel) {
        return contexts.values().stream().filter(c -> c.clientLabel().equals(clientLabel)).toList();
    }

    /** Releases every context of the client (as pcscd does when a client's connection closes). */
    public void releaseClient(String clientLabel) {
        for (Context c : contextsOf(clientLabel)) {
            c.release();
        }
    }

    /** The handle with this id, whatever its context, or null. */
    public CardHandle handle(int id) { return ids.get(id) instanceof CardHandle h ? h : null; }

    int newId() {
        while (true) {
            int id = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
            if (ids.putIfAbsent(id, Boolean.TRUE) == null) {
                return id;
            }
        }
    }

    void registerHandle(CardHandle h) { ids.put(h.id(), h); }

    void forget(int id) { ids.remove(id); }

    void contextReleased(Context c) {
        contexts.remove(c.id());
        ids.remove(c.id());
    }

    void checkOpen() throws PcscException {
        if (closed) {
            throw new NoServiceException(ScardError.E_NO_SERVICE, "the resource manager has been closed");
        }
    }

    boolean isClosed() { return closed; }

    // ------------------------------------------------------------------ lookup and publication

    /** The readers-state array: present readers in position order (positions are stable, gaps possible). */
    public List<ReaderState> readerStates() {
        lock.lock();
        try {
            List<ReaderState> all = new ArrayList<>();
            for (Slot s : positions) {
                if (s != null) {
                    all.add(s.snapshot());
                }
            }
            return all;
        } finally {
            lock.unlock();
        }
    }

    /** Reader names in position order (SCardListReaders). */
    public List<String> readerNames() {
        lock.lock();
        try {
            return positions.stream().filter(Objects::nonNull).map(s -> s.name).toList();
        } finally {
            lock.unlock();
        }
    }

    /** The state of one reader, or null if there is none of that name. */
    public ReaderState readerState(String name) {
        lock.lock();
        try {
            Slot s = byName.get(name);
            return s == null ? null : s.snapshot();
        } finally {
            lock.unlock();
        }
    }

    /** The driver's reader behind a PC/SC reader name, or null. */
    public Reader driverReader(String name) {
        lock.lock();
        try {
            Slot s = byName.get(name);
            return s == null ? null : s.reader;
        } finally {
            lock.unlock();
        }
    }

    /** Counter of reader arrivals and removals (1..32767, as pcscd's CMD_GET_READER_EVENTS). */
    public int readerEventCounter() {
        lock.lock();
        try {
            return readerEvents;
        } finally {
            lock.unlock();
        }
    }

    /** Threads waiting inside the manager now (status change, transaction, connect): for tests and monitoring. */
    public int waiting() {
        lock.lock();
        try {
            return waiting;
        } finally {
            lock.unlock();
        }
    }

    /** Bumped at every published change (card events, power, sharing, readers). */
    public long generation() {
        lock.lock();
        try {
            return generation;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until {@link #generation()} differs from {@code seen} or the time is up; returns the
     * generation then. For a daemon's waiting-list thread.
     */
    public long awaitChange(long seen, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        lock.lock();
        try {
            while (generation == seen && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                changed.awaitNanos(left);
            }
            return generation;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs {@code listener} after every published change, on the thread that made it: keep it short
     * (e.g. wake the daemon's notifier). Closing the returned handle removes it.
     */
    public AutoCloseable addChangeListener(Runnable listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    Slot slot(String name) { return byName.get(name); }

    /** Bumps the generation and wakes every waiter. Caller holds the lock. */
    void changedLocked() {
        generation++;
        changed.signalAll();
    }

    /** Tells the listeners (call without the lock). */
    void publish() {
        lock.lock();
        try {
            changedLocked();
        } finally {
            lock.unlock();
        }
        for (Runnable l : listeners) {
            try {
                l.run();
            } catch (RuntimeException e) {
                LOG.warn("change listener failed: {}", e.toString());
            }
        }
    }

    /**
     * Waits on the state condition until {@code deadlineNanos} (Long.MAX_VALUE: no deadline).
     * Caller holds the lock and rechecks its condition after the call. Throws SCARD_E_CANCELLED if
     * the context was cancelled since {@code cancelSeen}, or on interrupt; SCARD_E_TIMEOUT when the
     * deadline has passed; SCARD_E_NO_SERVICE when the manager closed.
     */
    void await(Context ctx, long cancelSeen, long deadlineNanos) throws PcscException {
        if (closed) {
            throw new NoServiceException(ScardError.E_NO_SERVICE, "the resource manager has been closed");
        }
        if (ctx.cancels() != cancelSeen || !ctx.isValid()) {
            throw new PcscCancelledException(ctx.isValid() ? "cancelled" : "context released");
        }
        waiting++;
        try {
            if (deadlineNanos == Long.MAX_VALUE) {
                changed.await();
            } else {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    throw new PcscTimeoutException("timed out");
                }
                changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PcscCancelledException("interrupted", e);
        } finally {
            waiting--;
        }
        if (ctx.cancels() != cancelSeen || !ctx.isValid()) {
            throw new PcscCancelledException(ctx.isValid() ? "cancelled" : "context released");
        }
        if (closed) {
            throw new NoServiceException(ScardError.E_NO_SERVICE, "the resource manager has been closed");
        }
    }

    static long deadline(long timeoutMillis) {
        if (timeoutMillis < 0 || timeoutMillis >= Long.MAX_VALUE / 2_000_000L) {
            return Long.MAX_VALUE;
        }
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }

    static ReaderUnavailableException readerGone(Slot s) {
        // pcsc-lite answers SCARD_E_INVALID_VALUE for a handle whose reader was removed.
        return new ReaderUnavailableException(ScardError.E_INVALID_VALUE, "reader " + s.name + " was removed");
    }

    static CardResetException reset(Slot s) { return new CardResetException("card in " + s.name + " was reset"); }

    /** Closes the manager: sources are dropped, every context becomes invalid, waiters get SCARD_E_NO_SERVICE. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        for (Source s : sources) {
            s.close();
        }
        closed = true;
        for (Context c : contexts.values()) {
            c.release();
        }
        lock.lock();
        try {
            changedLocked();
        } finally {
            lock.unlock();
        }
        events.shutdown();
    }

    @Override
    public String toString() { return "ResourceManager" + readerNames(); }
}
