package org.cardstack.iso7816.t1;

/** Bits 5-1 of an S-block's PCB, ISO/IEC 7816-3 §11.3.2.2. */
public enum SType {
    /** 00000: resynchronisation; sent by the interface device only. */
    RESYNCH(0, false),
    /** 00001: information field size (INF = IFSC or IFSD). */
    IFS(1, true),
    /** 00010: abortion of a chain. */
    ABORT(2, false),
    /** 00011: waiting time extension (INF = multiplier of BWT). */
    WTX(3, true);

    private final int code;
    private final boolean hasValue;

    SType(int code, boolean hasValue) {
        this.code = code;
        this.hasValue = hasValue;
    }

    public int code() { return code; }

    /** @return whether the block carries one byte of INF */
    public boolean hasValue() { return hasValue; }

    static SType of(int code) {
        for (SType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }
}
