package org.cardstack.usb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.cardstack.ccid.CcidDescriptor;
import org.cardstack.ccid.CcidTranscript;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Standard descriptors (USB 2.0 §9.6) of the rig reader, traces U1, from
 * {@code vectors/ccid-1.1/U1-enumeration.txt}, and malformed variants of them.
 */
class UsbDescriptorsTest {

    private static final CcidTranscript U1 = CcidTranscript.load("U1-enumeration.txt");

    static byte[] device() { return U1.controlAnswer("80 06 00 01 00 00 12 00"); }

    static byte[] configuration() { return U1.controlAnswer("80 06 00 02 00 00 FF 00"); }

    // ---- device descriptor ----

    @Test
    void rigDevice() throws Exception {
        DeviceDescriptor d = UsbDescriptors.parseDevice(device());
        assertEquals(new DeviceDescriptor(0x0110, 0, 0, 0, 64, 0x08E6, 0x4433, 0x0000, 1, 2, 3, 1), d);
        assertEquals(0x0110, d.bcdUSB(), "USB 1.10");
        assertEquals(0, d.bDeviceClass(), "class given per interface");
        assertEquals(64, d.bMaxPacketSize0());
        assertEquals(0x08E6, d.idVendor(), "Gemalto");
        assertEquals(0x4433, d.idProduct());
        assertEquals(1, d.bNumConfigurations());
    }

    @Test
    void deviceTooShort() {
        byte[] d = Arrays.copyOf(device(), 17);
        assertThrows(UsbDescriptorException.class, () -> UsbDescriptors.parseDevice(d));
        assertThrows(UsbDescriptorException.class, () -> UsbDescriptors.parseDevice(new byte[0]));
    }

    @ParameterizedTest
    @CsvSource({"0, 0x11", "0, 0x00", "1, 0x02", "1, 0x04", "1, 0x00"})
    void deviceBadHeader(int offset, String value) {
        byte[] d = device();
        d[offset] = (byte) (int) Integer.decode(value);
        UsbDescriptorException e = assertThrows(UsbDescriptorException.class, () -> UsbDescriptors.parseDevice(d));
        assertTrue(e.getMessage().contains("bLength") && e.getMessage().contains("bDescriptorType"), e.getMessage());
    }

    // ---- configuration descriptor ----

    @Test
    void rigConfiguration() throws Exception {
        byte[] raw = configuration();
        assertEquals(93, raw.length);
        ConfigurationDescriptor c = UsbDescriptors.parseConfiguration(raw);
        assertEquals(1, c.bConfigurationValue());
        assertEquals(0xE0, c.bmAttributes(), "reserved-one, self-powered, remote wake-up");
        assertEquals(0x32, c.bMaxPower(), "100 mA in 2 mA units");
        assertEquals(1, c.interfaces().size());

        InterfaceDescriptor i = c.interfaces().get(0);
        assertEquals(0, i.bInterfaceNumber());
        assertEquals(0, i.bAlternateSetting());
        assertEquals(0x0B, i.bInterfaceClass(), "Smart Card");
        assertEquals(0, i.bInterfaceSubClass());
        assertEquals(0, i.bInterfaceProtocol(), "CCID with bulk pipes");
        assertEquals(4, i.iInterface());

        // the order given by the device: interrupt first
        assertEquals(List.of(new EndpointDescriptor(0x81, 0x03, 64, 255), new EndpointDescriptor(0x82, 0x02, 64, 0),
                new EndpointDescriptor(0x03, 0x02, 64, 0)), i.endpoints());
        EndpointDescriptor intr = i.endpoints().get(0);
        assertTrue(intr.isIn());
        assertEquals(EndpointDescriptor.TRANSFER_INTERRUPT, intr.transferType());
        assertEquals(0x81, i.endpoint(EndpointDescriptor.TRANSFER_INTERRUPT, true).orElseThrow().bEndpointAddress());
        assertEquals(0x82, i.endpoint(EndpointDescriptor.TRANSFER_BULK, true).orElseThrow().bEndpointAddress());
        assertEquals(0x03, i.endpoint(EndpointDescriptor.TRANSFER_BULK, false).orElseThrow().bEndpointAddress());
        assertFalse(i.endpoint(EndpointDescriptor.TRANSFER_INTERRUPT, false).isPresent());
        assertFalse(i.endpoint(EndpointDescriptor.TRANSFER_ISOCHRONOUS, true).isPresent());

        // the CCID class descriptor, whole, as the one extra descriptor of the interface
        assertEquals(1, i.extra().size());
        byte[] ccid = i.extra(CcidDescriptor.DESCRIPTOR_TYPE).orElseThrow();
        assertArrayEquals(Arrays.copyOfRange(raw, 18, 72), ccid);
        assertEquals(65554, CcidDescriptor.parse(ccid).dwMaxCCIDMessageLength());
        assertFalse(i.extra(0x24).isPresent());
    }

    @Test
    void bytesAfterWTotalLengthAreIgnored() throws Exception {
        byte[] longer = Arrays.copyOf(configuration(), 100);
        longer[93] = 0; // a bLength 0 that is not part of the configuration
        assertEquals(UsbDescriptors.parseConfiguration(configuration()).interfaces().get(0).endpoints(),
                UsbDescriptors.parseConfiguration(longer).interfaces().get(0).endpoints());
    }

