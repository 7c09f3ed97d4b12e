package org.cardstack.usb;

/** The device has been unplugged (LIBUSB_ERROR_NO_DEVICE); the handle will never work again. */
public final class UsbDeviceGoneException extends UsbException {
    public UsbDeviceGoneException(String message) { super(message); }
}
