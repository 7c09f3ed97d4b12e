package org.cardstack.e2e.daemon;

import static org.cardstack.e2e.daemon.DaemonRig.HEX;
import static org.cardstack.e2e.daemon.DaemonRig.SELECT_TEST;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import org.cardstack.pcsc.ScardError;
import org.cardstack.pcsc.daemon.DaemonConfig;
import org.cardstack.pcsc.daemon.wire.Message;
import org.cardstack.pcsc.daemon.wire.ReaderRecord;
import org.cardstack.pcsc.daemon.wire.Wire;
import org.cardstack.pcsc.policy.AccessPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The daemon on the wire, against pcscd-protocol.md (section numbers §n) and the traces (Tn), with a
 * raw client: every reply's exact size and fields, the stream staying in step, notifications, cancel,
 * malformed input closing only that client, cleanup of a vanished client, policy, limits.
 */
class PcscDaemonE2ETest {
    static final int SHARED = 2;
    static final int EXCLUSIVE = 1;
    static final int DIRECT = 3;
    static final int T0 = 1;
    static final int T1 = 2;

    DaemonRig rig;

    @AfterEach
    void tearDown() throws Exception {
        if (rig != null) {
            rig.close();
        }
    }

    static int code(ScardError e) { return e.code(); }

    DaemonRig rig(DaemonConfig config) throws Exception {
        rig = new DaemonRig("applet=test", 2, config);
        rig.insert(0);
        return rig;
    }

    DaemonRig rig() throws Exception { return rig(DaemonRig.testConfig()); }

    @Test
    void socketFileIsASocketWithMode0666() throws Exception {
        rig();
        assertEquals("rw-rw-rw-", PosixFilePermissions.toString(Files.getPosixFilePermissions(rig.socket)));
        assertTrue(Files.readAttributes(rig.socket, java.nio.file.attribute.BasicFileAttributes.class).isOther(), "a socket");
    }

    @Test
    void versionNegotiationPerConnection() throws Exception {
        rig();
        for (int minor = 4; minor <= 6; minor++) {
            try (WireClient c = rig.client()) {
                assertEquals(new Message.Version(4, minor, 0), c.version(minor), "4." + minor + " echoed");
            }
        }
        try (WireClient c = rig.client()) {
            // §1.1: other versions: SERVICE_STOPPED with our highest, socket kept open for a retry
            assertEquals(new Message.Version(4, 6, code(ScardError.E_SERVICE_STOPPED)), c.version(3));
            assertEquals(new Message.Version(4, 6, code(ScardError.E_SERVICE_STOPPED)), c.call(new Message.Version(5, 0, 0)));
            assertEquals(new Message.Version(4, 4, 0), c.version(4));
            assertTrue(c.call(new Message.Establish(0, 0, 0)).hContext() > 0);
        }
    }

    @Test
    void establishWithoutVersionAndBadScope() throws Exception {
        rig();
        try (WireClient c = rig.client()) {
            Message.Establish e = c.call(new Message.Establish(2, 0, 0));
            assertEquals(0, e.rv());
            assertTrue(e.hContext() > 0, "positive 31-bit id");
            assertEquals(2, e.scope());
            assertEquals(new Message.Establish(7, 0, code(ScardError.E_INVALID_VALUE)), c.call(new Message.Establish(7, 0, 0)));
            // RELEASE of another value, then of ours twice
            assertEquals(code(ScardError.E_INVALID_VALUE), c.call(new Message.Release(e.hContext() ^ 0x55, 0)).rv());
            assertEquals(0, c.call(new Message.Release(e.hContext(), 0)).rv());
            assertEquals(code(ScardError.E_INVALID_HANDLE), c.call(new Message.Release(e.hContext(), 0)).rv());
        }
    }

    @Test
    void fixedArrayPublishesReadersAtStablePositions() throws Exception {
        rig();
        try (WireClient c = rig.client()) {
            c.establish(4);
            List<ReaderRecord> recs = c.readersState();
            assertEquals(16, recs.size());
            ReaderRecord card = recs.get(0);
            assertEquals(rig.names.get(0), card.name());
            assertEquals(0x34, card.readerState(), "PRESENT|POWERED|NEGOTIABLE");
            assertEquals(0, card.sharing());
            assertEquals("3B8A80014A434F503331563233327A", HEX.formatHex(card.atr()));
            assertEquals(0, card.protocol());
            assertTrue(card.eventCounter() > 0);
            ReaderRecord empty = recs.get(1);
            assertEquals(rig.names.get(1), empty.name());
            assertEquals(0x02, empty.readerState(), "ABSENT");
            assertEquals(0, empty.atr().length);
            for (int i = 2; i < 16; i++) {
                assertTrue(recs.get(i).isEmpty());
            }
        }
    }

