package org.cardstack.usb;

import java.util.List;

/**
 * The narrow USB session the CCID driver works on: enumerate devices, open one, and hear about
 * devices that come and go. Implemented by the libusb backend ({@code org.cardstack.usb.libusb}) and
 * by virtual devices in tests; nothing above this interface knows which.
 */
public interface UsbSession extends AutoCloseable {

    /** The devices present now, with their descriptors read. Never throws for "no USB subsystem". */
    List<UsbDevice> devices() throws UsbException;

    /** Opens a device for transfers. The handle is unusable once the device is unplugged. */
    UsbDeviceHandle open(UsbDevice device) throws UsbException;

    /**
     * Registers a listener for plug and unplug events. Devices already present are not reported;
     * call {@link #devices()} after registering. Returns a registration to close.
     */
    AutoCloseable addHotplugListener(UsbHotplugListener listener);

    @Override
    void close();
}
