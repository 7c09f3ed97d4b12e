package org.cardstack.iso7816.t1;

/** Bits 4-1 of an R-block's PCB, ISO/IEC 7816-3 §11.3.2.2. */
public enum RError {
    /** 0000: error-free acknowledgement. */
    NONE(0),
    /** 0001: EDC and/or parity error. */
    EDC(1),
    /** 0010: other errors. */
    OTHER(2);

    private final int code;

    RError(int code) { this.code = code; }

    public int code() { return code; }

    static RError of(int code) {
        for (RError e : values()) {
            if (e.code == code) {
                return e;
            }
        }
        return null;
    }
}
