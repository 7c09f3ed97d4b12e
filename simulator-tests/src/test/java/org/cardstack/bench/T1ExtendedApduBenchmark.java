package org.cardstack.bench;

import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.cardstack.reader.Reader;
import org.cardstack.sim.applets.TestApplet;
import org.cardstack.sim.tpdu.VirtualRig;
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
 * A 4 KiB extended APDU round trip (the test applet's ECHO of 4096 bytes, Le 4096: 4 103 bytes out,
 * 4 098 back) through the CCID driver on the same virtual reader model, at extended APDU level (the
 * reader carries the APDU in chained XfrBlocks) versus TPDU level with T=1 (the driver's T=1 engine:
 * 17 I-blocks of IFSC 254 out, each acknowledged, 17 back with IFSD 254). Run: bench/t1-rtt.sh.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
public class T1ExtendedApduBenchmark {
    private static final byte[] SELECT = HexFormat.of().parseHex("00A404000B" + TestApplet.AID_HEX);
    private static final byte[] ECHO_4K;

    static {
        ECHO_4K = new byte[7 + 4096 + 2];
        byte[] head = {(byte) 0x80, 0x04, 0x00, 0x00, 0x00, 0x10, 0x00};
        System.arraycopy(head, 0, ECHO_4K, 0, head.length);
        for (int i = 0; i < 4096; i++) {
            ECHO_4K[7 + i] = (byte) i;
        }
        ECHO_4K[7 + 4096] = 0x10;
        ECHO_4K[7 + 4097] = 0x00;
    }

    @Param({"apdu", "t1"})
    public String level;

    private VirtualRig rig;
    private Reader reader;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        rig = new VirtualRig(level.equals("t1") ? VirtualRig.Config.TPDU_T1 : VirtualRig.Config.APDU_EXTENDED);
        reader = rig.reader();
        reader.powerOn(0);
        reader.transmit(0, SELECT);
        byte[] r = reader.transmit(0, ECHO_4K);
        if (r.length != 4098 || r[4096] != (byte) 0x90) {
            throw new IllegalStateException("echo of 4096 bytes answered with " + r.length + " bytes");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        rig.close();
    }

    @Benchmark
    public byte[] echo4KiB() throws Exception {
        return reader.transmit(0, ECHO_4K);
    }
}