    @Test
    void sessionAsPyscardDoesIt() throws Exception {
        rig();
        try (WireClient c = rig.client()) {
            int ctx = c.establish(4);
            Message.Connect con = c.connect(ctx, rig.names.get(0), SHARED, T0 | T1);
            assertEquals(0, con.rv());
            assertTrue(con.hCard() > 0);
            assertNotEquals(ctx, con.hCard());
            assertEquals(T0, con.activeProtocol(), "the ATR's first protocol");
            assertEquals(rig.names.get(0), con.reader(), "echoed");
            // §8.3: the record shows the handle and the protocol after CONNECT
            ReaderRecord r = c.readersState().get(0);
            assertEquals(1, r.sharing());
            assertEquals(T0, r.protocol());
            int h = con.hCard();
            assertEquals(new Message.Status(h, 0), c.call(new Message.Status(h, 0)));
            assertEquals(new Message.BeginTransaction(h, 0), c.call(new Message.BeginTransaction(h, 0)));
            Message.Transmit t = c.transmit(h, T0, SELECT_TEST);
            assertEquals(0, t.rv());
            assertEquals("9000", HEX.formatHex(t.data()));
            assertEquals(T0, t.recvPciProtocol());
            assertEquals(16, t.recvPciLength());
            Message.Transmit echo = c.transmit(h, T0, HEX.parseHex("0004000003AABBCC00"));
            assertEquals("AABBCC9000", HEX.formatHex(echo.data()));
            assertEquals(0, c.call(new Message.EndTransaction(h, 0, 0)).rv());
            assertEquals(code(ScardError.E_NOT_TRANSACTED), c.call(new Message.EndTransaction(h, 0, 0)).rv());
            // T=1 PCI on a T=0 connection
            assertEquals(code(ScardError.E_PROTO_MISMATCH), c.transmit(h, T1, SELECT_TEST).rv());
            // GET_ATTRIB ATR: 280 bytes back, value and length
            Message.Attrib a = c.call(new Message.Attrib(false, h, 0x00090303, new byte[264], 264, 0x8010001D));
            assertEquals(0, a.rv());
            assertEquals("3B8A80014A434F503331563233327A", HEX.formatHex(a.value()));
            Message.Attrib unsupported = c.call(new Message.Attrib(false, h, 0x0FFF0FFF, new byte[264], 264, 0));
            assertEquals(code(ScardError.E_UNSUPPORTED_FEATURE), unsupported.rv());
            assertEquals(0, unsupported.attrLength());
            // CONTROL GET_FEATURE_REQUEST with a 256-byte buffer
            Message.Control ctl = c.call(new Message.Control(h, 0x42000D48, 0, 256, 0, 0, null));
            assertEquals(0, ctl.rv());
            assertEquals(12, ctl.bytesReturned());
            Message.Reconnect rc = c.call(new Message.Reconnect(h, SHARED, T0 | T1, 1, 0xB76332F0, 0));
            assertEquals(new Message.Reconnect(h, SHARED, T0 | T1, 1, T0, 0), rc);
            assertEquals(0, c.call(new Message.Disconnect(h, 0, 0)).rv());
            assertEquals(0, c.call(new Message.Release(ctx, 0)).rv());
        }
    }

