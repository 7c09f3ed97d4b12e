package org.cardstack.bench;

import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import javax.smartcardio.Card;
import javax.smartcardio.CardChannel;
import javax.smartcardio.CommandAPDU;
import javax.smartcardio.ResponseAPDU;
import javax.smartcardio.TerminalFactory;
import org.cardstack.pcsc.Protocol;
import org.cardstack.pcsc.ReaderStates;
import org.cardstack.pcsc.ShareMode;
import org.cardstack.pcsc.manager.CardHandle;
import org.cardstack.pcsc.manager.ReaderState;
import org.cardstack.pcsc.manager.ResourceManager;
import org.cardstack.pcsc.smartcardio.CardStackProvider;
import org.cardstack.reader.Reader;
import org.cardstack.reader.ccid.CcidDriver;
import org.cardstack.sim.SimulateSpec;
import org.cardstack.sim.reader.VirtualUsbSession;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One APDU round trip (test applet ECHO, case 4, 16 bytes) on the virtual CCID reader, in the same
 * run: through the driver alone ({@link Reader#transmit}), through the PC/SC manager
 * ({@link CardHandle#transmit}), and through the javax.smartcardio provider
 * ({@link CardChannel#transmit}). The provider's cost is the difference to the driver.
 * Run with bench/provider-rtt.sh.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 8, time = 1)
@Fork(1)
public class ProviderRttBench {
    static final byte[] SELECT = HexFormat.of().parseHex("00A404000BF043415244535441434B01");
    static final byte[] ECHO = HexFormat.of().parseHex("8004000010000102030405060708090A0B0C0D0E0F00");

    VirtualUsbSession usb;
    CcidDriver driver;
    ResourceManager rm;
    Reader reader;
    CardHandle handle;
    CardChannel channel;
    Card card;
    CommandAPDU echo;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        SimulateSpec sim = SimulateSpec.parse("level=short,empty");
        usb = sim.newSession();
        driver = new CcidDriver(usb).start();
        rm = new ResourceManager();
        rm.addSource(driver);
        String name = rm.readerNames().get(0);
        usb.readers().get(0).insertCard(0, sim.newCard());
        long gen = rm.generation();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            ReaderState st = rm.readerState(name);
            if (st != null && (st.readerState() & ReaderStates.POWERED) != 0) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("card not powered: " + st);
            }
            gen = rm.awaitChange(gen, 1000);
        }
        reader = rm.driverReader(name);
        handle = rm.establishContext("bench").connect(name, ShareMode.SHARED, Protocol.ANY);
        card = TerminalFactory.getInstance(CardStackProvider.TYPE, null, new CardStackProvider(rm)).terminals()
                .getTerminal(name).connect("*");
        channel = card.getBasicChannel();
        channel.transmit(new CommandAPDU(SELECT));
        echo = new CommandAPDU(ECHO);
        if (channel.transmit(echo).getSW() != 0x9000 || (reader.transmit(0, ECHO)[16] & 0xFF) != 0x90) {
            throw new IllegalStateException("echo failed");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        card.disconnect(false);
        rm.close();
        driver.close();
        usb.close();
    }

    @Benchmark
    public byte[] driver() throws Exception {
        return reader.transmit(0, ECHO);
    }

    @Benchmark
    public byte[] manager() throws Exception {
        return handle.transmit(Protocol.T0, ECHO);
    }

    @Benchmark
    public ResponseAPDU provider() throws Exception {
        return channel.transmit(echo);
    }
}