    @Test
    void twoInterfacesKeepTheirOwnEndpointsAndExtras() throws Exception {
        byte[] rig = configuration();
        byte[] second = CcidTranscript.hex("09 04 01 00 01 FF 00 00 00  05 24 01 02 03  07 05 84 02 40 00 00");
        byte[] d = Arrays.copyOf(rig, rig.length + second.length);
        System.arraycopy(second, 0, d, rig.length, second.length);
        d[2] = (byte) d.length;
        d[4] = 2;
        ConfigurationDescriptor c = UsbDescriptors.parseConfiguration(d);
        assertEquals(2, c.interfaces().size());
        assertEquals(3, c.interfaces().get(0).endpoints().size());
        assertEquals(List.of(new EndpointDescriptor(0x84, 0x02, 64, 0)), c.interfaces().get(1).endpoints());
        assertTrue(c.interfaces().get(0).extra(0x24).isEmpty());
        assertArrayEquals(CcidTranscript.hex("05 24 01 02 03"), c.interfaces().get(1).extra(0x24).orElseThrow());
        assertTrue(c.interfaces().get(1).extra(CcidDescriptor.DESCRIPTOR_TYPE).isEmpty());
    }

    /** The header read alone (9 bytes, what the kernel asks for first) names no interface. */
    @Test
    void headerOnly() throws Exception {
        byte[] header = U1.controlAnswer("80 06 00 02 00 00 09 00");
        assertArrayEquals(Arrays.copyOf(configuration(), 9), header);
        assertEquals(93, (header[2] & 0xFF) | (header[3] & 0xFF) << 8, "wTotalLength");
    }

    // ---- malformed configuration descriptors ----

    @ParameterizedTest(name = "bLength {1} at offset {0}")
    @CsvSource({
        "9, 0",   // interface descriptor
        "18, 0",  // CCID class descriptor
        "72, 0",  // first endpoint
        "86, 0",  // last endpoint
        "18, 1",  // too short to hold bDescriptorType
        "79, 1",
    })
    void bLengthZeroOrOne(int offset, int bLength) {
        byte[] d = configuration();
        d[offset] = (byte) bLength;
        UsbDescriptorException e = assertThrows(UsbDescriptorException.class, () -> UsbDescriptors.parseConfiguration(d));
        assertTrue(e.getMessage().contains("offset " + offset), e.getMessage());
    }

    @ParameterizedTest(name = "wTotalLength {0}")
    @ValueSource(ints = {92, 90, 87, 80, 73, 71, 19, 10})
    void descriptorRunningPastWTotalLength(int total) {
        byte[] d = configuration();
        d[2] = (byte) total;
        assertThrows(UsbDescriptorException.class, () -> UsbDescriptors.parseConfiguration(d));
    }

    @ParameterizedTest(name = "offset {0} bLength 0x{1}")
    @CsvSource({"18, FF", "18, 37", "72, 0A", "86, 08", "9, 55"})
    void bLengthRunningPastTheEnd(int offset, String bLength) {
        byte[] d = configuration();
        d[offset] = (byte) Integer.parseInt(bLength, 16);
        assertThrows(UsbDescriptorException.class, () -> UsbDescriptors.parseConfiguration(d));
    }

    @ParameterizedTest(name = "{0} of 93 bytes")
    @ValueSource(ints = {92, 89, 80, 40, 10})
    void truncatedInsideADescriptor(int length) {
        byte[] d = Arrays.copyOf(configuration(), length);
        assertThrows(UsbDescriptorException.class, () -> UsbDescriptors.parseConfiguration(d));
    }

    @Test
    void interfaceOrEndpointTooShortForItsFields() {
        byte[] itf = configuration();
        itf[9] = 8;
        UsbDescriptorException e = assertThrows(UsbDescriptorException.class, () -> UsbDescriptors.parseConfiguration(itf));
        assertTrue(e.getMessage().contains("interface") && e.getMessage().contains("offset 9"), e.getMessage());
        byte[] ep = configuration();
        ep[72] = 6;
        e = assertThrows(UsbDescriptorException.class, () -> UsbDescriptors.parseConfiguration(ep));
        assertTrue(e.getMessage().contains("endpoint") && e.getMessage().contains("offset 72"), e.getMessage());
    }

    @ParameterizedTest(name = "byte {0} = {1}")
    @CsvSource({"1, 0x01", "1, 0x04", "0, 0x08", "0, 0x00", "2, 0x05", "2, 0x08"})
    void badConfigurationHeader(int offset, String value) {
        byte[] d = configuration();
        d[offset] = (byte) (int) Integer.decode(value);
        assertThrows(UsbDescriptorException.class, () -> UsbDescriptors.parseConfiguration(d));
    }

    @Test
    void tooShortForAHeader() {
        assertThrows(UsbDescriptorException.class, () -> UsbDescriptors.parseConfiguration(new byte[0]));
        assertThrows(UsbDescriptorException.class, () -> UsbDescriptors.parseConfiguration(Arrays.copyOf(configuration(), 8)));
    }
}
