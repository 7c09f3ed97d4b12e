package org.cardstack.ccid;

/** How a reader exchanges with the card, from dwFeatures bits 16..18 (CCID §5.1, table 5.1-1). */
public enum ExchangeLevel {
    CHARACTER("Character"), TPDU("TPDU"), SHORT_APDU("Short APDU"), EXTENDED_APDU("Extended APDU");

    private final String label;

    ExchangeLevel(String label) { this.label = label; }

    public String label() { return label; }

    static ExchangeLevel fromFeatures(int dwFeatures) {
        return switch (dwFeatures & 0x00070000) {
            case 0x00010000 -> TPDU;
            case 0x00020000 -> SHORT_APDU;
            case 0x00040000 -> EXTENDED_APDU;
            default -> CHARACTER;
        };
    }
}
