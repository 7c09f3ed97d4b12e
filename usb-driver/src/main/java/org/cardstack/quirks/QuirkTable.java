package org.cardstack.quirks;

import java.util.List;
import java.util.Optional;
import org.cardstack.ccid.CcidDescriptor;

/**
 * Readers whose descriptors are known to be wrong, and the correction applied. Entries follow the
 * behaviour documented for libccid's open hacks and our own captures (shared/docs/ccid-traces.md).
 */
public final class QuirkTable {
    private final List<Quirk> quirks;

    public QuirkTable(List<Quirk> quirks) { this.quirks = List.copyOf(quirks); }

    /** The table the driver uses by default. */
    public static QuirkTable standard() {
        return new QuirkTable(List.of(
                // O2Micro OZ776: announces a maximum data rate the firmware cannot do
                new Quirk(0x0B97, 0x7762, 0, 0xFFFF, "O2Micro OZ776", "dwMaxDataRate too high; limited to 9600",
                        d -> with(d, b -> b.dwMaxDataRate = 9600)),
                new Quirk(0x0B97, 0x7772, 0, 0xFFFF, "O2Micro OZ776 (7772)", "dwMaxDataRate too high; limited to 9600",
                        d -> with(d, b -> b.dwMaxDataRate = 9600)),
                // Gemalto GemPC Twin / GemPC Key: dwMaxIFSD 0 on old firmware, which forbids any T=1 block
                new Quirk(0x08E6, 0x3437, 0, 0xFFFF, "Gemalto GemPC Twin", "dwMaxIFSD 0 on some firmware; use 254",
                        d -> d.dwMaxIFSD() == 0 ? with(d, b -> b.dwMaxIFSD = 254) : d),
                new Quirk(0x08E6, 0x3438, 0, 0xFFFF, "Gemalto GemPC Key", "dwMaxIFSD 0 on some firmware; use 254",
                        d -> d.dwMaxIFSD() == 0 ? with(d, b -> b.dwMaxIFSD = 254) : d),
                // QEMU usb-ccid (08e6:4433): announces bPINSupport 01 but refuses Secure (ccid-traces Q8)
                new Quirk(0x08E6, 0x4433, 0, 0xFFFF, "QEMU usb-ccid (GemPC433-Swap ids)",
                        "bPINSupport announced but PC_to_RDR_Secure refused (Q8); no PIN pad",
                        d -> with(d, b -> b.bPINSupport = 0))));
    }

    public static QuirkTable none() { return new QuirkTable(List.of()); }

    public Optional<Quirk> find(int vid, int pid, int bcdDevice) {
        return quirks.stream().filter(q -> q.matches(vid, pid, bcdDevice)).findFirst();
    }

    /** The descriptor with the matching quirk's correction applied, or unchanged. */
    public CcidDescriptor apply(int vid, int pid, int bcdDevice, CcidDescriptor d) {
        return find(vid, pid, bcdDevice).map(q -> q.fix().apply(d)).orElse(d);
    }

    /** Mutable copy of the fields a quirk may change; kept private to this table. */
    private static final class Builder {
        int dwMaxDataRate;
        int dwMaxIFSD;
        int bPINSupport;
        int dwFeatures;
        int dwMaxCCIDMessageLength;
    }

    private static CcidDescriptor with(CcidDescriptor d, java.util.function.Consumer<Builder> change) {
        Builder b = new Builder();
        b.dwMaxDataRate = d.dwMaxDataRate();
        b.dwMaxIFSD = d.dwMaxIFSD();
        b.bPINSupport = d.bPINSupport();
        b.dwFeatures = d.dwFeatures();
        b.dwMaxCCIDMessageLength = d.dwMaxCCIDMessageLength();
        change.accept(b);
        return new CcidDescriptor(d.bcdCCID(), d.bMaxSlotIndex(), d.bVoltageSupport(), d.dwProtocols(),
                d.dwDefaultClock(), d.dwMaximumClock(), d.bNumClockSupported(), d.dwDataRate(), b.dwMaxDataRate,
                d.bNumDataRatesSupported(), b.dwMaxIFSD, d.dwSynchProtocols(), d.dwMechanical(), b.dwFeatures,
                b.dwMaxCCIDMessageLength, d.bClassGetResponse(), d.bClassEnvelope(), d.wLcdLayout(), b.bPINSupport,
                d.bMaxCCIDBusySlots());
    }

}
