package org.cardstack.sim.reader;

import org.cardstack.ccid.CcidDescriptor;
import org.cardstack.ccid.ExchangeLevel;
import org.cardstack.sim.applets.TestApplet;
import org.cardstack.sim.card.CardAtrs;
import org.cardstack.sim.card.SimulatedCard;
import org.cardstack.usb.ConfigurationDescriptor;
import org.cardstack.usb.EndpointDescriptor;
import org.cardstack.usb.InterfaceDescriptor;
import org.cardstack.usb.UsbDescriptors;
import org.cardstack.usb.UsbDevice;
import org.cardstack.usb.UsbStallException;
import org.cardstack.usb.UsbTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.cardstack.sim.Hex.b;
import static org.cardstack.sim.Hex.n;
import static org.cardstack.sim.Hex.s;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every CCID message and class request, with the exact bytes (CCID rev 1.1). */
class VirtualCcidReaderTest {
    static final String ATR = " 3B 8A 80 01 4A 43 4F 50 33 31 56 32 33 32 7A";
    private VirtualUsbSession session;

    static SimulatedCard testCard() {
        SimulatedCard c = new SimulatedCard();
        c.install(TestApplet.class, b(TestApplet.AID_HEX), null);
        return c;
    }

    Host open(VirtualCcidReader reader) throws Exception {
        session = new VirtualUsbSession(reader);
        UsbDevice d = session.devices().get(0);
        Host host = new Host(session.open(d));
        host.h.claimInterface(0);
        return host;
    }

    @AfterEach
    void tearDown() {
        if (session != null) session.close();
    }

    @Test
    void descriptorsAndStrings() throws Exception {
        VirtualCcidReader r = VirtualCcidReader.builder().card(testCard()).build();
        Host host = open(r);
        UsbDevice d = session.devices().get(0);
        assertEquals("12 01 00 02 00 00 00 40 09 12 01 00 00 01 01 02 03 01", s(d.rawDeviceDescriptor()));
        ConfigurationDescriptor cfg = UsbDescriptors.parseConfiguration(d.rawConfigurationDescriptor());
        InterfaceDescriptor itf = cfg.interfaces().get(0);
        assertEquals(0x0B, itf.bInterfaceClass());
        CcidDescriptor ccid = CcidDescriptor.parse(itf.extra(0x21).orElseThrow());
        assertEquals(r.ccidDescriptor(), ccid);
        assertEquals(ExchangeLevel.SHORT_APDU, ccid.exchangeLevel());
        assertEquals(271, ccid.dwMaxCCIDMessageLength());
        assertEquals(0x03, ccid.dwProtocols());
        assertEquals(0x000205FA, ccid.dwFeatures());
        assertEquals(3, itf.endpoints().size());
        assertEquals(0x82, itf.endpoint(EndpointDescriptor.TRANSFER_BULK, true).orElseThrow().bEndpointAddress());
        assertEquals(0x03, itf.endpoint(EndpointDescriptor.TRANSFER_BULK, false).orElseThrow().bEndpointAddress());
        assertEquals(0x81, itf.endpoint(EndpointDescriptor.TRANSFER_INTERRUPT, true).orElseThrow().bEndpointAddress());
        assertEquals("cardstack", host.h.stringDescriptor(1));
        assertEquals("cardstack Virtual CCID", host.h.stringDescriptor(2));
        assertEquals("0001", host.h.stringDescriptor(3));
        assertNull(host.h.stringDescriptor(0));
        byte[] buf = new byte[255];
        int len = host.h.controlTransfer(0x80, 0x06, 0x0301, 0x0409, buf, 100);
        assertEquals("14 03 63 00 61 00 72 00 64 00 73 00 74 00 61 00 63 00 6B 00", s(java.util.Arrays.copyOf(buf, len)));
        len = host.h.controlTransfer(0x80, 0x06, 0x0200, 0, buf, 100);
        assertArrayEquals(d.rawConfigurationDescriptor(), java.util.Arrays.copyOf(buf, len));

        VirtualCcidReader noInt = VirtualCcidReader.builder().interruptEndpoint(false).level(ExchangeLevel.TPDU).build();
        InterfaceDescriptor i2 = UsbDescriptors.parseConfiguration(noInt.configurationDescriptor()).interfaces().get(0);
        assertEquals(2, i2.endpoints().size());
        assertEquals(0x01, noInt.ccidDescriptor().dwProtocols());
        assertEquals(ExchangeLevel.TPDU, noInt.ccidDescriptor().exchangeLevel());
    }

