package org.cardstack.e2e;

import java.util.HexFormat;
import java.util.function.Predicate;
import org.cardstack.pcsc.PcscException;
import org.cardstack.pcsc.ReaderStates;
import org.cardstack.pcsc.manager.ReaderState;
import org.cardstack.pcsc.manager.ResourceManager;
import org.cardstack.reader.ccid.CcidDriver;
import org.cardstack.sim.SimulateSpec;
import org.cardstack.sim.reader.VirtualCcidReader;
import org.cardstack.sim.reader.VirtualUsbSession;

/**
 * The whole stack on a virtual reader: VirtualUsbSession -> CcidDriver -> ResourceManager. The
 * reader starts empty (a card present at plug-in time is reported again by the reader's first
 * interrupt message, which looks like a card change); {@link #insert()} puts a fresh card in and
 * waits, event-driven, until the manager has powered it.
 */
final class PcscRig implements AutoCloseable {
    static final HexFormat HEX = HexFormat.of().withUpperCase();
    static final String AID = "F043415244535441434B01";
    static final byte[] SELECT = HEX.parseHex("00A404000B" + AID);

    final SimulateSpec sim;
    final VirtualUsbSession usb;
    final CcidDriver driver;
    final ResourceManager rm;
    final VirtualCcidReader vreader;
    final String name;
    private final AutoCloseable source;

    PcscRig(String spec) throws Exception {
        sim = SimulateSpec.parse(spec + ",empty");
        usb = sim.newSession();
        driver = new CcidDriver(usb).start();
        rm = new ResourceManager();
        source = rm.addSource(driver);
        vreader = usb.readers().get(0);
        name = rm.readerNames().get(0);
    }

    private static final java.util.concurrent.ExecutorService POOL = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "e2e-test");
        t.setDaemon(true);
        return t;
    });

    /** Runs a task on its own thread (the common pool has one thread on small machines). */
    static <T> java.util.concurrent.CompletableFuture<T> async(java.util.function.Supplier<T> task) {
        return java.util.concurrent.CompletableFuture.supplyAsync(task, POOL);
    }

    static java.util.concurrent.CompletableFuture<Void> run(Runnable task) {
        return java.util.concurrent.CompletableFuture.runAsync(task, POOL);
    }

    static byte[] b(String hex) { return HEX.parseHex(hex.replace(" ", "")); }

    static String s(byte[] b) { return HEX.formatHex(b); }

    void insert() {
        vreader.insertCard(0, sim.newCard());
        await(st -> st != null && (st.readerState() & ReaderStates.POWERED) != 0);
    }

    void remove() {
        vreader.removeCard(0);
        await(st -> st != null && (st.readerState() & ReaderStates.ABSENT) != 0);
    }

    void unplug() {
        vreader.unplug();
        await(st -> st == null);
    }

    /**
     * Plugs the reader in again, empty: a reader plugged with a card reports it again in its first
     * interrupt message, which the driver passes on as a card change (a swap to the manager).
     */
    void replug() {
        vreader.removeCard(0);
        usb.plug(vreader);
        await(st -> st != null);
    }

    /** Waits (at most 5 s) until the reader's published state satisfies {@code p}, woken by the manager's events. */
    void await(Predicate<ReaderState> p) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        long gen = rm.generation();
        while (!p.test(rm.readerState(name))) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                throw new AssertionError("timed out waiting for " + name + ", state " + rm.readerState(name));
            }
            try {
                gen = rm.awaitChange(gen, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    @Override
    public void close() throws Exception {
        rm.close();
        source.close();
        driver.close();
        usb.close();
    }
}
