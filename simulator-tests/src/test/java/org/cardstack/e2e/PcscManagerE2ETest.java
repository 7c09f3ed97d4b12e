package org.cardstack.e2e;

import static org.cardstack.e2e.PcscRig.b;
import static org.cardstack.e2e.PcscRig.s;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.cardstack.pcsc.Attributes;
import org.cardstack.pcsc.ControlCodes;
import org.cardstack.pcsc.Disposition;
import org.cardstack.pcsc.PcscException;
import org.cardstack.pcsc.Protocol;
import org.cardstack.pcsc.ReaderStates;
import org.cardstack.pcsc.ReaderUnavailableException;
import org.cardstack.pcsc.ScardError;
import org.cardstack.pcsc.ShareMode;
import org.cardstack.pcsc.StateFlags;
import org.cardstack.pcsc.manager.CardHandle;
import org.cardstack.pcsc.manager.Context;
import org.cardstack.pcsc.manager.ReaderStateQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The PC/SC manager over CcidDriver over the virtual CCID reader with a jCardSim card. */
@Timeout(30)
class PcscManagerE2ETest {

    interface Call {
        void run() throws Exception;
    }

    static ScardError error(Call c) {
        return assertThrows(PcscException.class, c::run).error();
    }

    /** Waits (at most 5 s) until n threads wait inside the manager. */
    static void awaitWaiters(PcscRig rig, int n) {
        awaitWaiters(rig, n, null);
    }

