package org.cardstack.sim;

import org.cardstack.ccid.ExchangeLevel;
import org.cardstack.sim.applets.TestApplet;
import org.cardstack.sim.card.CardAtrs;
import org.cardstack.sim.card.SimulatedCard;
import org.cardstack.sim.reader.VirtualCcidReader;
import org.cardstack.sim.reader.VirtualUsbSession;
import org.cardstack.usb.UsbDeviceHandle;
import org.junit.jupiter.api.Test;

import static org.cardstack.sim.Hex.b;
import static org.cardstack.sim.Hex.n;
import static org.cardstack.sim.Hex.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimulateSpecTest {

    @Test
    void defaults() {
        SimulateSpec s = SimulateSpec.parse("");
        assertEquals(ExchangeLevel.SHORT_APDU, s.level());
        assertEquals(1, s.applets().size());
        assertEquals(TestApplet.class.getName(), s.applets().get(0).className());
        assertEquals(TestApplet.AID_HEX, s(s.applets().get(0).aid()).replace(" ", ""));
        assertEquals(n(CardAtrs.DEFAULT_HEX), s(s.atr()));
        assertEquals(1, s.slots());
        assertEquals(1, s.cards());
        assertTrue(s.interrupt());
        assertNull(s.maxMessage());
    }

    @Test
    void fullSpec() {
        SimulateSpec s = SimulateSpec.parse("applet=test,level=extended,max=271,slots=2,interrupt=no,atr=" + CardAtrs.DEFAULT_HEX
                + ",vid=0x04e6,pid=5116,product=My Reader,voltages=5/3,applet=hello");
        assertEquals(ExchangeLevel.EXTENDED_APDU, s.level());
        assertEquals(271, s.maxMessage());
        assertEquals(2, s.cards());
        assertFalse(s.interrupt());
        assertEquals(2, s.applets().size());
        assertEquals("F0 00 00 00 01", s(s.applets().get(1).aid()));
        VirtualCcidReader r = s.newReader();
        assertEquals(0x03, r.ccidDescriptor().bVoltageSupport());
        assertEquals(1, r.ccidDescriptor().bMaxSlotIndex());
        assertEquals(ExchangeLevel.EXTENDED_APDU, r.ccidDescriptor().exchangeLevel());
        assertEquals(271, r.ccidDescriptor().dwMaxCCIDMessageLength());
        assertTrue(r.card(0) != r.card(1) && r.card(1) != null);
        assertEquals("E6 04 16 51", s(java.util.Arrays.copyOfRange(r.deviceDescriptor(), 8, 12)));
    }

    @Test
    void t0FlagMeansTpduWithTheRigAtr() throws Exception {
        SimulateSpec s = SimulateSpec.parse("t0,applet=hello");
        assertEquals(ExchangeLevel.TPDU, s.level());
        assertEquals(n(CardAtrs.RIG_T0_HEX), s(s.atr()));
        try (VirtualUsbSession session = s.newSession()) {
            UsbDeviceHandle h = session.open(session.devices().get(0));
            byte[] buf = new byte[300];
            byte[] on = b("62 00 00 00 00 00 01 00 00 00");
            h.bulkOut(0x03, on, 0, on.length, 100);
            int len = h.bulkIn(0x82, buf, 0, buf.length, 1000);
            assertEquals(n("80 0C 00 00 00 00 01 00 00 00 3B 0A 4A 43 4F 50 33 31 56 32 33 32"), s(java.util.Arrays.copyOf(buf, len)));
            byte[] hello = b("6F 05 00 00 00 00 02 00 00 00 80 01 00 00 05");   // HelloWorld, wrong Le: 6C 0D
            h.bulkOut(0x03, hello, 0, hello.length, 100);
            len = h.bulkIn(0x82, buf, 0, buf.length, 1000);
            assertEquals(n("80 02 00 00 00 00 02 00 00 00 6C 0D"), s(java.util.Arrays.copyOf(buf, len)));
        }
    }

    @Test
    void customAppletWithAidAndParams() {
        SimulateSpec s = SimulateSpec.parse("applet=" + TestApplet.class.getName() + ",aid=A000000151000001,params=0102");
        assertEquals("A0 00 00 01 51 00 00 01", s(s.applets().get(0).aid()));
        SimulatedCard card = s.newCard();
        card.powerOn();
        assertEquals("90 00", s(card.transmit(b("00 A4 04 00 08 A0 00 00 01 51 00 00 01"))));
        SimulateSpec raw = SimulateSpec.parse("applet=test,rawparams=0BF043415244535441434B010000");
        assertEquals("0B F0 43 41 52 44 53 54 41 43 4B 01 00 00", s(raw.applets().get(0).rawParams()));
    }

    @Test
    void emptyAndCards() {
        SimulateSpec s = SimulateSpec.parse("empty,slots=3");
        assertEquals(0, s.cards());
        VirtualCcidReader r = s.newReader();
        assertNull(r.card(0));
        SimulateSpec two = SimulateSpec.parse("slots=3,cards=2");
        VirtualCcidReader r2 = two.newReader();
        assertTrue(r2.card(1) != null && r2.card(2) == null);
    }

    @Test
    void errorsNameTheKeyAndValue() {
        assertError("level=fast", "'fast'", "'level'");
        assertError("max=100", "'100'", "'max'");
        assertError("slots=9", "'9'", "'slots'");
        assertError("interrupt=maybe", "'maybe'", "'interrupt'");
        assertError("atr=3B02", "'3B02'", "'atr'");
        assertError("atr=XYZ", "'XYZ'", "'atr'");
        assertError("applet=com.nope.Missing", "'com.nope.Missing'", "'applet'");
        assertError("applet=java.lang.String", "'java.lang.String'", "not a javacard");
        assertError("applet=com.licel.jcardsim.samples.Sha1Applet", "needs aid=HEX");
        assertError("aid=F0", "aid=F0", "5 to 16");
        assertError("colour=red", "unknown key 'colour'");
        assertError("t1", "unknown flag 't1'");
        assertError("max", "needs a value");
        assertError("t0,level=extended", "t0 conflicts");
        assertError("slots=1,cards=2", "cards=2");
        assertError("level=short,level=tpdu", "'level' given twice");
        assertError("applet=test,applet=test", "used by two applets");
        assertError("applet=hello,params=01", "hello takes no params");
        assertError("vid=12345", "'12345'", "'vid'");
        assertError("voltages=12", "'12'", "'voltages'");
        assertError("t0,,empty", "empty item");
    }

    private static void assertError(String spec, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SimulateSpec.parse(spec), spec);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + e.getMessage() + "' should mention " + f);
        }
    }

    @Test
    void helpMentionsEveryKey() {
        for (String k : new String[] {"applet=", "aid=", "params=", "rawparams=", "level=", "t0", "max=", "slots=",
                "cards=", "empty", "interrupt=", "atr=", "vid=", "pid=", "voltages=", "protocols=", TestApplet.AID_HEX,
                SimulateSpec.HELLO_AID}) {
            assertTrue(SimulateSpec.HELP.contains(k), k);
        }
        assertEquals(SimulateSpec.parse(SimulateSpec.parse("applet=hello,level=extended,max=300").toString()).toString(),
                SimulateSpec.parse("applet=hello,level=extended,max=300").toString());
    }
}
