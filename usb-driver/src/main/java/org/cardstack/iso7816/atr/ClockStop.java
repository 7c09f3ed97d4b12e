package org.cardstack.iso7816.atr;

/** Clock stop indicator X, bits 8-7 of the first TA for T=15 (ISO/IEC 7816-3 §8.3, table 9). */
public enum ClockStop {
    /** 00, also the default when the byte is absent. */
    NOT_SUPPORTED,
    /** 01: clock may be stopped in state L. */
    STATE_L,
    /** 10: clock may be stopped in state H. */
    STATE_H,
    /** 11: clock may be stopped in either state. */
    NO_PREFERENCE
}