    @Test
    void tooSmallReceiveBufferGivesTheNeededLengthAndNoData() throws Exception {
        rig();
        try (WireClient c = rig.client()) {
            int ctx = c.establish(4);
            int h = c.connect(ctx, rig.names.get(0), SHARED, T0 | T1).hCard();
            c.transmit(h, T0, SELECT_TEST);
            // T4: 5-byte response into a 4-byte buffer
            Message.Transmit small = c.call(Message.Transmit.request(h, T0, HEX.parseHex("0004000003AABBCC00"), 4));
            assertEquals(code(ScardError.E_INSUFFICIENT_BUFFER), small.rv());
            assertEquals(5, small.recvLength());
            assertEquals(0, small.data().length);
            // the stream is still in step
            assertEquals("AABBCC9000", HEX.formatHex(c.transmit(h, T0, HEX.parseHex("0004000003AABBCC00")).data()));
            Message.Control ctl = c.call(new Message.Control(h, 0x42000D48, 0, 4, 0, 0, null));
            assertEquals(code(ScardError.E_INSUFFICIENT_BUFFER), ctl.rv());
            assertEquals(0, c.call(new Message.Status(h, 0)).rv());
        }
    }

    @Test
    void errorsAsPcscdGivesThem() throws Exception {
        rig();
        try (WireClient a = rig.client(); WireClient b = rig.client()) {
            int ca = a.establish(4);
            int cb = b.establish(4);
            assertEquals(code(ScardError.E_UNKNOWN_READER), a.connect(ca, "No Such Reader", SHARED, T0 | T1).rv());
            assertEquals(code(ScardError.E_NO_SMARTCARD), a.connect(ca, rig.names.get(1), SHARED, T0 | T1).rv());
            Message.Connect direct = a.connect(ca, rig.names.get(1), DIRECT, 0);
            assertEquals(0, direct.rv());
            assertEquals(0, direct.activeProtocol());
            assertEquals(code(ScardError.E_INVALID_VALUE), a.connect(cb, rig.names.get(0), SHARED, T0).rv(),
                    "another connection's context");
            assertEquals(code(ScardError.E_INVALID_VALUE), a.connect(ca, rig.names.get(0), 9, T0).rv());
            Message.Connect ex = a.connect(ca, rig.names.get(0), EXCLUSIVE, T0 | T1);
            assertEquals(0, ex.rv());
            assertEquals(-1, b.readersState().get(0).sharing());
            Message.Connect refused = b.connect(cb, rig.names.get(0), SHARED, T0 | T1);
            assertEquals(code(ScardError.E_SHARING_VIOLATION), refused.rv());
            assertEquals(0, refused.hCard());
            assertEquals(0, a.call(new Message.Disconnect(ex.hCard(), 0, 0)).rv());
            int hb = b.connect(cb, rig.names.get(0), SHARED, T0 | T1).hCard();
            int ha = a.connect(ca, rig.names.get(0), SHARED, T0 | T1).hCard();
            // RESET by a flags b: SCARD_W_RESET_CARD until b reconnects (T11)
            assertEquals(0, a.call(new Message.Reconnect(ha, SHARED, T0 | T1, 1, 0, 0)).rv());
            assertEquals(code(ScardError.W_RESET_CARD), b.transmit(hb, T0, SELECT_TEST).rv());
            assertEquals(0, b.call(new Message.Reconnect(hb, SHARED, T0 | T1, 0, 0, 0)).rv());
            assertEquals(0, b.transmit(hb, T0, SELECT_TEST).rv());
            // a transaction held by a: b's BEGIN waits 100 ms, then SHARING_VIOLATION (the client retries)
            assertEquals(0, a.call(new Message.BeginTransaction(ha, 0)).rv());
            long t0 = System.nanoTime();
            assertEquals(code(ScardError.E_SHARING_VIOLATION), b.call(new Message.BeginTransaction(hb, 0)).rv());
            assertTrue(System.nanoTime() - t0 >= 90_000_000L, "waited about 100 ms");
            assertEquals(code(ScardError.E_SHARING_VIOLATION), b.transmit(hb, T0, SELECT_TEST).rv());
            assertEquals(0, a.call(new Message.EndTransaction(ha, 0, 0)).rv());
            assertEquals(0, b.call(new Message.BeginTransaction(hb, 0)).rv());
        }
    }

