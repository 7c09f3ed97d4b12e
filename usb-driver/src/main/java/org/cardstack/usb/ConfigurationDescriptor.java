package org.cardstack.usb;

import java.util.List;

/** Standard configuration descriptor (USB 2.0 §9.6.3) with all its interfaces. */
public record ConfigurationDescriptor(int bConfigurationValue, int bmAttributes, int bMaxPower,
                                      List<InterfaceDescriptor> interfaces) {
    public ConfigurationDescriptor {
        interfaces = List.copyOf(interfaces);
    }
}
