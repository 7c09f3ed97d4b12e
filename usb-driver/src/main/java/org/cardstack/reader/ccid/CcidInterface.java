package org.cardstack.reader.ccid;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.cardstack.ccid.CcidDescriptor;
import org.cardstack.quirks.QuirkTable;
import org.cardstack.reader.ReaderProtocolException;
import org.cardstack.usb.ConfigurationDescriptor;
import org.cardstack.usb.EndpointDescriptor;
import org.cardstack.usb.InterfaceDescriptor;
import org.cardstack.usb.UsbDescriptorException;
import org.cardstack.usb.UsbDescriptors;
import org.cardstack.usb.UsbDevice;

/**
 * A CCID interface found on a USB device: its number, endpoints and class descriptor (after quirk
 * corrections).
 *
 * @param interruptIn the interrupt IN endpoint, or -1 when the reader has none (CCID §3.2.1 optional)
 */
public record CcidInterface(UsbDevice device, int interfaceNumber, int bulkOut, int bulkIn, int interruptIn,
                            int iInterface, CcidDescriptor descriptor) {

    public static final int CLASS_SMART_CARD = 0x0B;
    public static final int CLASS_VENDOR_SPECIFIC = 0xFF;

    /**
     * Finds the CCID interfaces of a device the way libccid does: interfaces of class 0x0B, and
     * vendor-specific (0xFF) interfaces that carry a 54-byte CCID class descriptor. An interface
     * without bulk IN and OUT endpoints is skipped (ICCD control-pipe variants are not CCID).
     */
    public static List<CcidInterface> find(UsbDevice device, QuirkTable quirks)
            throws UsbDescriptorException, ReaderProtocolException {
        ConfigurationDescriptor config = UsbDescriptors.parseConfiguration(device.rawConfigurationDescriptor());
        List<CcidInterface> found = new ArrayList<>();
        for (InterfaceDescriptor itf : config.interfaces()) {
            if (itf.bAlternateSetting() != 0) {
                continue;
            }
            boolean smartCard = itf.bInterfaceClass() == CLASS_SMART_CARD;
            boolean vendor = itf.bInterfaceClass() == CLASS_VENDOR_SPECIFIC;
            if (!smartCard && !vendor) {
                continue;
            }
            Optional<byte[]> classDescriptor = itf.extra().stream()
                    .filter(d -> (d[0] & 0xFF) == CcidDescriptor.LENGTH
                            && ((d[1] & 0xFF) == CcidDescriptor.DESCRIPTOR_TYPE || vendor && (d[1] & 0xFF) == 0xFF))
                    .findFirst();
            if (classDescriptor.isEmpty()) {
                continue;
            }
            Optional<EndpointDescriptor> out = itf.endpoint(EndpointDescriptor.TRANSFER_BULK, false);
            Optional<EndpointDescriptor> in = itf.endpoint(EndpointDescriptor.TRANSFER_BULK, true);
            if (out.isEmpty() || in.isEmpty()) {
                continue;
            }
            int intr = itf.endpoint(EndpointDescriptor.TRANSFER_INTERRUPT, true)
                    .map(EndpointDescriptor::bEndpointAddress).orElse(-1);
            CcidDescriptor ccid = quirks.apply(device.vendorId(), device.productId(), device.descriptor().bcdDevice(),
                    CcidDescriptor.parse(classDescriptor.get()));
            found.add(new CcidInterface(device, itf.bInterfaceNumber(), out.get().bEndpointAddress(),
                    in.get().bEndpointAddress(), intr, itf.iInterface(), ccid));
        }
        return found;
    }
}
