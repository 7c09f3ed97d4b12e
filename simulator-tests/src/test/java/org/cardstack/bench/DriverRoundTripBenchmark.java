package org.cardstack.bench;

import com.licel.jcardsim.smartcardio.CardSimulator;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import javacard.framework.AID;
import org.cardstack.reader.Reader;
import org.cardstack.reader.ReaderSession;
import org.cardstack.reader.ccid.CcidDriver;
import org.cardstack.sim.SimulateSpec;
import org.cardstack.sim.applets.TestApplet;
import org.cardstack.sim.reader.VirtualUsbSession;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One APDU round trip (the test applet's ECHO of 16 bytes, case 4) straight into jCardSim's
 * CardSimulator, versus through the whole CCID driver over the virtual USB reader (encode, bulk out,
 * the reader's decode, the card, encode, bulk in, decode), at short APDU and TPDU T=0 level.
 * The difference is what the driver and the virtual reader add per APDU. Run: bench/driver-rtt.sh.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
public class DriverRoundTripBenchmark {
    private static final byte[] SELECT = HexFormat.of().parseHex("00A404000B" + TestApplet.AID_HEX);
    /** ECHO, 16 data bytes, Le 00: on T=0 the case-4 APDU goes out as case 3 and the card answers 61 10. */
    private static final byte[] ECHO = HexFormat.of().parseHex("8004000010000102030405060708090A0B0C0D0E0F00");

    @Param({"short", "tpdu"})
    public String level;

    private CardSimulator simulator;
    private VirtualUsbSession usb;
    private CcidDriver driver;
    private ReaderSession session;
    private Reader reader;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        simulator = new CardSimulator();
        byte[] aid = HexFormat.of().parseHex(TestApplet.AID_HEX);
        AID jcAid = new AID(aid, (short) 0, (byte) aid.length);
        simulator.installApplet(jcAid, TestApplet.class);
        simulator.selectApplet(jcAid);

        usb = SimulateSpec.parse("applet=test,level=" + level).newSession();
        driver = new CcidDriver(usb).start();
        session = driver.openSession("bench");
        reader = session.readers().get(0);
        reader.powerOn(0);
        reader.transmit(0, SELECT);
        // Both paths must really echo (T=0 answers 61 10 to the case-4 APDU sent as case 3).
        String direct = HexFormat.of().formatHex(simulator.transmitCommand(ECHO));
        String driven = HexFormat.of().formatHex(reader.transmit(0, ECHO));
        String echo = HexFormat.of().formatHex(ECHO, 5, 21) + "9000";
        if (!direct.equals(echo) || !driven.equals("tpdu".equals(level) ? "6110" : echo)) {
            throw new IllegalStateException("unexpected answers: direct " + direct + ", driver " + driven);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        session.close();
        driver.close();
        usb.close();
    }

    @Benchmark
    public byte[] cardSimulatorDirect() {
        return simulator.transmitCommand(ECHO);
    }

    @Benchmark
    public byte[] throughDriver() throws Exception {
        return reader.transmit(0, ECHO);
    }
}
