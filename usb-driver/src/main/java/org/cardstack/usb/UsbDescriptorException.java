package org.cardstack.usb;

/** A descriptor read from a device is malformed; the message names the offset and the field. */
public final class UsbDescriptorException extends UsbException {
    public UsbDescriptorException(String message) { super(message); }
}
