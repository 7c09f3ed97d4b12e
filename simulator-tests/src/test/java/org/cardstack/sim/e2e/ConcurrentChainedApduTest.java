package org.cardstack.sim.e2e;

import static org.cardstack.sim.Hex.b;
import static org.cardstack.sim.Hex.concat;
import static org.cardstack.sim.Hex.s;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.cardstack.reader.Reader;
import org.cardstack.reader.ccid.CcidDriver;
import org.cardstack.sim.SimulateSpec;
import org.cardstack.sim.reader.VirtualUsbSession;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Several threads sending APDUs that take many CCID messages each (T=1 block chains with IFSC 32,
 * extended APDUs chained by wLevelParameter) to one slot at once: every thread gets exactly its own
 * response, because one APDU's messages never interleave with another's.
 */
class ConcurrentChainedApduTest {
    private static final String SELECT = "00 A4 04 00 0B F0 43 41 52 44 53 54 41 43 4B 01";

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"level=tpdu,protocols=t1", "level=extended,max=271"})
    void fourThreadsEachGetTheirOwnEcho(String spec) throws Exception {
        try (VirtualUsbSession usb = SimulateSpec.parse("applet=test," + spec).newSession();
             CcidDriver driver = new CcidDriver(usb).start()) {
            Reader reader = driver.readers().get(0);
            reader.powerOn(0);
            assertEquals("90 00", s(reader.transmit(0, b(SELECT))));
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> results = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    byte fill = (byte) (0x11 * (t + 1));
                    results.add(pool.submit(() -> {
                        for (int i = 0; i < 25; i++) {
                            byte[] data = new byte[spec.contains("tpdu") ? 200 : 600];
                            java.util.Arrays.fill(data, fill);
                            data[0] = (byte) i;
                            byte[] apdu = data.length > 255
                                    ? concat(b("80 04 00 00 00"), new byte[] {(byte) (data.length >> 8), (byte) data.length},
                                            data, b("00 00"))
                                    : concat(b("80 04 00 00"), new byte[] {(byte) data.length}, data, b("00"));
                            assertEquals(s(concat(data, b("90 00"))), s(reader.transmit(0, apdu)));
                        }
                        return null;
                    }));
                }
                for (Future<?> f : results) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