    @Test
    void waitIsAnsweredAtOnceIn44AndStopOnlyWhileRegistered() throws Exception {
        rig();
        try (WireClient c = rig.client()) {
            c.establish(4);
            // T1: timeout-0 probe
            c.bodiless(Wire.CMD_WAIT_READER_STATE_CHANGE);
            assertEquals(rig.names.get(0), WireClient.records(c.read(Wire.FIXED_ARRAY_SIZE)).get(0).name());
            c.bodiless(Wire.CMD_STOP_WAITING_READER_STATE_CHANGE);
            assertEquals(new Message.WaitReply(0, 0), Message.WaitReply.read(c.read(8)));
            // STOP without WAIT: nothing at all (§7.2)
            c.bodiless(Wire.CMD_STOP_WAITING_READER_STATE_CHANGE);
            assertTrue(c.silentFor(200));
            // blocking wait, card removed: one 8-byte notification, then the client is off the list
            c.bodiless(Wire.CMD_WAIT_READER_STATE_CHANGE);
            c.read(Wire.FIXED_ARRAY_SIZE);
            assertTrue(c.silentFor(100), "nothing while nothing changes");
            rig.remove(0);
            assertEquals(new Message.WaitReply(0, 0), Message.WaitReply.read(c.read(8)));
            c.bodiless(Wire.CMD_STOP_WAITING_READER_STATE_CHANGE);
            assertTrue(c.silentFor(200), "STOP after the notification is not answered");
            ReaderRecord r = c.readersState().get(0);
            assertEquals(0x02, r.readerState());
            int removedCounter = r.eventCounter();
            // insertion wakes the next WAIT and bumps the counter
            c.bodiless(Wire.CMD_WAIT_READER_STATE_CHANGE);
            c.read(Wire.FIXED_ARRAY_SIZE);
            rig.insert(0);
            assertEquals(new Message.WaitReply(0, 0), Message.WaitReply.read(c.read(8)));
            assertTrue(c.readersState().get(0).eventCounter() > removedCounter);
        }
    }

    @Test
    void sharingChangeWakesWaiters() throws Exception {
        rig();
        try (WireClient waiter = rig.client(); WireClient other = rig.client()) {
            waiter.establish(4);
            int ctx = other.establish(4);
            waiter.bodiless(Wire.CMD_WAIT_READER_STATE_CHANGE);
            waiter.read(Wire.FIXED_ARRAY_SIZE);
            assertEquals(0, other.connect(ctx, rig.names.get(0), SHARED, T0 | T1).rv());
            assertEquals(new Message.WaitReply(0, 0), Message.WaitReply.read(waiter.read(8)));
        }
    }

    @Test
    void protocol46WaitIsSilentAndTheArrayHasTheAnnouncedSize() throws Exception {
        rig();
        try (WireClient c = rig.client()) {
            c.establish(6);
            c.bodiless(Wire.CMD_WAIT_READER_STATE_CHANGE);
            assertTrue(c.silentFor(100), "4.6 WAIT has no reply");
            c.bodiless(Wire.CMD_GET_READERS_STATE_SIZE);
            int n = c.read(4).getInt();
            assertTrue(n >= 2 && n % 2 == 0, "N = " + n);
            // a change between WAIT and ARRAY: the notification must come after the array
            rig.remove(0);
            c.bodiless(Wire.CMD_GET_READERS_STATE_ARRAY);
            List<ReaderRecord> recs = WireClient.records(c.read(n * Wire.RECORD_SIZE));
            assertEquals(rig.names.get(0), recs.get(0).name());
            c.bodiless(Wire.CMD_GET_READER_EVENTS);
            Message.ReaderEvents ev = Message.ReaderEvents.read(c.read(8));
            assertTrue(ev.readerEvents() >= 1 && ev.readerEvents() <= 32767);
            assertEquals(new Message.WaitReply(0, 0), Message.WaitReply.read(c.read(8)), "held notification");
            c.bodiless(Wire.CMD_STOP_WAITING_READER_STATE_CHANGE);
            assertTrue(c.silentFor(150));
            c.bodiless(Wire.CMD_GET_READERS_STATE_SIZE);
            assertEquals(n, c.read(4).getInt(), "N never shrinks");
        }
    }

