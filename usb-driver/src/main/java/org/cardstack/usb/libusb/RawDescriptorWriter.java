package org.cardstack.usb.libusb;

import java.io.ByteArrayOutputStream;

/**
 * Reassembles raw descriptor bytes (USB 2.0 §9.6) from the fields libusb parsed, without opening the
 * device. libusb keeps every descriptor it does not parse itself in an {@code extra} buffer of the
 * configuration, interface or endpoint it follows, in device order; writing each standard descriptor
 * followed by its {@code extra} bytes gives back the configuration descriptor set as the device sent
 * it (GET_DESCRIPTOR(CONFIGURATION, wTotalLength)). No usb4java types here, so it is unit-testable.
 */
final class RawDescriptorWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(128);

    /** The 18-byte device descriptor; bcd and id fields are given as host integers. */
    static byte[] device(int bcdUSB, int bDeviceClass, int bDeviceSubClass, int bDeviceProtocol, int bMaxPacketSize0,
                         int idVendor, int idProduct, int bcdDevice, int iManufacturer, int iProduct,
                         int iSerialNumber, int bNumConfigurations) {
        return new byte[] {18, 0x01, (byte) bcdUSB, (byte) (bcdUSB >> 8), (byte) bDeviceClass, (byte) bDeviceSubClass,
                (byte) bDeviceProtocol, (byte) bMaxPacketSize0, (byte) idVendor, (byte) (idVendor >> 8),
                (byte) idProduct, (byte) (idProduct >> 8), (byte) bcdDevice, (byte) (bcdDevice >> 8),
                (byte) iManufacturer, (byte) iProduct, (byte) iSerialNumber, (byte) bNumConfigurations};
    }

    /** Starts a configuration descriptor set; wTotalLength is filled in by {@link #toByteArray()}. */
    RawDescriptorWriter configuration(int bNumInterfaces, int bConfigurationValue, int iConfiguration,
                                      int bmAttributes, int bMaxPower, byte[] extra) {
        write(9, 0x02, 0, 0, bNumInterfaces, bConfigurationValue, iConfiguration, bmAttributes, bMaxPower);
        out.writeBytes(extra);
        return this;
    }

    RawDescriptorWriter iface(int bInterfaceNumber, int bAlternateSetting, int bNumEndpoints, int bInterfaceClass,
                              int bInterfaceSubClass, int bInterfaceProtocol, int iInterface, byte[] extra) {
        write(9, 0x04, bInterfaceNumber, bAlternateSetting, bNumEndpoints, bInterfaceClass, bInterfaceSubClass,
                bInterfaceProtocol, iInterface);
        out.writeBytes(extra);
        return this;
    }

    /**
     * An endpoint descriptor: 7 bytes, or 9 when libusb read an audio-class endpoint (bLength 9,
     * with bRefresh and bSynchAddress).
     */
    RawDescriptorWriter endpoint(int bLength, int bEndpointAddress, int bmAttributes, int wMaxPacketSize,
                                 int bInterval, int bRefresh, int bSynchAddress, byte[] extra) {
        if (bLength >= 9) {
            write(9, 0x05, bEndpointAddress, bmAttributes, wMaxPacketSize & 0xFF, (wMaxPacketSize >> 8) & 0xFF,
                    bInterval, bRefresh, bSynchAddress);
        } else {
            write(7, 0x05, bEndpointAddress, bmAttributes, wMaxPacketSize & 0xFF, (wMaxPacketSize >> 8) & 0xFF,
                    bInterval);
        }
        out.writeBytes(extra);
        return this;
    }

    /** The configuration descriptor set with wTotalLength set to the bytes written. */
    byte[] toByteArray() {
        byte[] d = out.toByteArray();
        d[2] = (byte) d.length;
        d[3] = (byte) (d.length >> 8);
        return d;
    }

    private void write(int... bytes) {
        for (int b : bytes) {
            out.write(b & 0xFF);
        }
    }
}