    @Test
    void slotStatusPowerOnAndOff() throws Exception {
        Host host = open(VirtualCcidReader.builder().card(testCard()).voltages(0x03).build());
        host.x(">> 65 00 00 00 00 00 00 00 00 00", "<< 81 00 00 00 00 00 00 01 00 00");   // present, inactive
        host.x(">> 62 00 00 00 00 00 01 00 00 00", "<< 80 0F 00 00 00 00 01 00 00 00" + ATR);
        host.x(">> 65 00 00 00 00 00 02 00 00 00", "<< 81 00 00 00 00 00 02 00 00 00");   // active
        host.x(">> 62 00 00 00 00 00 03 02 00 00", "<< 80 0F 00 00 00 00 03 00 00 00" + ATR); // 3 V: warm reset
        host.x(">> 62 00 00 00 00 00 04 03 00 00", "<< 80 00 00 00 00 00 04 40 07 00");   // 1.8 V not supported
        host.x(">> 62 00 00 00 00 00 05 04 00 00", "<< 80 00 00 00 00 00 05 40 07 00");   // no such bPowerSelect
        host.x(">> 63 00 00 00 00 00 06 00 00 00", "<< 81 00 00 00 00 00 06 01 00 00");
        host.x(">> 6F 05 00 00 00 00 07 00 00 00 80 01 00 00 00", "<< 80 00 00 00 00 00 07 41 FE 00"); // unpowered
    }

    @Test
    void emptySlot() throws Exception {
        Host host = open(VirtualCcidReader.builder().build());
        host.x(">> 65 00 00 00 00 00 00 00 00 00", "<< 81 00 00 00 00 00 00 02 00 00");
        host.x(">> 62 00 00 00 00 00 01 00 00 00", "<< 80 00 00 00 00 00 01 42 FE 00");
        host.x(">> 6F 04 00 00 00 00 02 00 00 00 80 01 00 00", "<< 80 00 00 00 00 00 02 42 FE 00");
        host.x(">> 6C 00 00 00 00 00 03 00 00 00", "<< 82 00 00 00 00 00 03 42 FE 00");
        host.x(">> 63 00 00 00 00 00 04 00 00 00", "<< 81 00 00 00 00 00 04 02 00 00");
    }

    @Test
    void xfrBlockAtShortApduLevel() throws Exception {
        Host host = open(VirtualCcidReader.builder().card(testCard()).build());
        host.x(">> 62 00 00 00 00 00 01 00 00 00", "<< 80 0F 00 00 00 00 01 00 00 00" + ATR);
        host.x(">> 6F 10 00 00 00 00 02 00 00 00 00 A4 04 00 0B " + TestApplet.AID_HEX, "<< 80 02 00 00 00 00 02 00 00 00 90 00");
        host.x(">> 6F 04 00 00 00 00 03 00 00 00 80 01 00 00", "<< 80 02 00 00 00 00 03 00 00 00 90 00");
        host.x(">> 6F 05 00 00 00 00 04 00 00 00 80 02 00 00 03", "<< 80 05 00 00 00 00 04 00 00 00 00 01 02 90 00");
        host.x(">> 6F 09 00 00 00 00 05 00 00 00 80 04 00 00 03 AA BB CC 00", "<< 80 05 00 00 00 00 05 00 00 00 AA BB CC 90 00");
        host.x(">> 6F 05 00 00 00 00 06 00 00 00 80 05 00 07 00", "<< 80 02 00 00 00 00 06 00 00 00 61 07");
        host.x(">> 6F 04 00 00 00 00 07 00 01 00 80 01 00 00", "<< 80 00 00 00 00 00 07 40 08 00");  // wLevelParameter
        // a 258-byte response (jCardSim's short maximum) fits in 271
        host.send("6F 05 00 00 00 00 08 00 00 00 80 02 01 02 00");
        byte[] r = host.readBytes(1000);
        assertEquals("80 04 01 00 00 00 08 00 00 00", s(java.util.Arrays.copyOf(r, 10)));
    }

