package org.cardstack.e2e.daemon;

import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Predicate;
import org.cardstack.pcsc.ReaderStates;
import org.cardstack.pcsc.daemon.DaemonConfig;
import org.cardstack.pcsc.daemon.PcscDaemon;
import org.cardstack.pcsc.manager.ReaderState;
import org.cardstack.pcsc.manager.ResourceManager;
import org.cardstack.reader.ccid.CcidDriver;
import org.cardstack.sim.SimulateSpec;
import org.cardstack.sim.reader.VirtualCcidReader;
import org.cardstack.sim.reader.VirtualUsbSession;

/**
 * The daemon on virtual CCID readers: VirtualUsbSession -> CcidDriver -> ResourceManager ->
 * PcscDaemon on a socket in a fresh temporary directory. Readers start empty; {@link #insert(int)}
 * puts a fresh card in and waits until the manager has powered it.
 */
final class DaemonRig implements AutoCloseable {
    static final HexFormat HEX = HexFormat.of().withUpperCase();
    static final String TEST_AID = "F043415244535441434B01";
    static final byte[] SELECT_TEST = HEX.parseHex("00A404000B" + TEST_AID);

    final SimulateSpec sim;
    final VirtualUsbSession usb;
    final CcidDriver driver;
    final ResourceManager rm;
    final PcscDaemon daemon;
    final Path dir;
    final Path socket;
    final List<VirtualCcidReader> vreaders;
    final List<String> names;
    private final AutoCloseable source;

    DaemonRig(String spec, int readers, DaemonConfig config) throws Exception {
        sim = SimulateSpec.parse(spec + ",empty");
        usb = new VirtualUsbSession();
        for (int i = 0; i < readers; i++) {
            usb.plug(sim.newReader());
        }
        driver = new CcidDriver(usb).start();
        rm = new ResourceManager();
        source = rm.addSource(driver);
        vreaders = usb.readers();
        names = new ArrayList<>(rm.readerNames());
        dir = Files.createTempDirectory("cs-pcscd");
        socket = dir.resolve("pcscd.comm");
        ServerSocketChannel ch = PcscDaemon.bind(socket, "0666", null);
        daemon = new PcscDaemon(rm, config);
        daemon.start(ch, socket);
    }

    /** Test settings: no 2 s delay before closing a client that used a foreign handle. */
    static DaemonConfig testConfig() {
        return DaemonConfig.defaults().withBadHandleDelay(0);
    }

    WireClient client() throws IOException { return new WireClient(socket); }

    void insert(int reader) {
        vreaders.get(reader).insertCard(0, sim.newCard());
        await(reader, st -> st != null && (st.readerState() & ReaderStates.POWERED) != 0);
    }

    void remove(int reader) {
        vreaders.get(reader).removeCard(0);
        await(reader, st -> st != null && (st.readerState() & ReaderStates.ABSENT) != 0);
    }

    void await(int reader, Predicate<ReaderState> p) {
        awaitTrue(() -> p.test(rm.readerState(names.get(reader))), "reader " + names.get(reader));
    }

    /** Waits (at most 5 s), woken by the manager's changes, until {@code cond} holds. */
    void awaitTrue(java.util.function.BooleanSupplier cond, String what) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        long gen = rm.generation();
        while (!cond.getAsBoolean()) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                gen = rm.awaitChange(gen, Math.min(left, 50));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    @Override
    public void close() throws Exception {
        daemon.close();
        rm.close();
        source.close();
        driver.close();
        usb.close();
        Files.deleteIfExists(socket);
        Files.deleteIfExists(dir);
    }
}
