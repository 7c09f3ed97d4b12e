package org.cardstack.iso7816.t0;

/** A command APDU that cannot be carried by a T=0 command TPDU (ISO/IEC 7816-3 §12.2). */
public final class T0MappingException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** @param message why the APDU cannot be mapped */
    public T0MappingException(String message) {
        super(message);
    }
}
