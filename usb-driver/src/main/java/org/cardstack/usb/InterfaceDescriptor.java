package org.cardstack.usb;

import java.util.List;
import java.util.Optional;

/**
 * Standard interface descriptor (USB 2.0 §9.6.5) with its endpoints and the class-specific
 * descriptors that follow it ({@code extra}, in order, each a whole descriptor with bLength and type).
 */
public record InterfaceDescriptor(int bInterfaceNumber, int bAlternateSetting, int bInterfaceClass,
                                  int bInterfaceSubClass, int bInterfaceProtocol, int iInterface,
                                  List<EndpointDescriptor> endpoints, List<byte[]> extra) {
    public InterfaceDescriptor {
        endpoints = List.copyOf(endpoints);
        extra = extra.stream().map(byte[]::clone).toList();
    }

    @Override
    public List<byte[]> extra() { return extra.stream().map(byte[]::clone).toList(); }

    /** The first class-specific descriptor of the given bDescriptorType, if any. */
    public Optional<byte[]> extra(int descriptorType) {
        return extra.stream().filter(d -> (d[1] & 0xFF) == descriptorType).findFirst().map(byte[]::clone);
    }

    /** The first endpoint of a transfer type and direction, if any. */
    public Optional<EndpointDescriptor> endpoint(int transferType, boolean in) {
        return endpoints.stream().filter(e -> e.transferType() == transferType && e.isIn() == in).findFirst();
    }
}
