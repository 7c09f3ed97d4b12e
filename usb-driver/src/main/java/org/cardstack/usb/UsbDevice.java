package org.cardstack.usb;

import java.util.Arrays;
import java.util.Objects;

/**
 * A USB device as enumerated: where it sits on the bus and its raw descriptors (USB 2.0 §9.6).
 * The raw configuration descriptor includes every interface, endpoint and class-specific
 * descriptor, so class drivers parse what they need from it with {@link UsbDescriptors}.
 */
public final class UsbDevice {
    private final int bus;
    private final int address;
    private final String portPath;
    private final byte[] deviceDescriptor;
    private final byte[] configurationDescriptor;
    private final DeviceDescriptor parsedDevice;

    public UsbDevice(int bus, int address, String portPath, byte[] deviceDescriptor,
                     byte[] configurationDescriptor) throws UsbDescriptorException {
        this.bus = bus;
        this.address = address;
        this.portPath = Objects.requireNonNull(portPath);
        this.deviceDescriptor = deviceDescriptor.clone();
        this.configurationDescriptor = configurationDescriptor.clone();
        this.parsedDevice = UsbDescriptors.parseDevice(this.deviceDescriptor);
    }

    public int bus() { return bus; }

    public int address() { return address; }

    /** Bus and port numbers, e.g. "1-2.1"; stable while the device stays in the same port. */
    public String portPath() { return portPath; }

    public int vendorId() { return parsedDevice.idVendor(); }

    public int productId() { return parsedDevice.idProduct(); }

    public DeviceDescriptor descriptor() { return parsedDevice; }

    public byte[] rawDeviceDescriptor() { return deviceDescriptor.clone(); }

    public byte[] rawConfigurationDescriptor() { return configurationDescriptor.clone(); }

    /** Identity on the bus: a re-plugged device gets a new address and so is another device. */
    @Override
    public boolean equals(Object o) {
        return o instanceof UsbDevice d && d.bus == bus && d.address == address
                && d.portPath.equals(portPath) && Arrays.equals(d.deviceDescriptor, deviceDescriptor);
    }

    @Override
    public int hashCode() { return Objects.hash(bus, address, portPath); }

    @Override
    public String toString() {
        return String.format("USB %03d/%03d (%s) %04x:%04x", bus, address, portPath, vendorId(), productId());
    }
}
