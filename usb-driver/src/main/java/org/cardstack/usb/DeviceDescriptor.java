package org.cardstack.usb;

/** Standard device descriptor, USB 2.0 §9.6.1. */
public record DeviceDescriptor(int bcdUSB, int bDeviceClass, int bDeviceSubClass, int bDeviceProtocol,
                               int bMaxPacketSize0, int idVendor, int idProduct, int bcdDevice,
                               int iManufacturer, int iProduct, int iSerialNumber, int bNumConfigurations) {
}