    @Test
    void malformedMessages() throws Exception {
        Host host = open(VirtualCcidReader.builder().card(testCard()).build());
        host.x(">> 65 03 00 00 00 00 01 00 00 00", "<< 81 00 00 00 00 00 01 41 01 00");          // dwLength 3, no data
        host.x(">> 65 00 00 00 00 00 02 00 00 00 01 02", "<< 81 00 00 00 00 00 02 41 01 00");    // 2 extra bytes
        host.x(">> 6F 00 01 00 00 00 03 00 00 00", "<< 80 00 00 00 00 00 03 41 01 00");          // over dwMax
        host.x(">> 65 00 00 00 00 01 04 00 00 00", "<< 81 00 00 00 00 01 04 42 05 00");          // bSlot 1
        host.x(">> 99 00 00 00 00 00 05 00 00 00", "<< 81 00 00 00 00 00 05 41 00 00");          // unknown type
        host.x(">> 73 04 00 00 00 00 06 00 00 00 A0 0F 00 00", "<< 84 08 00 00 00 00 06 41 01 00 00 00 00 00 00 00 00 00");
        host.send("65 00 00");                                                                    // short: dropped
        assertThrows(UsbTimeoutException.class, () -> host.readBytes(20));
        host.x(">> 65 00 00 00 00 00 07 00 00 00", "<< 81 00 00 00 00 00 07 01 00 00");
    }

    @Test
    void messagesSplitOverPacketsAndReadInPackets() throws Exception {
        Host host = open(VirtualCcidReader.builder().card(testCard()).build());
        host.x(">> 62 00 00 00 00 00 01 00 00 00", "<< 80 0F 00 00 00 00 01 00 00 00" + ATR);
        byte[] data = org.cardstack.sim.Hex.pattern(100);
        byte[] msg = org.cardstack.sim.Hex.concat(b("6F 6A 00 00 00 00 02 00 00 00 80 04 00 00 64"), data, b("00"));
        assertEquals(116, msg.length);
        host.h.bulkOut(0x03, msg, 0, 64, 100);                  // a full packet: the reader waits for more
        assertThrows(UsbTimeoutException.class, () -> host.readBytes(20));
        host.h.bulkOut(0x03, msg, 64, 52, 100);                 // the short packet ends it
        byte[] buf = new byte[64];
        assertEquals(64, host.h.bulkIn(0x82, buf, 0, 64, 1000)); // 112-byte answer read in two packets
        assertEquals("80 66 00 00 00 00 02 00 00 00", s(java.util.Arrays.copyOf(buf, 10)));
        assertEquals(48, host.h.bulkIn(0x82, buf, 0, 64, 1000));
        assertEquals("90 00", s(java.util.Arrays.copyOfRange(buf, 46, 48)));
    }

    @Test
    void parameters() throws Exception {
        Host host = open(VirtualCcidReader.builder().card(testCard()).build());
        host.x(">> 62 00 00 00 00 00 01 00 00 00", "<< 80 0F 00 00 00 00 01 00 00 00" + ATR);
        host.x(">> 6C 00 00 00 00 00 02 00 00 00", "<< 82 05 00 00 00 00 02 00 00 00 11 00 00 0A 00");
        host.x(">> 61 07 00 00 00 00 03 01 00 00 96 10 00 4D 00 FE 00", "<< 82 07 00 00 00 00 03 00 00 01 96 10 00 4D 00 FE 00");
        host.x(">> 6C 00 00 00 00 00 04 00 00 00", "<< 82 07 00 00 00 00 04 00 00 01 96 10 00 4D 00 FE 00");
        host.x(">> 61 05 00 00 00 00 05 02 00 00 11 00 00 0A 00", "<< 82 07 00 00 00 00 05 40 07 01 96 10 00 4D 00 FE 00");
        host.x(">> 61 03 00 00 00 00 06 00 00 00 11 00 00", "<< 82 07 00 00 00 00 06 40 01 01 96 10 00 4D 00 FE 00");
        host.x(">> 61 05 00 00 00 00 07 00 00 00 70 00 00 0A 00", "<< 82 07 00 00 00 00 07 40 0A 01 96 10 00 4D 00 FE 00");
        host.x(">> 61 05 00 00 00 00 08 00 00 00 11 01 00 0A 00", "<< 82 07 00 00 00 00 08 40 0B 01 96 10 00 4D 00 FE 00");
        host.x(">> 61 07 00 00 00 00 09 01 00 00 11 10 00 A4 00 20 00", "<< 82 07 00 00 00 00 09 40 0D 01 96 10 00 4D 00 FE 00");
        host.x(">> 61 07 00 00 00 00 0A 01 00 00 11 10 00 4D 00 00 00", "<< 82 07 00 00 00 00 0A 40 0F 01 96 10 00 4D 00 FE 00");
        host.x(">> 61 05 00 00 00 00 0B 00 00 00 11 02 02 10 03", "<< 82 05 00 00 00 00 0B 00 00 00 11 02 02 10 03");
        host.x(">> 6D 00 00 00 00 00 0C 00 00 00", "<< 82 05 00 00 00 00 0C 00 00 00 11 00 00 0A 00");
        // a TPDU reader offers T=0 only: T=1 parameters are a bad bProtocolNum
        Host t0 = open(VirtualCcidReader.builder().level(ExchangeLevel.TPDU).card(testCard()).build());
        t0.x(">> 61 07 00 00 00 00 01 01 00 00 11 10 00 4D 00 20 00", "<< 82 05 00 00 00 00 01 41 07 00 11 00 00 0A 00");
    }