    @Test
    void cancelComesOnAFreshConnectionAndWakesTheWaiter() throws Exception {
        rig();
        try (WireClient waiter = rig.client()) {
            int ctx = waiter.establish(4);
            waiter.bodiless(Wire.CMD_WAIT_READER_STATE_CHANGE);
            waiter.read(Wire.FIXED_ARRAY_SIZE);
            try (WireClient canceller = rig.client()) {
                assertEquals(new Message.Cancel(ctx, 0), canceller.call(new Message.Cancel(ctx, 0)));
            }
            assertEquals(new Message.WaitReply(0, code(ScardError.E_CANCELLED)), Message.WaitReply.read(waiter.read(8)));
            // not waiting any more: cancel still 0 (2.0.1+); unknown context: INVALID_HANDLE
            try (WireClient canceller = rig.client()) {
                assertEquals(0, canceller.call(new Message.Cancel(ctx, 0)).rv());
                assertEquals(code(ScardError.E_INVALID_HANDLE), canceller.call(new Message.Cancel(0x1234, 0)).rv());
            }
            assertTrue(waiter.silentFor(100));
            assertEquals(2, waiter.listReaders().size(), "the waiter's stream is in step");
        }
    }

    @Test
    void malformedMessagesCloseOnlyThatClient() throws Exception {
        rig();
        try (WireClient good = rig.client()) {
            int ctx = good.establish(4);
            int h = good.connect(ctx, rig.names.get(0), SHARED, T0 | T1).hCard();
            byte[][] bad = {
                    {8, 0, 0, 0, 0x11, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0},   // VERSION with size 8
                    {0, 0, 0, 0, 3, 0, 0, 0},                             // SCARD_LIST_READERS
                    {0, 0, 0, 0, 0x0C, 0, 0, 0},                          // GET_STATUS_CHANGE
                    {0, 0, 0, 0, 0x42, 0, 0, 0},                          // unknown
                    {-1, -1, -1, -1, 9, 0, 0, 0},                         // size 4 GiB
            };
            for (byte[] b : bad) {
                try (WireClient c = rig.client()) {
                    c.sendRaw(b);
                    assertTrue(c.closedWithin(2000), HEX.formatHex(b));
                }
            }
            try (WireClient c = rig.client()) {
                int cx = c.establish(4);
                int hc = c.connect(cx, rig.names.get(0), SHARED, T0 | T1).hCard();
                // TRANSMIT announcing 70 000 APDU bytes: closed before any is read
                ByteBuffer req = ByteBuffer.allocate(40).order(Wire.ORDER);
                new Message.Transmit(hc, T0, 16, 70_000, 3, 16, 65_548, 0, null).writeStruct(req.putInt(32).putInt(9));
                c.sendRaw(req.flip());
                assertTrue(c.closedWithin(2000));
            }
            try (WireClient c = rig.client()) {
                int cx = c.establish(4);
                // GET_ATTRIB with cbAttrLen 265
                c.send(new Message.Attrib(false, 1, 0x90303, new byte[264], 265, 0));
                assertTrue(c.closedWithin(2000));
                assertTrue(cx > 0);
            }
            try (WireClient c = rig.client()) {
                c.establish(4);
                // a handle of another connection (§3.3: pcscd closes, here without the 2 s delay)
                c.send(new Message.Status(h, 0));
                assertTrue(c.closedWithin(2000));
            }
            // the well-behaved client did not notice
            assertEquals("9000", HEX.formatHex(good.transmit(h, T0, SELECT_TEST).data()));
        }
    }

    @Test
    void aVanishedClientsTransactionAndExclusiveHoldAreFreed() throws Exception {
        rig();
        try (WireClient b = rig.client()) {
            int cb = b.establish(4);
            WireClient a = rig.client();
            int ca = a.establish(4);
            int ha = a.connect(ca, rig.names.get(0), EXCLUSIVE, T0 | T1).hCard();
            assertEquals(0, a.call(new Message.BeginTransaction(ha, 0)).rv());
            assertEquals(code(ScardError.E_SHARING_VIOLATION), b.connect(cb, rig.names.get(0), SHARED, T0 | T1).rv());
            a.close();   // no RELEASE, as the JDK or a crashed process
            rig.awaitTrue(() -> rig.rm.contextsOf("x").isEmpty() && rig.rm.readerState(rig.names.get(0)).sharing() == 0,
                    "the vanished client's handle to go");
            Message.Connect con = b.connect(cb, rig.names.get(0), SHARED, T0 | T1);
            assertEquals(0, con.rv());
            assertEquals(0, b.call(new Message.BeginTransaction(con.hCard(), 0)).rv());
            assertEquals(1, rig.daemon.clients());
        }
    }