    /** Waits (at most 5 s) until n threads wait inside the manager, or {@code done} has completed. */
    static void awaitWaiters(PcscRig rig, int n, java.util.concurrent.Future<?> done) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (rig.rm.waiting() < n && (done == null || !done.isDone())) {
            if (System.nanoTime() > deadline || Thread.currentThread().isInterrupted()) {
                throw new AssertionError("nobody waits in the manager");
            }
            Thread.yield();
        }
    }

    @Test
    void severalContextsAndThreadsShareTheCard() throws Exception {
        try (PcscRig rig = new PcscRig("level=short")) {
            rig.insert();
            int threads = 4;
            int rounds = 100;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<Integer>> results = new ArrayList<>();
            CountDownLatch go = new CountDownLatch(1);
            for (int t = 0; t < threads; t++) {
                int id = t;
                results.add(pool.submit(() -> {
                    Context ctx = rig.rm.establishContext("client-" + id);
                    CardHandle h = ctx.connect(rig.name, ShareMode.SHARED, Protocol.ANY);
                    assertEquals("9000", s(h.transmit(h.activeProtocol(), PcscRig.SELECT)));
                    go.await();
                    int ok = 0;
                    for (int i = 0; i < rounds; i++) {
                        String data = String.format("%02X%02X", id, i);
                        String r = s(h.transmit(h.activeProtocol(), b("80040000 02" + data + "00")));
                        if (r.equals(data + "9000")) {
                            ok++;
                        }
                    }
                    ctx.release();
                    return ok;
                }));
            }
            go.countDown();
            for (Future<Integer> f : results) {
                assertEquals(rounds, f.get(20, TimeUnit.SECONDS));
            }
            pool.shutdown();
            assertEquals(0, rig.rm.readerState(rig.name).sharing());
        }
    }

    @Test
    void exclusiveAgainstShared() throws Exception {
        try (PcscRig rig = new PcscRig("level=short")) {
            rig.insert();
            Context a = rig.rm.establishContext("a");
            Context b = rig.rm.establishContext("b");
            CardHandle ex = a.connect(rig.name, ShareMode.EXCLUSIVE, Protocol.ANY);
            assertEquals(ScardError.E_SHARING_VIOLATION, error(() -> b.connect(rig.name, ShareMode.SHARED, Protocol.ANY)));
            ReaderStateQuery q = ReaderStateQuery.unaware(rig.name);
            b.getStatusChange(0, List.of(q));
            assertTrue((q.eventState() & StateFlags.EXCLUSIVE) != 0);
            ex.disconnect(Disposition.LEAVE);
            CardHandle sh = b.connect(rig.name, ShareMode.SHARED, Protocol.ANY);
            assertEquals(ScardError.E_SHARING_VIOLATION, error(() -> a.connect(rig.name, ShareMode.EXCLUSIVE, Protocol.ANY)));
            sh.disconnect(Disposition.LEAVE);
        }
    }

    @Test
    void secondBeginBlocksUntilTheFirstEndsOrTimesOut() throws Exception {
        try (PcscRig rig = new PcscRig("level=short")) {
            rig.insert();
            Context a = rig.rm.establishContext("a");
            Context b = rig.rm.establishContext("b");
            CardHandle h1 = a.connect(rig.name, ShareMode.SHARED, Protocol.ANY);
            CardHandle h2 = b.connect(rig.name, ShareMode.SHARED, Protocol.ANY);
            h1.beginTransaction();
            assertEquals(ScardError.E_SHARING_VIOLATION, error(() -> h2.beginTransaction(50)));
            assertEquals(ScardError.E_SHARING_VIOLATION, error(() -> h2.transmit(h2.activeProtocol(), PcscRig.SELECT)));
            CompletableFuture<Void> second = PcscRig.run(() -> {
                try {
                    h2.beginTransaction();
                } catch (PcscException e) {
                    throw new RuntimeException(e);
                }
            });
            awaitWaiters(rig, 1);
            assertEquals("9000", s(h1.transmit(h1.activeProtocol(), PcscRig.SELECT)));
            h1.endTransaction(Disposition.LEAVE);
            second.get(5, TimeUnit.SECONDS);
            assertTrue(h2.holdsTransaction());
            assertEquals("9000", s(h2.transmit(h2.activeProtocol(), PcscRig.SELECT)));
            h2.endTransaction(Disposition.LEAVE);
        }
    }

    @Test
    void cardRemovedAndReinsertedWhileHandlesAreOpen() throws Exception {
        try (PcscRig rig = new PcscRig("level=short")) {
            rig.insert();
            Context a = rig.rm.establishContext("a");
            CardHandle h = a.connect(rig.name, ShareMode.SHARED, Protocol.ANY);
            CardHandle d = a.connect(rig.name, ShareMode.DIRECT, 0);
            int counter = rig.rm.readerState(rig.name).eventCounter();
            h.beginTransaction();
            rig.remove();
            assertEquals(ScardError.W_REMOVED_CARD, error(() -> h.transmit(h.activeProtocol(), PcscRig.SELECT)));
            assertEquals(ScardError.W_REMOVED_CARD, error(() -> h.status()));
            assertEquals(ScardError.E_NO_SMARTCARD, error(() -> h.reconnect(ShareMode.SHARED, Protocol.ANY, Disposition.LEAVE)));
            // every handle of the reader is flagged, DIRECT ones too; CONTROL is not affected
            assertEquals(ScardError.W_REMOVED_CARD, error(() -> d.getAttrib(Attributes.ICC_PRESENCE)));
            d.control(ControlCodes.CM_IOCTL_GET_FEATURE_REQUEST, new byte[0]);
            rig.insert();
            assertEquals(counter + 2, rig.rm.readerState(rig.name).eventCounter());
            assertEquals(ScardError.W_REMOVED_CARD, error(() -> h.transmit(h.activeProtocol(), PcscRig.SELECT)));
            assertEquals(Protocol.T0, h.reconnect(ShareMode.SHARED, Protocol.ANY, Disposition.LEAVE));
            assertEquals("9000", s(h.transmit(h.activeProtocol(), PcscRig.SELECT)));
            h.beginTransaction(); // the removal had dropped the old transaction
            h.endTransaction(Disposition.LEAVE);
        }
    }

    @Test
    void resetBySomeoneElseIsReportedOnceAndReconnectRecovers() throws Exception {
        try (PcscRig rig = new PcscRig("level=short")) {
            rig.insert();
            Context a = rig.rm.establishContext("a");
            CardHandle h1 = a.connect(rig.name, ShareMode.SHARED, Protocol.ANY);
            CardHandle h2 = a.connect(rig.name, ShareMode.SHARED, Protocol.ANY);
            assertEquals("9000", s(h1.transmit(h1.activeProtocol(), PcscRig.SELECT)));
            assertEquals("009000", s(h1.transmit(h1.activeProtocol(), b("80090000 01"))));
            assertEquals("019000", s(h1.transmit(h1.activeProtocol(), b("80090000 01"))));
            h2.disconnect(Disposition.RESET);
            assertEquals(ScardError.W_RESET_CARD, error(() -> h1.transmit(h1.activeProtocol(), PcscRig.SELECT)));
            h1.reconnect(ShareMode.SHARED, Protocol.ANY, Disposition.LEAVE);
            assertEquals("9000", s(h1.transmit(h1.activeProtocol(), PcscRig.SELECT)));
            assertEquals("009000", s(h1.transmit(h1.activeProtocol(), b("80090000 01"))), "the card was really reset");
        }
    }

    @Test
    void readerUnpluggedWhileATransactionIsHeld() throws Exception {
        try (PcscRig rig = new PcscRig("level=short")) {
            rig.insert();
            String name = rig.name;
            Context a = rig.rm.establishContext("a");
            Context b = rig.rm.establishContext("b");
            CardHandle h1 = a.connect(name, ShareMode.SHARED, Protocol.ANY);
            CardHandle h2 = b.connect(name, ShareMode.SHARED, Protocol.ANY);
            h1.beginTransaction();
            CompletableFuture<ScardError> waiter = PcscRig.async(() -> {
                try {
                    h2.beginTransaction();
                    return ScardError.S_SUCCESS;
                } catch (PcscException e) {
                    return e.error();
                }
            });
            awaitWaiters(rig, 1);
            rig.unplug();
            assertEquals(ScardError.E_INVALID_VALUE, waiter.get(5, TimeUnit.SECONDS));
            assertInstanceOf(ReaderUnavailableException.class,
                    assertThrows(PcscException.class, () -> h1.transmit(Protocol.T0, PcscRig.SELECT)));
            assertEquals(ScardError.E_READER_UNAVAILABLE, error(() -> h1.status()));
            h1.disconnect(Disposition.LEAVE);
            h2.disconnect(Disposition.RESET);
            assertEquals(ScardError.E_NO_READERS_AVAILABLE, error(a::listReaders));

            rig.replug();
            assertEquals(List.of(name), a.listReaders(), "the same name comes back");
            rig.insert();
            CardHandle h3 = a.connect(name, ShareMode.SHARED, Protocol.ANY);
            assertEquals("9000", s(h3.transmit(h3.activeProtocol(), PcscRig.SELECT)));
        }
    }

    @Test
    void statusChangeWakesOnEachKindOfEventAndOnCancel() throws Exception {
        try (PcscRig rig = new PcscRig("level=short")) {
            Context a = rig.rm.establishContext("a");
            ReaderStateQuery q = ReaderStateQuery.unaware(rig.name);
            a.getStatusChange(0, List.of(q));
            assertTrue((q.eventState() & StateFlags.EMPTY) != 0);
            q.acknowledge();

            CompletableFuture<Integer> w = waitFor(a, q);
            awaitWaiters(rig, 1);
            rig.vreader.insertCard(0, rig.sim.newCard());
            assertTrue((w.get(5, TimeUnit.SECONDS) & StateFlags.PRESENT) != 0);
            q.acknowledge();

            w = waitFor(a, q);
            awaitWaiters(rig, 1);
            rig.vreader.removeCard(0);
            assertTrue((w.get(5, TimeUnit.SECONDS) & StateFlags.EMPTY) != 0);
            q.acknowledge();

            ReaderStateQuery pnp = ReaderStateQuery.pnp(rig.rm.readerEventCounter() << 16);
            w = waitFor(a, pnp);
            awaitWaiters(rig, 1);
            rig.vreader.unplug();
            assertTrue((w.get(5, TimeUnit.SECONDS) & StateFlags.CHANGED) != 0);
            pnp.acknowledge();

            w = waitFor(a, pnp);
            awaitWaiters(rig, 1);
            rig.usb.plug(rig.vreader);
            assertTrue((w.get(5, TimeUnit.SECONDS) & StateFlags.CHANGED) != 0);
            pnp.acknowledge();

            w = waitFor(a, pnp);
            awaitWaiters(rig, 1);
            a.cancel();
            assertEquals(ScardError.E_CANCELLED.code(), w.get(5, TimeUnit.SECONDS));
        }
    }

    private static CompletableFuture<Integer> waitFor(Context ctx, ReaderStateQuery q) {
        return PcscRig.async(() -> {
            try {
                ctx.getStatusChange(StateFlags.INFINITE, List.of(q));
                return q.eventState();
            } catch (PcscException e) {
                return e.code();
            }
        });
    }

    @Test
    void controlAndAttributesOfARealCcidReader() throws Exception {
        try (PcscRig rig = new PcscRig("level=short")) {
            Context a = rig.rm.establishContext("a");
            CardHandle d = a.connect(rig.name, ShareMode.DIRECT, 0);
            assertEquals("120442330012130442330013",
                    s(d.control(ControlCodes.CM_IOCTL_GET_FEATURE_REQUEST, new byte[0])));
            assertEquals("AABB", s(d.control(ControlCodes.featureCode(ControlCodes.FEATURE_CCID_ESC_COMMAND), b("01AABB"))));
            assertEquals(ScardError.E_UNSUPPORTED_FEATURE, error(() -> d.control(ControlCodes.ctlCode(7), new byte[0])));
            assertEquals("cardstack", new String(d.getAttrib(Attributes.VENDOR_NAME)).replace("\0", "").split(" ")[0]);
            assertEquals(4, d.getAttrib(Attributes.MAXINPUT).length);
            assertEquals(0x20, d.getAttrib(Attributes.CHANNEL_ID)[2]);
            assertEquals(0, d.getAttrib(Attributes.ATR_STRING).length);
            rig.insert();
            assertArrayEquals(rig.sim.atr(), d.getAttrib(Attributes.ATR_STRING));
        }
    }

    @Test
    void tpduReaderReturns61xxToTheManagerAsItIs() throws Exception {
        try (PcscRig rig = new PcscRig("t0")) {
            rig.insert();
            Context a = rig.rm.establishContext("a");
            CardHandle h = a.connect(rig.name, ShareMode.SHARED, Protocol.ANY);
            assertEquals(Protocol.T0, h.activeProtocol());
            assertEquals("9000", s(h.transmit(Protocol.T0, PcscRig.SELECT)));
            assertEquals("6102", s(h.transmit(Protocol.T0, b("80040000 02AABB 00"))));
            assertEquals(ScardError.E_PROTO_MISMATCH, error(() -> h.transmit(Protocol.T1, PcscRig.SELECT)));
        }
    }
}
