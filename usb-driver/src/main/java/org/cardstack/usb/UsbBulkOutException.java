package org.cardstack.usb;

/**
 * The OUT half of {@link UsbDeviceHandle#bulkOutIn} failed, so the IN half was cancelled and nothing
 * was read. The cause (a {@link UsbStallException}, {@link UsbTimeoutException}, ...) says how the OUT
 * failed; without one, the device took only {@link #written()} of the bytes.
 */
public final class UsbBulkOutException extends UsbException {
    private final int written;

    public UsbBulkOutException(UsbException cause) {
        super(cause.getMessage(), cause);
        this.written = -1;
    }

    public UsbBulkOutException(String what, int written, int length) {
        super(what + " wrote " + written + " of " + length + " bytes");
        this.written = written;
    }

    /** The OUT's own failure, or null for a short write. */
    @Override
    public synchronized UsbException getCause() { return (UsbException) super.getCause(); }

    /** Bytes the device took in a short write; -1 when the OUT failed outright. */
    public int written() { return written; }
}
