package org.cardstack.iso7816.t0;

import org.cardstack.iso7816.apdu.CommandApdu;

/**
 * Maps a command APDU to the T=0 command TPDU, ISO/IEC 7816-3 §12.2 (short cases only).
 * Handling of the 61xx and 6Cxx status words is left to the caller.
 */
public final class T0CaseMapping {
    private T0CaseMapping() {
    }

    /**
     * Case 1 gives P3 = 00 (§12.2.2); case 2S gives P3 = Le, with Ne = 256 as 00 (§12.2.3); case 3S is
     * unchanged (§12.2.4); case 4S is sent as case 3S, Le dropped: the card answers 61xx and the caller
     * fetches the data with GET RESPONSE (§12.2.5).
     *
     * @param apdu a short or case 1 command APDU
     * @return the command TPDU
     * @throws T0MappingException for extended APDUs, or INS 6X / 9X which T=0 cannot carry
     */
    public static T0CommandTpdu map(CommandApdu apdu) {
        if (apdu.isExtended()) {
            throw new T0MappingException(String.format("extended case %dE APDU (Nc=%d, Ne=%d) cannot be mapped"
                    + " to a T=0 TPDU: P3 is a single byte, so extended lengths need ENVELOPE (case 3E/4E) or"
                    + " GET RESPONSE chaining (case 2E/4E) by the layer above, ISO/IEC 7816-3 §12.2",
                    apdu.caseNumber(), apdu.nc(), apdu.ne()));
        }
        int ins = apdu.ins();
        if ((ins & 0xF0) == 0x60 || (ins & 0xF0) == 0x90) {
            // ISO/IEC 7816-4 §5.1.2 bars INS 6X / 9X: on T=0 the ACK echoes INS and would read as SW1 (7816-3 §10.3.3).
            throw new T0MappingException(String.format("INS 0x%02X is invalid on T=0: values 6X and 9X collide"
                    + " with SW1 procedure bytes (ISO/IEC 7816-3 §10.3.3, 7816-4 §5.1.2)", ins));
        }
        return switch (apdu.caseNumber()) {
            case 1 -> tpdu(apdu, 0, T0CommandTpdu.Transfer.NONE);
            case 2 -> tpdu(apdu, apdu.ne() & 0xFF, T0CommandTpdu.Transfer.FROM_CARD);
            default -> tpdu(apdu, apdu.nc(), T0CommandTpdu.Transfer.TO_CARD); // cases 3S and 4S
        };
    }

    private static T0CommandTpdu tpdu(CommandApdu a, int p3, T0CommandTpdu.Transfer transfer) {
        byte[] data = transfer == T0CommandTpdu.Transfer.TO_CARD ? a.data() : new byte[0];
        return new T0CommandTpdu(a.cla(), a.ins(), a.p1(), a.p2(), p3, data, transfer);
    }
}
