package org.cardstack.sim.tpdu;

import static org.cardstack.sim.Hex.b;
import static org.cardstack.sim.Hex.concat;
import static org.cardstack.sim.Hex.pattern;
import static org.cardstack.sim.Hex.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cardstack.reader.NotSupportedException;
import org.cardstack.sim.tpdu.VirtualRig.Config;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The same application-level scenarios on every reader configuration: APDU level (short, extended),
 * TPDU with T=1 (reader-chosen parameters; host-negotiated PPS, SetParameters, IFSD with IFSC 32 so
 * that commands and responses chain), TPDU with T=0 (host-chosen and reader-chosen parameters). The
 * caller sees the same responses; only T=0 leaves 61xx/6Cxx to the layer above (handled here as the
 * javax.smartcardio provider does) and refuses extended APDUs.
 */
class SameScenariosOnEveryLevelTest {

    @ParameterizedTest
    @EnumSource(Config.class)
    void shortApdus(Config config) throws Exception {
        try (VirtualRig rig = new VirtualRig(config)) {
            rig.reader.powerOn(0);
            assertEquals("90 00", s(rig.transmit(b(VirtualRig.SELECT))));
            assertEquals("90 00", s(rig.transmit(b("80 01 00 00"))));                                  // case 1
            assertEquals(s(concat(pattern(256), b("9000"))), s(rig.transmit(b("80 02 00 00 00"))));    // case 2, Le 256
            assertEquals(s(concat(pattern(13), b("9000"))), s(rig.transmit(b("80 02 00 0D 05"))));     // wrong Le: 6C0D on T=0
            assertEquals("90 00", s(rig.transmit(concat(b("80 03 00 01 FF"), pattern(255)))));         // case 3, 255 bytes
            assertEquals(s(concat(pattern(200), b("9000"))),
                    s(rig.transmit(concat(b("80 04 00 00 C8"), pattern(200), b("00")))));              // case 4 echo
            assertEquals("6A 82", s(rig.transmit(b("80 06 6A 82"))));
            assertEquals("6D 00", s(rig.transmit(b("80 7F 00 00"))));
            String protocol = s(rig.transmit(b("80 0A 00 00 01")));
            assertEquals(config.t0() ? "00 90 00" : "01 90 00", protocol.replace("80", "00").replace("81", "01"));
        }
    }

    @ParameterizedTest
    @EnumSource(Config.class)
    void extendedApdus(Config config) throws Exception {
        try (VirtualRig rig = new VirtualRig(config)) {
            rig.reader.powerOn(0);
            assertEquals("90 00", s(rig.transmit(b(VirtualRig.SELECT))));
            byte[] echo4k = concat(b("80 04 00 00 00 10 00"), pattern(4096), b("10 00"));
            if (!config.extended()) {
                NotSupportedException e = assertThrows(NotSupportedException.class, () -> rig.reader.transmit(0, echo4k));
                assertTrue(e.getMessage().toLowerCase().contains("extended"), e.getMessage());
                return;
            }
            assertEquals(s(concat(pattern(4096), b("9000"))), s(rig.transmit(echo4k)));
            assertEquals(s(concat(pattern(6000), b("9000"))), s(rig.transmit(b("80 02 17 70 00 00 00"))));
            assertEquals("90 00", s(rig.transmit(concat(b("80 03 00 01 00 1F 40"), pattern(8000)))));
        }
    }
}
