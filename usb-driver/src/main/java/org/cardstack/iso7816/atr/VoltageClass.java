package org.cardstack.iso7816.atr;

/** Classes of operating conditions, class indicator U bits 1-3 (ISO/IEC 7816-3 §5.1.3, §8.3 table 10). */
public enum VoltageClass {
    /** Class A, 5 V (bit 1). */
    A,
    /** Class B, 3 V (bit 2). */
    B,
    /** Class C, 1.8 V (bit 3). */
    C
}
