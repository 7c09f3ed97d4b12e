package org.cardstack.usb;

import java.util.ArrayList;
import java.util.List;

/** Parses raw standard descriptors (USB 2.0 §9.6); every length is checked against the buffer. */
public final class UsbDescriptors {
    public static final int TYPE_DEVICE = 0x01;
    public static final int TYPE_CONFIGURATION = 0x02;
    public static final int TYPE_INTERFACE = 0x04;
    public static final int TYPE_ENDPOINT = 0x05;

    private UsbDescriptors() {
    }

    public static DeviceDescriptor parseDevice(byte[] d) throws UsbDescriptorException {
        if (d.length < 18) {
            throw new UsbDescriptorException("device descriptor: " + d.length + " bytes, need 18");
        }
        if (u8(d, 0) < 18 || u8(d, 1) != TYPE_DEVICE) {
            throw new UsbDescriptorException(String.format(
                    "device descriptor: bLength %d / bDescriptorType 0x%02X, expected >= 18 / 0x01", u8(d, 0), u8(d, 1)));
        }
        return new DeviceDescriptor(u16(d, 2), u8(d, 4), u8(d, 5), u8(d, 6), u8(d, 7), u16(d, 8), u16(d, 10),
                u16(d, 12), u8(d, 14), u8(d, 15), u8(d, 16), u8(d, 17));
    }

    /** Parses a whole configuration descriptor set (wTotalLength bytes) into interfaces and endpoints. */
    public static ConfigurationDescriptor parseConfiguration(byte[] d) throws UsbDescriptorException {
        if (d.length < 9 || u8(d, 1) != TYPE_CONFIGURATION || u8(d, 0) < 9) {
            throw new UsbDescriptorException("configuration descriptor: bad header at offset 0");
        }
        int total = Math.min(u16(d, 2), d.length);
        if (u16(d, 2) < u8(d, 0)) {
            throw new UsbDescriptorException("configuration descriptor: wTotalLength " + u16(d, 2)
                    + " at offset 2 is shorter than its own bLength " + u8(d, 0));
        }
        List<InterfaceDescriptor> interfaces = new ArrayList<>();
        int[] current = null;
        List<EndpointDescriptor> endpoints = new ArrayList<>();
        List<byte[]> extra = new ArrayList<>();
        int off = u8(d, 0);
        while (off < total) {
            if (off + 2 > total) {
                throw new UsbDescriptorException("configuration descriptor: truncated descriptor at offset " + off);
            }
            int len = u8(d, off);
            int type = u8(d, off + 1);
            if (len < 2 || off + len > total) {
                throw new UsbDescriptorException(String.format(
                        "configuration descriptor: bLength %d at offset %d runs past wTotalLength %d", len, off, total));
            }
            if (type == TYPE_INTERFACE) {
                if (len < 9) {
                    throw new UsbDescriptorException("interface descriptor at offset " + off + ": bLength " + len + " < 9");
                }
                if (current != null) {
                    interfaces.add(build(current, endpoints, extra));
                }
                current = new int[] {u8(d, off + 2), u8(d, off + 3), u8(d, off + 5), u8(d, off + 6), u8(d, off + 7),
                        u8(d, off + 8)};
                endpoints = new ArrayList<>();
                extra = new ArrayList<>();
            } else if (type == TYPE_ENDPOINT) {
                if (len < 7) {
                    throw new UsbDescriptorException("endpoint descriptor at offset " + off + ": bLength " + len + " < 7");
                }
                endpoints.add(new EndpointDescriptor(u8(d, off + 2), u8(d, off + 3), u16(d, off + 4) & 0x7FF,
                        u8(d, off + 6)));
            } else if (current != null) {
                extra.add(java.util.Arrays.copyOfRange(d, off, off + len));
            }
            off += len;
        }
        if (current != null) {
            interfaces.add(build(current, endpoints, extra));
        }
        return new ConfigurationDescriptor(u8(d, 5), u8(d, 7), u8(d, 8), interfaces);
    }

    private static InterfaceDescriptor build(int[] f, List<EndpointDescriptor> endpoints, List<byte[]> extra) {
        return new InterfaceDescriptor(f[0], f[1], f[2], f[3], f[4], f[5], endpoints, extra);
    }

    private static int u8(byte[] d, int off) {
        return d[off] & 0xFF;
    }

    private static int u16(byte[] d, int off) {
        return (d[off] & 0xFF) | (d[off + 1] & 0xFF) << 8;
    }
}