    @Test
    void escapeClockT0ApduSecureMechanicalDataRate() throws Exception {
        Host host = open(VirtualCcidReader.builder().card(testCard()).build());
        host.x(">> 6B 03 00 00 00 00 01 00 00 00 01 AA BB", "<< 83 02 00 00 00 00 01 01 00 00 AA BB");
        host.x(">> 6B 01 00 00 00 00 02 00 00 00 02", "<< 83 16 00 00 00 00 02 01 00 00 "
                + s("cardstack virtual CCID".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        host.x(">> 6B 01 00 00 00 00 03 00 00 00 6A", "<< 83 00 00 00 00 00 03 41 00 00");
        host.x(">> 6E 00 00 00 00 00 04 01 00 00", "<< 81 00 00 00 00 00 04 41 FE 00");   // not powered
        host.x(">> 62 00 00 00 00 00 05 00 00 00", "<< 80 0F 00 00 00 00 05 00 00 00" + ATR);
        host.x(">> 6E 00 00 00 00 00 06 01 00 00", "<< 81 00 00 00 00 00 06 00 00 01");   // stopped (L)
        host.x(">> 65 00 00 00 00 00 07 00 00 00", "<< 81 00 00 00 00 00 07 00 00 01");
        host.x(">> 6E 00 00 00 00 00 08 00 00 00", "<< 81 00 00 00 00 00 08 00 00 00");   // running
        host.x(">> 6E 00 00 00 00 00 09 02 00 00", "<< 81 00 00 00 00 00 09 40 07 00");
        host.x(">> 6A 00 00 00 00 00 0A 03 00 00", "<< 81 00 00 00 00 00 0A 00 00 00");
        host.x(">> 69 05 00 00 00 00 0B 00 00 00 00 00 82 08 00", "<< 80 00 00 00 00 00 0B 40 00 00");
        host.x(">> 71 00 00 00 00 00 0C 01 00 00", "<< 81 00 00 00 00 00 0C 40 00 00");
        host.x(">> 73 08 00 00 00 00 0D 00 00 00 40 1F 00 00 05 54 00 00", "<< 84 08 00 00 00 00 0D 00 00 00 40 1F 00 00 01 54 00 00"); // 21509 bps asked: 21505 listed
        host.x(">> 73 08 00 00 00 00 0E 00 00 00 88 13 00 00 20 4E 00 00", "<< 84 08 00 00 00 00 0E 00 00 00 A0 0F 00 00 00 2A 00 00");
    }

    @Test
    void classRequests() throws Exception {
        Host host = open(VirtualCcidReader.builder().build());
        byte[] buf = new byte[64];
        int n = host.h.controlTransfer(0xA1, 0x02, 0, 0, buf, 100);
        assertEquals("A0 0F 00 00 40 1F 00 00", s(java.util.Arrays.copyOf(buf, n)));
        n = host.h.controlTransfer(0xA1, 0x03, 0, 0, buf, 100);
        assertEquals("00 2A 00 00 01 54 00 00 02 A8 00 00 05 50 01 00", s(java.util.Arrays.copyOf(buf, n)));
        Host none = open(VirtualCcidReader.builder().clocks(4000).dataRates(10752).build());
        assertEquals(0, none.h.controlTransfer(0x21, 0x01, 0x0100, 0, new byte[0], 100));   // ABORT works
        assertThrows(UsbStallException.class, () -> none.h.controlTransfer(0xA1, 0x02, 0, 0, buf, 100));
        assertThrows(UsbStallException.class, () -> none.h.controlTransfer(0xA1, 0x03, 0, 0, buf, 100));
        assertThrows(UsbStallException.class, () -> none.h.controlTransfer(0xA1, 0x7F, 0, 0, buf, 100));
    }

    @Test
    void abortAfterAnUnansweredCommand() throws Exception {
        VirtualCcidReader r = VirtualCcidReader.builder().card(testCard()).build();
        Host host = open(r);
        host.x(">> 62 00 00 00 00 00 01 00 00 00", "<< 80 0F 00 00 00 00 01 00 00 00" + ATR);
        r.faults().next(Fault.noAnswer());
        host.send("6F 04 00 00 00 00 02 00 00 00 80 01 00 00");
        assertThrows(UsbTimeoutException.class, () -> host.readBytes(20));
        host.x(">> 65 00 00 00 00 00 03 00 00 00", "<< 81 00 00 00 00 00 03 40 E0 00");   // CMD_SLOT_BUSY
        host.h.controlTransfer(0x21, 0x01, 0x0400, 0, new byte[0], 100);               // ABORT bSeq 04 slot 0
        assertEquals(n("80 00 00 00 00 00 02 40 FF 00"), host.read());                  // the command: CMD_ABORTED
        host.x(">> 65 00 00 00 00 00 05 00 00 00", "<< 81 00 00 00 00 00 05 40 FF 00"); // aborting
        host.x(">> 72 00 00 00 00 00 04 00 00 00", "<< 81 00 00 00 00 00 04 00 00 00"); // PC_to_RDR_Abort: done
        host.x(">> 6F 04 00 00 00 00 06 00 00 00 80 01 00 00", "<< 80 02 00 00 00 00 06 00 00 00 90 00");
        // PC_to_RDR_Abort first: answered when the request comes
        host.send("72 00 00 00 00 00 07 00 00 00");
        assertThrows(UsbTimeoutException.class, () -> host.readBytes(20));
        host.h.controlTransfer(0x21, 0x01, 0x0700, 0, new byte[0], 100);
        assertEquals(n("81 00 00 00 00 00 07 00 00 00"), host.read());
    }

    @Test
    void extendedApduChaining() throws Exception {
        VirtualCcidReader r = VirtualCcidReader.builder().level(ExchangeLevel.EXTENDED_APDU).maxMessageLength(271)
                .card(testCard()).build();
        Host host = open(r);
        assertEquals(0x000405FA, r.ccidDescriptor().dwFeatures());
        host.x(">> 62 00 00 00 00 00 01 00 00 00", "<< 80 0F 00 00 00 00 01 00 00 00" + ATR);
        // ECHO of 600 bytes as an extended case 4 APDU: 7 + 600 + 2 = 609 bytes in 261 + 261 + 87
        byte[] data = org.cardstack.sim.Hex.pattern(600);
        byte[] apdu = org.cardstack.sim.Hex.concat(b("80 04 00 00 00 02 58"), data, b("00 00"));
        assertEquals(609, apdu.length);
        sendBlock(host, 2, 0x0001, java.util.Arrays.copyOfRange(apdu, 0, 261));
        assertEquals(n("80 00 00 00 00 00 02 00 00 10"), host.read());
        sendBlock(host, 3, 0x0003, java.util.Arrays.copyOfRange(apdu, 261, 522));
        assertEquals(n("80 00 00 00 00 00 03 00 00 10"), host.read());
        sendBlock(host, 4, 0x0002, java.util.Arrays.copyOfRange(apdu, 522, 609));
        // the answer: 602 bytes in 261 (01) + 261 (03) + 80 (02)
        byte[] a1 = host.readBytes(1000);
        assertEquals("80 05 01 00 00 00 04 00 00 01", s(java.util.Arrays.copyOf(a1, 10)));
        sendBlock(host, 5, 0x0010, new byte[0]);
        byte[] a2 = host.readBytes(1000);
        assertEquals("80 05 01 00 00 00 05 00 00 03", s(java.util.Arrays.copyOf(a2, 10)));
        sendBlock(host, 6, 0x0010, new byte[0]);
        byte[] a3 = host.readBytes(1000);
        assertEquals("80 50 00 00 00 00 06 00 00 02", s(java.util.Arrays.copyOf(a3, 10)));
        byte[] all = org.cardstack.sim.Hex.concat(java.util.Arrays.copyOfRange(a1, 10, a1.length),
                java.util.Arrays.copyOfRange(a2, 10, a2.length), java.util.Arrays.copyOfRange(a3, 10, a3.length));
        assertArrayEquals(org.cardstack.sim.Hex.concat(data, b("90 00")), all);
        // a continuation with nothing to continue
        host.x(">> 6F 00 00 00 00 00 07 00 10 00", "<< 80 00 00 00 00 00 07 40 08 00");
        host.x(">> 6F 04 00 00 00 00 08 00 02 00 80 01 00 00", "<< 80 00 00 00 00 00 08 40 08 00");
        // an extended APDU that fits is not chained
        host.x(">> 6F 0A 00 00 00 00 09 00 00 00 80 04 00 00 00 00 01 AA 00 00",
                "<< 80 03 00 00 00 00 09 00 00 00 AA 90 00");
    }

    private static void sendBlock(Host host, int seq, int level, byte[] data) throws Exception {
        byte[] h = b("6F 00 00 00 00 00 00 00 00 00");
        h[1] = (byte) data.length;
        h[2] = (byte) (data.length >> 8);
        h[6] = (byte) seq;
        h[8] = (byte) level;
        h[9] = (byte) (level >> 8);
        byte[] m = org.cardstack.sim.Hex.concat(h, data);
        host.h.bulkOut(0x03, m, 0, m.length, 1000);
    }

    @Test
    void tpduLevelWithT0Card() throws Exception {
        SimulatedCard card = new SimulatedCard(CardAtrs.rigT0Atr());
        card.install(TestApplet.class, b(TestApplet.AID_HEX), null);
        Host host = open(VirtualCcidReader.builder().level(ExchangeLevel.TPDU).card(card).build());
        host.x(">> 62 00 00 00 00 00 01 00 00 00", "<< 80 0C 00 00 00 00 01 00 00 00 3B 0A 4A 43 4F 50 33 31 56 32 33 32");
        host.x(">> 6C 00 00 00 00 00 02 00 00 00", "<< 82 05 00 00 00 00 02 00 00 00 11 00 00 0A 00");
        host.x(">> 6F 08 00 00 00 00 03 00 00 00 80 04 00 00 03 11 22 33", "<< 80 02 00 00 00 00 03 00 00 00 61 03");
        host.x(">> 6F 05 00 00 00 00 04 00 00 00 00 C0 00 00 03", "<< 80 05 00 00 00 00 04 00 00 00 11 22 33 90 00");
        host.x(">> 6F 05 00 00 00 00 05 00 00 00 80 02 00 0D 05", "<< 80 02 00 00 00 00 05 00 00 00 6C 0D");
        host.x(">> 6F 09 00 00 00 00 06 00 00 00 80 04 00 00 03 11 22 33 00", "<< 80 02 00 00 00 00 06 00 00 00 67 00");
        host.x(">> 6F 05 00 00 00 00 07 00 00 00 00 C0 00 00 03", "<< 80 02 00 00 00 00 07 00 00 00 69 85");
        host.x(">> 6F 05 00 00 00 00 08 00 00 00 80 0A 00 00 01", "<< 80 03 00 00 00 00 08 00 00 00 00 90 00"); // T=0
    }

    @Test
    void protocolFollowsSetParameters() throws Exception {
        Host host = open(VirtualCcidReader.builder().card(testCard()).build());
        host.x(">> 62 00 00 00 00 00 01 00 00 00", "<< 80 0F 00 00 00 00 01 00 00 00" + ATR);
        host.x(">> 6F 05 00 00 00 00 02 00 00 00 80 0A 00 00 01", "<< 80 03 00 00 00 00 02 00 00 00 00 90 00");
        host.x(">> 61 07 00 00 00 00 03 01 00 00 11 10 00 4D 00 FE 00", "<< 82 07 00 00 00 00 03 00 00 01 11 10 00 4D 00 FE 00");
        host.x(">> 6F 05 00 00 00 00 04 00 00 00 80 0A 00 00 01", "<< 80 03 00 00 00 00 04 00 00 00 01 90 00");
    }
}
