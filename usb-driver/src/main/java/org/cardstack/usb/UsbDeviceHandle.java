package org.cardstack.usb;

/**
 * An open USB device. Every transfer has a timeout in milliseconds (0 is not allowed: nothing
 * waits forever). Transfers may be called from several threads, one per endpoint.
 */
public interface UsbDeviceHandle extends AutoCloseable {

    UsbDevice device();

    void claimInterface(int interfaceNumber) throws UsbException;

    void releaseInterface(int interfaceNumber) throws UsbException;

    /** Writes all of {@code data} to a bulk OUT endpoint; returns the bytes transferred. */
    int bulkOut(int endpoint, byte[] data, int offset, int length, int timeoutMillis) throws UsbException;

    /** Reads one transfer (up to {@code length} bytes) from a bulk IN endpoint; returns the count. */
    int bulkIn(int endpoint, byte[] buffer, int offset, int length, int timeoutMillis) throws UsbException;

    /**
     * Writes all of {@code out} to a bulk OUT endpoint and reads the one transfer that follows from a
     * bulk IN endpoint (a command and its answer); returns the count read. An implementation may have
     * the IN queued before the OUT completes, so that the device's answer is taken the moment it is
     * ready instead of after the host has seen the OUT complete (a request on a bulk IN endpoint waits,
     * NAKed, until the device has data: USB 2.0 §8.5.2). If the OUT fails or is short, the IN is
     * cancelled and {@link UsbBulkOutException} says how; other exceptions are the IN's.
     */
    default int bulkOutIn(int outEndpoint, byte[] out, int outOffset, int outLength, int outTimeoutMillis,
            int inEndpoint, byte[] in, int inOffset, int inLength, int inTimeoutMillis) throws UsbException {
        int n;
        try {
            n = bulkOut(outEndpoint, out, outOffset, outLength, outTimeoutMillis);
        } catch (UsbException e) {
            throw new UsbBulkOutException(e);
        }
        if (n != outLength) {
            throw new UsbBulkOutException(String.format("bulk-out 0x%02X", outEndpoint & 0xFF), n, outLength);
        }
        return bulkIn(inEndpoint, in, inOffset, inLength, inTimeoutMillis);
    }

    /** Reads one transfer from an interrupt IN endpoint; returns the count. */
    int interruptIn(int endpoint, byte[] buffer, int offset, int length, int timeoutMillis) throws UsbException;

    /**
     * A control transfer (USB 2.0 §9.3). For IN requests (bit 7 of requestType set) data is
     * filled; returns the bytes transferred.
     */
    int controlTransfer(int requestType, int request, int value, int index, byte[] data, int timeoutMillis)
            throws UsbException;

    /** Clears a halted (stalled) endpoint (USB 2.0 §9.4.1 CLEAR_FEATURE ENDPOINT_HALT). */
    void clearHalt(int endpoint) throws UsbException;

    /** A string descriptor in US English, or null when the index is 0 or the device has none. */
    String stringDescriptor(int index) throws UsbException;

    @Override
    void close();
}
