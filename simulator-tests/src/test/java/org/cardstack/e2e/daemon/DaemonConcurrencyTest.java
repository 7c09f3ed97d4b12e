package org.cardstack.e2e.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.cardstack.pcsc.ScardError;
import org.cardstack.pcsc.daemon.wire.Message;
import org.junit.jupiter.api.Test;

/**
 * 64 clients, each on its own connection and context, each doing 1,000 transmits on ONE shared
 * reader, with random transactions (BEGIN, a few transmits, END) in between: every response reaches
 * the client that sent the command (each APDU carries the client's number and a sequence number that
 * the card echoes), none is lost, and the daemon is left with no client state.
 */
class DaemonConcurrencyTest {
    static final int CLIENTS = 64;
    static final int TRANSMITS = 1000;
    static final long SEED = 0x5EED_CA4D_57AC_CL;

    @Test
    void sixtyFourClientsThousandTransmitsEachWithRandomTransactions() throws Exception {
        try (DaemonRig rig = new DaemonRig("applet=test", 1, DaemonRig.testConfig())) {
            rig.insert(0);
            String reader = rig.names.get(0);
            AtomicInteger echoed = new AtomicInteger();
            AtomicInteger transactions = new AtomicInteger();
            AtomicInteger retries = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            List<Future<Integer>> results = new ArrayList<>();
            long start = System.nanoTime();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                Callable<Integer> task = () -> {
                    SplittableRandom random = new SplittableRandom(SEED + client);
                    try (WireClient w = rig.client()) {
                        int ctx = w.establish(4 + client % 3);
                        Message.Connect con = w.connect(ctx, reader, 2, 3);
                        assertEquals(0, con.rv(), "connect");
                        int h = con.hCard();
                        int proto = con.activeProtocol();
                        int sel;
                        while ((sel = w.transmit(h, proto, DaemonRig.SELECT_TEST).rv()) == ScardError.E_SHARING_VIOLATION.code()) {
                            retries.incrementAndGet();
                        }
                        assertEquals(0, sel, "select");
                        int done = 0;
                        int inTransaction = 0;
                        while (done < TRANSMITS) {
                            if (inTransaction == 0 && random.nextInt(10) == 0) {
                                int rv;
                                while ((rv = w.call(new Message.BeginTransaction(h, 0)).rv())
                                        == ScardError.E_SHARING_VIOLATION.code()) {
                                    retries.incrementAndGet();   // pcsc-lite's client loops the same way
                                }
                                assertEquals(0, rv, "begin");
                                transactions.incrementAndGet();
                                inTransaction = 1 + random.nextInt(5);
                            }
                            // INS 04: case 4 echo; data = client, sequence, random filler
                            int n = 4 + random.nextInt(60);
                            byte[] data = new byte[n];
                            random.nextBytes(data);
                            data[0] = (byte) client;
                            data[1] = (byte) (done >> 8);
                            data[2] = (byte) done;
                            data[3] = (byte) 0xC5;
                            byte[] apdu = new byte[5 + n + 1];
                            apdu[1] = 0x04;
                            apdu[4] = (byte) n;
                            System.arraycopy(data, 0, apdu, 5, n);
                            Message.Transmit t;
                            while ((t = w.transmit(h, proto, apdu)).rv() == ScardError.E_SHARING_VIOLATION.code()) {
                                retries.incrementAndGet();
                            }
                            assertEquals(0, t.rv(), "transmit");
                            byte[] expected = java.util.Arrays.copyOf(data, n + 2);
                            expected[n] = (byte) 0x90;
                            assertEquals(HexFormat.of().formatHex(expected), HexFormat.of().formatHex(t.data()),
                                    "client " + client + " transmit " + done);
                            echoed.incrementAndGet();
                            done++;
                            if (inTransaction > 0 && --inTransaction == 0) {
                                assertEquals(0, w.call(new Message.EndTransaction(h, 0, 0)).rv(), "end");
                            }
                        }
                        if (inTransaction > 0) {
                            assertEquals(0, w.call(new Message.EndTransaction(h, 0, 0)).rv());
                        }
                        if (client % 2 == 0) {
                            assertEquals(0, w.call(new Message.Disconnect(h, 0, 0)).rv());
                            assertEquals(0, w.call(new Message.Release(ctx, 0)).rv());
                        }   // odd clients just close, as the JDK does
                        return done;
                    }
                };
                results.add(pool.submit(task));
            }
            int total = 0;
            for (Future<Integer> f : results) {
                total += f.get(240, TimeUnit.SECONDS);
            }
            pool.shutdown();
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("daemon concurrency: %d clients x %d transmits in %.1f s (%.0f/s), %d transactions,"
                    + " %d sharing-violation retries%n", CLIENTS, TRANSMITS, seconds, total / seconds,
                    transactions.get(), retries.get());
            assertEquals(CLIENTS * TRANSMITS, total);
            assertEquals(CLIENTS * TRANSMITS, echoed.get());
            assertTrue(transactions.get() > 0);
            rig.awaitTrue(() -> rig.daemon.clients() == 0 && rig.rm.readerState(reader).sharing() == 0,
                    "every client gone and its handle freed");
        }
    }
}
