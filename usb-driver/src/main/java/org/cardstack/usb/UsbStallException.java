package org.cardstack.usb;

/** The endpoint stalled (LIBUSB_ERROR_PIPE): the device refused the transfer. */
public final class UsbStallException extends UsbException {
    public UsbStallException(String message) { super(message); }
}
