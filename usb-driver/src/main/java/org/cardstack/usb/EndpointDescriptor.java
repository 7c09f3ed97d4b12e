package org.cardstack.usb;

/** Standard endpoint descriptor, USB 2.0 §9.6.6. */
public record EndpointDescriptor(int bEndpointAddress, int bmAttributes, int wMaxPacketSize, int bInterval) {
    public static final int TRANSFER_CONTROL = 0;
    public static final int TRANSFER_ISOCHRONOUS = 1;
    public static final int TRANSFER_BULK = 2;
    public static final int TRANSFER_INTERRUPT = 3;

    public boolean isIn() { return (bEndpointAddress & 0x80) != 0; }

    public int transferType() { return bmAttributes & 0x03; }
}
