package org.cardstack.iso7816.atr;

/** Transmission convention announced by TS (ISO/IEC 7816-3 §8.1). */
public enum Convention {
    /** TS = 0x3B: state H encodes 1, lsb first. */
    DIRECT,
    /** TS = 0x3F (as decoded): state L encodes 1, msb first. */
    INVERSE
}
