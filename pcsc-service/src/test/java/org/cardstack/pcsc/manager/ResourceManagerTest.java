package org.cardstack.pcsc.manager;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.cardstack.pcsc.Attributes;
import org.cardstack.pcsc.CardResetException;
import org.cardstack.pcsc.CardUnavailableException;
import org.cardstack.pcsc.ControlCodes;
import org.cardstack.pcsc.Disposition;
import org.cardstack.pcsc.NoServiceException;
import org.cardstack.pcsc.PcscCancelledException;
import org.cardstack.pcsc.PcscException;
import org.cardstack.pcsc.Protocol;
import org.cardstack.pcsc.ReaderStates;
import org.cardstack.pcsc.ReaderUnavailableException;
import org.cardstack.pcsc.ScardError;
import org.cardstack.pcsc.ShareMode;
import org.cardstack.pcsc.SharingViolationException;
import org.cardstack.pcsc.StateFlags;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The manager's state machine against fake readers (the real reader path is in simulator-tests). */
@Timeout(10)
class ResourceManagerTest {
    static final byte[] APDU = HexFormat.of().parseHex("00A4040000");
    static final java.util.concurrent.ExecutorService POOL = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "rm-test");
        t.setDaemon(true);
        return t;
    });
    ResourceManager rm;
    FakeSession session;
    FakeReader reader;
    String name;
    Context a;
    Context b;

    @BeforeEach
    void setUp() throws Exception {
        rm = new ResourceManager();
        session = new FakeSession();
        reader = new FakeReader("Fake Reader (SN1)").insert(0, FakeReader.ATR_T0_T1);
        session.readers.add(reader);
        rm.addSource(session);
        name = "Fake Reader (SN1) 00 00";
        a = rm.establishContext("client-a");
        b = rm.establishContext("client-b");
    }

    @AfterEach
    void tearDown() {
        rm.close();
    }

    /** Waits (bounded by the class timeout) until n threads wait inside the manager. */
    void awaitWaiters(int n) {
        while (rm.waiting() < n) {
            Thread.yield();
        }
    }

    static ScardError error(Executable e) {
        return assertThrows(PcscException.class, e::run).error();
    }

    interface Executable {
        void run() throws Exception;
    }

    @Test
    void namesFollowPcscLiteAndNumbersAreReused() throws Exception {
        assertEquals(List.of(name), a.listReaders());
        FakeReader two = new FakeReader("Two", 2, "Extended APDU");
        session.plug(two);
        rm.sync();
        assertEquals(List.of(name, "Two 01 00", "Two 01 01"), a.listReaders());
        session.unplug(reader);
        rm.sync();
        assertEquals(List.of("Two 01 00", "Two 01 01"), a.listReaders());
        session.plug(new FakeReader("Three"));
        rm.sync();
        // the freed number 00 and array position 0 are reused
        assertEquals(List.of("Three 00 00", "Two 01 00", "Two 01 01"), a.listReaders());
        assertEquals(0, rm.readerState("Three 00 00").index());
    }

    @Test
    void insertedCardIsPoweredAndPublished() {
        ReaderState st = rm.readerState(name);
        assertEquals(ReaderStates.PRESENT | ReaderStates.POWERED | ReaderStates.NEGOTIABLE, st.readerState());
        assertEquals(1, st.eventCounter());
        assertArrayEquals(FakeReader.ATR_T0_T1, st.atr());
        assertEquals(0, st.sharing());
        assertEquals(0, st.protocol());
    }

    @Test
    void shareModes() throws Exception {
        CardHandle s1 = a.connect(name, ShareMode.SHARED, Protocol.ANY);
        assertEquals(Protocol.T0, s1.activeProtocol());
        CardHandle s2 = b.connect(name, ShareMode.SHARED, Protocol.T0);
        assertEquals(2, rm.readerState(name).sharing());
        assertEquals(ScardError.E_SHARING_VIOLATION, error(() -> b.connect(name, ShareMode.EXCLUSIVE, Protocol.ANY)));
        assertEquals(ScardError.E_PROTO_MISMATCH, error(() -> b.connect(name, ShareMode.SHARED, Protocol.T1)));
        s1.disconnect(Disposition.LEAVE);
        s2.disconnect(Disposition.LEAVE);
        CardHandle ex = a.connect(name, ShareMode.EXCLUSIVE, Protocol.ANY);
        assertEquals(ReaderStates.SHARING_EXCLUSIVE, rm.readerState(name).sharing());
        assertEquals(ScardError.E_SHARING_VIOLATION, error(() -> b.connect(name, ShareMode.SHARED, Protocol.ANY)));
        assertEquals(ScardError.E_SHARING_VIOLATION, error(() -> b.connect(name, ShareMode.DIRECT, 0)));
        ex.disconnect(Disposition.LEAVE);
        assertEquals(0, rm.readerState(name).sharing());
        assertEquals(ScardError.E_UNKNOWN_READER, error(() -> a.connect("nope", ShareMode.SHARED, Protocol.ANY)));
        assertEquals(ScardError.E_PROTO_MISMATCH, error(() -> a.connect(name, ShareMode.SHARED, 0)));
    }

    @Test
    void directWorksWithoutCardAndSharedNeedsOne() throws Exception {
        session.remove(reader, 0);
        rm.sync();
        CardHandle d = a.connect(name, ShareMode.DIRECT, 0);
        assertEquals(Protocol.UNDEFINED, d.activeProtocol());
        assertEquals(ScardError.E_NO_SMARTCARD, error(() -> a.connect(name, ShareMode.SHARED, Protocol.ANY)));
        assertArrayEquals(new byte[] {0}, d.getAttrib(Attributes.ICC_PRESENCE));
        d.disconnect(Disposition.LEAVE);
    }

    @Test
    void protocolNegotiation() throws Exception {
        CardHandle t1 = a.connect(name, ShareMode.SHARED, Protocol.T1);
        assertEquals(Protocol.T1, t1.activeProtocol(), "APDU-level readers negotiate themselves");
        assertEquals(Protocol.T1, rm.readerState(name).protocol());
        assertEquals(ScardError.E_PROTO_MISMATCH, error(() -> t1.transmit(Protocol.T0, APDU)));
        assertArrayEquals(new byte[] {0, (byte) 0xA4, 4, 0, 0, (byte) 0x90, 0}, t1.transmit(Protocol.T1, APDU));
        t1.transmit(Protocol.ANY_OLD, APDU);
        t1.disconnect(Disposition.RESET);
        assertEquals(0, rm.readerState(name).protocol(), "a reset makes the protocol undefined again");

        FakeReader tpdu = new FakeReader("Tpdu", 1, "TPDU").insert(0, FakeReader.ATR_T0_T1);
        session.plug(tpdu);
        rm.sync();
        assertEquals(ScardError.W_UNRESPONSIVE_CARD, error(() -> a.connect("Tpdu 01 00", ShareMode.SHARED, Protocol.T1)),
                "PPS on a TPDU reader is a PPS failure");
        assertEquals(Protocol.T0, a.connect("Tpdu 01 00", ShareMode.SHARED, Protocol.ANY).activeProtocol());
        assertEquals(Protocol.RAW, a.connect("Tpdu 01 00", ShareMode.SHARED, Protocol.RAW).activeProtocol());
    }

    @Test
    void transactionsBlockTimeOutAndNest() throws Exception {
        CardHandle h1 = a.connect(name, ShareMode.SHARED, Protocol.ANY);
        CardHandle h2 = b.connect(name, ShareMode.SHARED, Protocol.ANY);
        assertEquals(ScardError.E_NOT_TRANSACTED, error(() -> h1.endTransaction(Disposition.LEAVE)));
        h1.beginTransaction();
        h1.beginTransaction();
        assertEquals(ScardError.E_SHARING_VIOLATION, error(() -> h2.transmit(Protocol.T0, APDU)));
        assertEquals(ScardError.E_SHARING_VIOLATION, error(() -> h2.status()));
        assertEquals(ScardError.E_SHARING_VIOLATION, error(() -> h2.control(ControlCodes.CM_IOCTL_GET_FEATURE_REQUEST, new byte[0])));
        assertEquals(ScardError.E_SHARING_VIOLATION, error(() -> h2.endTransaction(Disposition.LEAVE)));
        assertInstanceOf(SharingViolationException.class, assertThrows(PcscException.class, () -> h2.beginTransaction(30)));

        CountDownLatch started = new CountDownLatch(1);
        Future<?> waiter = CompletableFuture.runAsync(() -> {
            started.countDown();
            try {
                h2.beginTransaction();
            } catch (PcscException e) {
                throw new RuntimeException(e);
            }
        }, POOL);
        started.await();
        h1.endTransaction(Disposition.LEAVE);
        assertFalse(waiter.isDone() && !h2.holdsTransaction(), "nested: still held after one END");
        assertTrue(h1.holdsTransaction());
        h1.endTransaction(Disposition.LEAVE);
        waiter.get(5, TimeUnit.SECONDS);
        assertTrue(h2.holdsTransaction());
        h2.endTransaction(Disposition.LEAVE);
        h1.transmit(Protocol.T0, APDU);
    }

    @Test
    void beginWaitIsCancelledByTheContext() throws Exception {
        CardHandle h1 = a.connect(name, ShareMode.SHARED, Protocol.ANY);
        CardHandle h2 = b.connect(name, ShareMode.SHARED, Protocol.ANY);
        h1.beginTransaction();
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<ScardError> waiter = CompletableFuture.supplyAsync(() -> {
            started.countDown();
            try {
                h2.beginTransaction();
                return ScardError.S_SUCCESS;
            } catch (PcscException e) {
                return e.error();
            }
        }, POOL);
        started.await();
        awaitWaiters(1);
        b.cancel();
        assertEquals(ScardError.E_CANCELLED, waiter.get(5, TimeUnit.SECONDS));
    }

    @Test
    void exclusiveConnectCountsAsOneLockLevel() throws Exception {
        CardHandle ex = a.connect(name, ShareMode.EXCLUSIVE, Protocol.ANY);
        assertTrue(ex.holdsTransaction());
        ex.beginTransaction();
        ex.endTransaction(Disposition.LEAVE);
        ex.endTransaction(Disposition.LEAVE);
        assertFalse(ex.holdsTransaction());
        assertEquals(ScardError.E_NOT_TRANSACTED, error(() -> ex.endTransaction(Disposition.LEAVE)));
        assertEquals(ReaderStates.SHARING_EXCLUSIVE, rm.readerState(name).sharing());
        assertEquals(Protocol.T0, ex.reconnect(ShareMode.SHARED, Protocol.ANY, Disposition.LEAVE));
        assertEquals(1, rm.readerState(name).sharing());
        CardHandle other = b.connect(name, ShareMode.SHARED, Protocol.ANY);
        assertEquals(ScardError.E_SHARING_VIOLATION, error(() -> ex.reconnect(ShareMode.EXCLUSIVE, Protocol.ANY, Disposition.LEAVE)));
        other.disconnect(Disposition.LEAVE);
        ex.reconnect(ShareMode.EXCLUSIVE, Protocol.ANY, Disposition.LEAVE);
        assertEquals(ReaderStates.SHARING_EXCLUSIVE, rm.readerState(name).sharing());
    }

    @Test
    void resetByOneHandleFlagsTheOthersUntilReconnect() throws Exception {
        CardHandle h1 = a.connect(name, ShareMode.SHARED, Protocol.ANY);
        CardHandle h2 = b.connect(name, ShareMode.SHARED, Protocol.ANY);
        int powerOns = reader.powerOns.get();
        h1.reconnect(ShareMode.SHARED, Protocol.ANY, Disposition.RESET);
        assertEquals(powerOns + 1, reader.powerOns.get());
        h1.transmit(Protocol.T0, APDU);
        assertInstanceOf(CardResetException.class, assertThrows(PcscException.class, () -> h2.transmit(Protocol.T0, APDU)));
        assertEquals(ScardError.W_RESET_CARD, error(() -> h2.status()));
        assertEquals(ScardError.W_RESET_CARD, error(() -> h2.beginTransaction()));
        h2.control(ControlCodes.CM_IOCTL_GET_FEATURE_REQUEST, new byte[0]); // CONTROL is not affected
        assertEquals(Protocol.T0, h2.reconnect(ShareMode.SHARED, Protocol.ANY, Disposition.LEAVE));
        h2.transmit(Protocol.T0, APDU);

        // END with RESET flags every handle, the caller too
        h1.beginTransaction();
        h1.endTransaction(Disposition.RESET);
        assertEquals(ScardError.W_RESET_CARD, error(() -> h1.transmit(Protocol.T0, APDU)));
        assertEquals(ScardError.W_RESET_CARD, error(() -> h2.transmit(Protocol.T0, APDU)));
    }

    @Test
    void unpowerDispositionKeepsAtrAndNextConnectPowersUp() throws Exception {
        CardHandle h1 = a.connect(name, ShareMode.SHARED, Protocol.ANY);
        h1.disconnect(Disposition.UNPOWER);
        ReaderState st = rm.readerState(name);
        assertEquals(ReaderStates.PRESENT, st.readerState());
        assertArrayEquals(FakeReader.ATR_T0_T1, st.atr());
        assertEquals(0, st.protocol());
        CardHandle h2 = b.connect(name, ShareMode.SHARED, Protocol.ANY);
        assertEquals(ReaderStates.PRESENT | ReaderStates.POWERED | ReaderStates.NEGOTIABLE, rm.readerState(name).readerState());
        h2.transmit(Protocol.T0, APDU);
    }

    @Test
    void removalAndReinsertion() throws Exception {
        CardHandle h1 = a.connect(name, ShareMode.SHARED, Protocol.ANY);
        h1.beginTransaction();
        session.remove(reader, 0);
        rm.sync();
        assertEquals(2, rm.readerState(name).eventCounter());
        assertEquals(ReaderStates.ABSENT, rm.readerState(name).readerState());
        assertInstanceOf(CardUnavailableException.class, assertThrows(PcscException.class, () -> h1.transmit(Protocol.T0, APDU)));
        assertEquals(ScardError.W_REMOVED_CARD, error(() -> h1.transmit(Protocol.T0, APDU)));
        assertEquals(ScardError.E_NO_SMARTCARD, error(() -> h1.reconnect(ShareMode.SHARED, Protocol.ANY, Disposition.LEAVE)));
        CardHandle h2 = b.connect(name, ShareMode.DIRECT, 0);
        assertFalse(h1.holdsTransaction(), "removal drops the transaction");
        session.insert(reader, 0, FakeReader.ATR_T0);
        rm.sync();
        assertEquals(3, rm.readerState(name).eventCounter());
        assertEquals(ScardError.W_REMOVED_CARD, error(() -> h1.transmit(Protocol.T0, APDU)));
        assertEquals(Protocol.T0, h1.reconnect(ShareMode.SHARED, Protocol.ANY, Disposition.LEAVE));
        h1.transmit(Protocol.T0, APDU);
        assertArrayEquals(FakeReader.ATR_T0, h1.status().atr());
        h2.disconnect(Disposition.LEAVE);
    }

    @Test
    void cardFoundAbsentDuringTransmitIsARemoval() throws Exception {
        CardHandle h1 = a.connect(name, ShareMode.SHARED, Protocol.ANY);
        reader.remove(0); // no event yet
        assertEquals(ScardError.W_REMOVED_CARD, error(() -> h1.transmit(Protocol.T0, APDU)));
        assertEquals(ReaderStates.ABSENT, rm.readerState(name).readerState());
        session.remove(reader, 0); // the late event changes nothing
        rm.sync();
        assertEquals(2, rm.readerState(name).eventCounter());
    }

    @Test
    void readerUnpluggedWithHandlesAndTransaction() throws Exception {
        CardHandle h1 = a.connect(name, ShareMode.SHARED, Protocol.ANY);
        CardHandle h2 = b.connect(name, ShareMode.SHARED, Protocol.ANY);
        h1.beginTransaction();
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<ScardError> waiter = CompletableFuture.supplyAsync(() -> {
            started.countDown();
            try {
                h2.beginTransaction();
                return ScardError.S_SUCCESS;
            } catch (PcscException e) {
                return e.error();
            }
        }, POOL);
        started.await();
        awaitWaiters(1);
        session.unplug(reader);
        assertEquals(ScardError.E_INVALID_VALUE, waiter.get(5, TimeUnit.SECONDS));
        assertInstanceOf(ReaderUnavailableException.class, assertThrows(PcscException.class, () -> h1.transmit(Protocol.T0, APDU)));
        assertEquals(ScardError.E_READER_UNAVAILABLE, error(() -> h1.status()));
        h1.disconnect(Disposition.RESET); // succeeds, as in pcsc-lite
        h2.disconnect(Disposition.LEAVE);
        assertEquals(ScardError.E_NO_READERS_AVAILABLE, error(() -> a.listReaders()));
    }

    @Test
    void statusChangeFollowsPcscLite() throws Exception {
        ReaderStateQuery q = ReaderStateQuery.unaware(name);
        a.getStatusChange(0, List.of(q));
        assertEquals(StateFlags.PRESENT | StateFlags.CHANGED | 1 << 16, q.eventState());
        assertArrayEquals(FakeReader.ATR_T0_T1, q.atr());
        q.acknowledge();
        assertEquals(ScardError.E_TIMEOUT, error(() -> a.getStatusChange(0, List.of(q))));
        assertEquals(ScardError.E_TIMEOUT, error(() -> a.getStatusChange(20, List.of(q))));
        assertEquals(ScardError.E_UNKNOWN_READER, error(() -> a.getStatusChange(0, List.of(ReaderStateQuery.unaware("x")))));
        a.getStatusChange(0, List.of(new ReaderStateQuery(name, StateFlags.IGNORE))); // nothing to do

        CardHandle h = b.connect(name, ShareMode.SHARED, Protocol.ANY);
        // pcsc-lite reports INUSE but, going from unused to shared, not CHANGED
        assertEquals(ScardError.E_TIMEOUT, error(() -> a.getStatusChange(0, List.of(q))));
        assertEquals(StateFlags.PRESENT | StateFlags.INUSE | 1 << 16, q.eventState());
        q.acknowledge();
        h.reconnect(ShareMode.EXCLUSIVE, Protocol.ANY, Disposition.LEAVE);
        a.getStatusChange(0, List.of(q));
        assertEquals(StateFlags.PRESENT | StateFlags.EXCLUSIVE | StateFlags.CHANGED | 1 << 16, q.eventState());
        q.acknowledge();
        h.disconnect(Disposition.LEAVE);
        a.getStatusChange(0, List.of(q));
        q.acknowledge();

        CountDownLatch waiting = new CountDownLatch(1);
        CompletableFuture<Integer> w = CompletableFuture.supplyAsync(() -> {
            waiting.countDown();
            try {
                a.getStatusChange(-1, List.of(q));
                return q.eventState();
            } catch (PcscException e) {
                return e.code();
            }
        }, POOL);
        waiting.await();
        awaitWaiters(1);
        session.remove(reader, 0);
        assertEquals(StateFlags.EMPTY | StateFlags.CHANGED | 2 << 16, w.get(5, TimeUnit.SECONDS));
        q.acknowledge();

        // a remove + insert between two calls shows only in the counter
        session.insert(reader, 0, FakeReader.ATR_T0);
        session.remove(reader, 0);
        rm.sync();
        a.getStatusChange(0, List.of(q));
        assertEquals(StateFlags.EMPTY | StateFlags.CHANGED | 4 << 16, q.eventState());
    }

    @Test
    void statusChangeWaitIsCancelledAndPnpSeesReaders() throws Exception {
        ReaderStateQuery pnp = ReaderStateQuery.pnp(0);
        assertEquals(ScardError.E_TIMEOUT, error(() -> a.getStatusChange(0, List.of(pnp))));
        pnp.acknowledge();
        int counter = StateFlags.counter(pnp.eventState());
        assertNotEquals(0, counter);

        CompletableFuture<ScardError> w = CompletableFuture.supplyAsync(() -> {
            try {
                a.getStatusChange(StateFlags.INFINITE, List.of(ReaderStateQuery.pnp(pnp.currentState())));
                return ScardError.S_SUCCESS;
            } catch (PcscException e) {
                return e.error();
            }
        }, POOL);
        awaitWaiters(1);
        a.cancel();
        assertEquals(ScardError.E_CANCELLED, w.get(5, TimeUnit.SECONDS));

        CountDownLatch waiting = new CountDownLatch(1);
        ReaderStateQuery p2 = ReaderStateQuery.pnp(pnp.currentState());
        CompletableFuture<ScardError> w2 = CompletableFuture.supplyAsync(() -> {
            waiting.countDown();
            try {
                a.getStatusChange(5000, List.of(p2));
                return ScardError.S_SUCCESS;
            } catch (PcscException e) {
                return e.error();
            }
        }, POOL);
        waiting.await();
        awaitWaiters(1);
        session.plug(new FakeReader("New"));
        assertEquals(ScardError.S_SUCCESS, w2.get(5, TimeUnit.SECONDS));
        assertTrue(p2.changed());
        assertEquals(counter + 1, StateFlags.counter(p2.eventState()));

        // a reader that goes away during the wait
        ReaderStateQuery q = ReaderStateQuery.unaware("New 01 00");
        a.getStatusChange(0, List.of(q));
        q.acknowledge();
        CompletableFuture<Integer> w3 = CompletableFuture.supplyAsync(() -> {
            try {
                a.getStatusChange(5000, List.of(q));
                return q.eventState();
            } catch (PcscException e) {
                return e.code();
            }
        }, POOL);
        awaitWaiters(1);
        session.unplug((FakeReader) rm.driverReader("New 01 00"));
        assertEquals(StateFlags.UNKNOWN | StateFlags.UNAVAILABLE | StateFlags.CHANGED, w3.get(5, TimeUnit.SECONDS));
    }

    @Test
    void controlFeaturesEscapeAndAttributes() throws Exception {
        CardHandle h = a.connect(name, ShareMode.SHARED, Protocol.ANY);
        byte[] features = h.control(ControlCodes.CM_IOCTL_GET_FEATURE_REQUEST, new byte[0]);
        assertEquals("120442330012130442330013", HexFormat.of().withUpperCase().formatHex(features));
        assertArrayEquals(new byte[] {(byte) 0xFE, 0x00}, h.control(ControlCodes.featureCode(ControlCodes.FEATURE_CCID_ESC_COMMAND),
                new byte[] {1, (byte) 0xFF}));
        byte[] tlv = h.control(ControlCodes.featureCode(ControlCodes.FEATURE_GET_TLV_PROPERTIES), new byte[0]);
        assertEquals("0B0209120C0201000A0400000000", HexFormat.of().withUpperCase().formatHex(tlv));
        assertEquals(ScardError.E_UNSUPPORTED_FEATURE, error(() -> h.control(ControlCodes.ctlCode(42), new byte[0])));

        assertArrayEquals(FakeReader.ATR_T0_T1, h.getAttrib(Attributes.ATR_STRING));
        assertEquals("Fake Vendor\0", new String(h.getAttrib(Attributes.VENDOR_NAME)));
        assertArrayEquals(new byte[] {0, 0, 2, 1}, h.getAttrib(Attributes.VENDOR_IFD_VERSION));
        assertArrayEquals(new byte[] {5, 1, 0, 0}, h.getAttrib(Attributes.MAXINPUT));
        assertArrayEquals(new byte[] {2, 1, 0x20, 0}, h.getAttrib(Attributes.CHANNEL_ID));
        assertArrayEquals(new byte[] {1, 0, 0, 0}, h.getAttrib(Attributes.CURRENT_PROTOCOL_TYPE));
        assertArrayEquals(new byte[] {2}, h.getAttrib(Attributes.ICC_PRESENCE));
        assertEquals(name + "\0", new String(h.getAttrib(Attributes.DEVICE_FRIENDLY_NAME_A)));
        assertEquals(ScardError.E_UNSUPPORTED_FEATURE, error(() -> h.getAttrib(0x12345678)));
        assertEquals(ScardError.E_UNSUPPORTED_FEATURE, error(() -> h.setAttrib(Attributes.VENDOR_NAME, new byte[] {1})));
    }

    @Test
    void releasingAContextCleansUpAndResetsALockedCard() throws Exception {
        CardHandle h = a.connect(name, ShareMode.SHARED, Protocol.ANY);
        CardHandle other = b.connect(name, ShareMode.SHARED, Protocol.ANY);
        h.beginTransaction();
        int powerOns = reader.powerOns.get();
        rm.releaseClient("client-a");
        assertFalse(a.isValid());
        assertTrue(h.isDisconnected());
        assertEquals(powerOns + 1, reader.powerOns.get(), "lock owner's card is reset");
        assertEquals(1, rm.readerState(name).sharing());
        assertEquals(ScardError.W_RESET_CARD, error(() -> other.transmit(Protocol.T0, APDU)));
        assertEquals(ScardError.E_INVALID_HANDLE, error(() -> h.transmit(Protocol.T0, APDU)));
        assertEquals(ScardError.E_INVALID_HANDLE, error(() -> a.listReaders()));
        assertEquals(null, rm.context(a.id()));
        assertEquals(other, b.handle(other.id()));
        assertEquals(null, b.handle(h.id()));
    }

    @Test
    void idsAreUniquePositive31Bit() throws Exception {
        CardHandle h = a.connect(name, ShareMode.SHARED, Protocol.ANY);
        for (int id : new int[] {a.id(), b.id(), h.id()}) {
            assertTrue(id > 0);
        }
        assertNotEquals(a.id(), b.id());
        assertEquals(h, rm.handle(h.id()));
        assertEquals(a, rm.context(a.id()));
    }

    @Test
    void closedManagerAnswersNoService() throws Exception {
        CardHandle h = a.connect(name, ShareMode.SHARED, Protocol.ANY);
        CompletableFuture<ScardError> w = CompletableFuture.supplyAsync(() -> {
            try {
                b.getStatusChange(-1, List.of(ReaderStateQuery.pnp(0)));
                return ScardError.S_SUCCESS;
            } catch (PcscException e) {
                return e.error();
            }
        }, POOL);
        awaitWaiters(1);
        rm.close();
        // the wait ends: the readers leaving (PnP) or the context's release, whichever it sees first
        ScardError e = w.get(5, TimeUnit.SECONDS);
        assertTrue(e == ScardError.S_SUCCESS || e == ScardError.E_CANCELLED || e == ScardError.E_NO_SERVICE, e.toString());
        assertInstanceOf(NoServiceException.class, assertThrows(PcscException.class, () -> rm.establishContext("x")));
        assertInstanceOf(PcscException.class, assertThrows(PcscException.class, () -> h.transmit(Protocol.T0, APDU)));
    }

    @Test
    void scardErrorCodes() {
        assertEquals(0x8010000B, ScardError.E_SHARING_VIOLATION.code());
        assertEquals(0x80100068L, ScardError.W_RESET_CARD.unsignedCode());
        assertEquals("SCARD_E_UNSUPPORTED_FEATURE", ScardError.of(0x8010001F).scardName());
        assertEquals(ScardError.W_REMOVED_CARD, ScardError.of(0x80100069));
        assertInstanceOf(PcscCancelledException.class, PcscException.of(ScardError.E_CANCELLED, "x"));
    }

    @Test
    void waitsEndWithExecutionNotSleeps() throws ExecutionException, InterruptedException {
        // The transmit path takes no lock that a status-change waiter holds.
        CompletableFuture<Void> w = CompletableFuture.runAsync(() -> {
            try {
                ReaderStateQuery q = ReaderStateQuery.unaware(name);
                a.getStatusChange(0, List.of(q));
                q.acknowledge();
                a.getStatusChange(2000, List.of(q));
            } catch (PcscException e) {
                // timeout or change: both fine
            }
        }, POOL);
        try {
            CardHandle h = b.connect(name, ShareMode.SHARED, Protocol.ANY);
            for (int i = 0; i < 100; i++) {
                h.transmit(Protocol.T0, APDU);
            }
        } catch (PcscException e) {
            throw new AssertionError(e);
        }
        w.get();
    }
}
