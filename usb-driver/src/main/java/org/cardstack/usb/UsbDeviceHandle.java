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
