package org.cardstack.iso7816.atr;

/** Error detection code of T=1, bit 1 of the first TC for T=1 (ISO/IEC 7816-3 §11.4.4). */
public enum T1ErrorDetection {
    /** Longitudinal redundancy check, 1 byte (default). */
    LRC,
    /** Cyclic redundancy check, 2 bytes. */
    CRC
}