    @Test
    void aClientThatDoesNotReadIsClosedAndOthersGoOn() throws Exception {
        rig(DaemonRig.testConfig().withMaxPendingOutput(256 * 1024));
        try (WireClient slow = rig.client(); WireClient fast = rig.client()) {
            slow.establish(4);
            int ctx = fast.establish(4);
            int h = fast.connect(ctx, rig.names.get(0), SHARED, T0 | T1).hCard();
            byte[] one = {0, 0, 0, 0, 0x12, 0, 0, 0};
            ByteBuffer many = ByteBuffer.allocate(one.length * 2000);
            for (int i = 0; i < 2000; i++) {
                many.put(one);
            }
            slow.sendRaw(many.flip());   // 2000 x 2944 bytes of replies, never read
            for (int i = 0; i < 200; i++) {
                assertEquals(0, fast.transmit(h, T0, SELECT_TEST).rv());
            }
            assertTrue(slow.closedWithin(5000), "closed when its queue passed the limit");
            assertEquals(0, fast.transmit(h, T0, SELECT_TEST).rv());
        }
    }

    @Test
    void policyHidesReadersFromADeniedUser() throws Exception {
        String me = System.getProperty("user.name");
        AccessPolicy deny = AccessPolicy.parse(List.of("deny user:" + me + " *"), "test");
        rig(DaemonRig.testConfig().withPolicy(deny, u -> Set.of(), me, null));
        try (WireClient c = rig.client()) {
            int ctx = c.establish(4);
            assertTrue(c.listReaders().isEmpty(), "SCardListReaders: SCARD_E_NO_READERS_AVAILABLE");
            assertEquals(code(ScardError.E_UNKNOWN_READER), c.connect(ctx, rig.names.get(0), SHARED, T0 | T1).rv());
        }
        rig.close();
        AccessPolicy one = AccessPolicy.parse(List.of("allow user:" + me + " \"" + rig.names.get(1) + "\"",
                "deny * *"), "test");
        rig = null;
        rig(DaemonRig.testConfig().withPolicy(one, u -> Set.of(), "nobody-else", null));
        try (WireClient c = rig.client()) {
            c.establish(4);
            List<ReaderRecord> recs = c.readersState();
            assertTrue(recs.get(0).isEmpty(), "position kept, reader hidden");
            assertEquals(rig.names.get(1), recs.get(1).name());
        }
    }

    @Test
    void connectionLimitClosesTheExtraConnection() throws Exception {
        rig(DaemonRig.testConfig().withLimits(2, 2));
        try (WireClient a = rig.client(); WireClient b = rig.client(); WireClient c = rig.client()) {
            a.establish(4);
            b.establish(4);
            assertTrue(c.closedWithin(2000));
            assertFalse(a.listReaders().isEmpty());
        }
    }

    @Test
    void manyHandlesPerContextAreLimited() throws Exception {
        rig();
        try (WireClient c = rig.client()) {
            int ctx = c.establish(4);
            for (int i = 0; i < 200; i++) {
                assertEquals(0, c.connect(ctx, rig.names.get(1), DIRECT, 0).rv());
            }
            assertEquals(code(ScardError.E_NO_MEMORY), c.connect(ctx, rig.names.get(1), DIRECT, 0).rv());
        }
    }

    @Test
    void splitAndMergedWritesAreOneStream() throws Exception {
        rig();
        try (WireClient c = rig.client()) {
            ByteBuffer v = org.cardstack.pcsc.daemon.wire.Codec.request(new Message.Version(4, 4, 0));
            ByteBuffer e = org.cardstack.pcsc.daemon.wire.Codec.request(new Message.Establish(0, 0, 0));
            byte[] all = new byte[v.remaining() + e.remaining()];
            v.get(all, 0, 20);
            e.get(all, 20, 20);
            for (byte b : all) {
                c.sendRaw(new byte[] {b});
            }
            assertEquals(new Message.Version(4, 4, 0), Message.Version.class.cast(
                    org.cardstack.pcsc.daemon.wire.Codec.parseReply(Wire.CMD_VERSION, c.read(12))));
            assertTrue(c.read(12).getInt(4) > 0);
        }
    }

    static void assertBytes(String hex, byte[] actual) { assertArrayEquals(HEX.parseHex(hex), actual); }
}
