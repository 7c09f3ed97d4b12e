package org.cardstack.usb;

/** A transfer did not complete within its timeout (LIBUSB_ERROR_TIMEOUT). */
public final class UsbTimeoutException extends UsbException {
    private final int timeoutMillis;

    public UsbTimeoutException(String what, int timeoutMillis) {
        super(what + " timed out after " + timeoutMillis + " ms");
        this.timeoutMillis = timeoutMillis;
    }

    public int timeoutMillis() { return timeoutMillis; }
}
