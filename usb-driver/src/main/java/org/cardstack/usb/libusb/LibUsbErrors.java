package org.cardstack.usb.libusb;

import org.cardstack.usb.UsbDeviceGoneException;
import org.cardstack.usb.UsbException;
import org.cardstack.usb.UsbStallException;
import org.cardstack.usb.UsbTimeoutException;

/**
 * libusb error codes (libusb.h, {@code enum libusb_error}) to the USB exception types. The names are
 * kept here so the mapping works (and is testable) without the native library.
 */
final class LibUsbErrors {
    static final int SUCCESS = 0;
    static final int ERROR_IO = -1;
    static final int ERROR_INVALID_PARAM = -2;
    static final int ERROR_ACCESS = -3;
    static final int ERROR_NO_DEVICE = -4;
    static final int ERROR_NOT_FOUND = -5;
    static final int ERROR_BUSY = -6;
    static final int ERROR_TIMEOUT = -7;
    static final int ERROR_OVERFLOW = -8;
    static final int ERROR_PIPE = -9;
    static final int ERROR_INTERRUPTED = -10;
    static final int ERROR_NO_MEM = -11;
    static final int ERROR_NOT_SUPPORTED = -12;
    static final int ERROR_OTHER = -99;

    // enum libusb_transfer_status
    static final int TRANSFER_COMPLETED = 0;
    static final int TRANSFER_ERROR = 1;
    static final int TRANSFER_TIMED_OUT = 2;
    static final int TRANSFER_CANCELLED = 3;
    static final int TRANSFER_STALL = 4;
    static final int TRANSFER_NO_DEVICE = 5;
    static final int TRANSFER_OVERFLOW = 6;

    private LibUsbErrors() {
    }

    /** libusb's name for an error code, e.g. "LIBUSB_ERROR_NO_DEVICE". */
    static String name(int rc) {
        return switch (rc) {
            case SUCCESS -> "LIBUSB_SUCCESS";
            case ERROR_IO -> "LIBUSB_ERROR_IO";
            case ERROR_INVALID_PARAM -> "LIBUSB_ERROR_INVALID_PARAM";
            case ERROR_ACCESS -> "LIBUSB_ERROR_ACCESS";
            case ERROR_NO_DEVICE -> "LIBUSB_ERROR_NO_DEVICE";
            case ERROR_NOT_FOUND -> "LIBUSB_ERROR_NOT_FOUND";
            case ERROR_BUSY -> "LIBUSB_ERROR_BUSY";
            case ERROR_TIMEOUT -> "LIBUSB_ERROR_TIMEOUT";
            case ERROR_OVERFLOW -> "LIBUSB_ERROR_OVERFLOW";
            case ERROR_PIPE -> "LIBUSB_ERROR_PIPE";
            case ERROR_INTERRUPTED -> "LIBUSB_ERROR_INTERRUPTED";
            case ERROR_NO_MEM -> "LIBUSB_ERROR_NO_MEM";
            case ERROR_NOT_SUPPORTED -> "LIBUSB_ERROR_NOT_SUPPORTED";
            case ERROR_OTHER -> "LIBUSB_ERROR_OTHER";
            default -> "libusb error " + rc;
        };
    }

    /**
     * The exception for a failed libusb call.
     *
     * @param what          the operation, e.g. "bulk-in 0x82 on USB 001/002"
     * @param timeoutMillis the transfer's timeout, for {@link UsbTimeoutException}
     */
    static UsbException exception(int rc, String what, int timeoutMillis) {
        return switch (rc) {
            case ERROR_TIMEOUT -> new UsbTimeoutException(what, timeoutMillis);
            case ERROR_NO_DEVICE -> new UsbDeviceGoneException(what + ": " + name(rc) + " (device unplugged)");
            case ERROR_PIPE -> new UsbStallException(what + ": " + name(rc) + " (endpoint stalled)");
            case ERROR_ACCESS -> new UsbException(what + ": " + name(rc)
                    + " (no permission on the device node; udev rule or group membership needed)");
            case ERROR_BUSY -> new UsbException(what + ": " + name(rc) + " (claimed by another program or driver)");
            default -> new UsbException(what + ": " + name(rc));
        };
    }

    /** The exception for an asynchronous transfer that ended with {@code status} (not COMPLETED). */
    static UsbException transferException(int status, String what, int timeoutMillis) {
        return switch (status) {
            case TRANSFER_TIMED_OUT -> new UsbTimeoutException(what, timeoutMillis);
            case TRANSFER_NO_DEVICE -> new UsbDeviceGoneException(what + ": LIBUSB_TRANSFER_NO_DEVICE (device unplugged)");
            case TRANSFER_STALL -> new UsbStallException(what + ": LIBUSB_TRANSFER_STALL (endpoint stalled)");
            case TRANSFER_CANCELLED -> new UsbException(what + ": LIBUSB_TRANSFER_CANCELLED");
            case TRANSFER_OVERFLOW -> new UsbException(what + ": LIBUSB_TRANSFER_OVERFLOW (device sent more than asked)");
            case TRANSFER_ERROR -> new UsbException(what + ": LIBUSB_TRANSFER_ERROR");
            default -> new UsbException(what + ": transfer status " + status);
        };
    }

    /** Throws the mapped exception when {@code rc} is negative; returns it otherwise. */
    static int check(int rc, String what, int timeoutMillis) throws UsbException {
        if (rc < 0) {
            throw exception(rc, what, timeoutMillis);
        }
        return rc;
    }

    static int check(int rc, String what) throws UsbException {
        return check(rc, what, 0);
    }
}
