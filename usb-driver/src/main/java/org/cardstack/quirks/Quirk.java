package org.cardstack.quirks;

import java.util.function.UnaryOperator;
import org.cardstack.ccid.CcidDescriptor;

/**
 * A reader known to misreport its CCID descriptor or to misbehave, keyed by USB vendor and product
 * id (and optionally a bcdDevice range), with what the driver does about it and why.
 */
public record Quirk(int vendorId, int productId, int bcdDeviceMin, int bcdDeviceMax, String reader, String reason,
                    UnaryOperator<CcidDescriptor> fix) {

    public boolean matches(int vid, int pid, int bcdDevice) {
        return vid == vendorId && pid == productId && bcdDevice >= bcdDeviceMin && bcdDevice <= bcdDeviceMax;
    }
}
