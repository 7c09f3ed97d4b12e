package org.cardstack.usb;

/** Plug and unplug events from a {@link UsbSession}; called on the session's event thread. */
public interface UsbHotplugListener {
    void deviceArrived(UsbDevice device);

    void deviceLeft(UsbDevice device);
}
