package org.cardstack.usb;

import java.io.IOException;

/** A USB transfer or device operation failed. Subclasses say what the caller can do about it. */
public class UsbException extends IOException {
    public UsbException(String message) { super(message); }

    public UsbException(String message, Throwable cause) { super(message, cause); }
}
