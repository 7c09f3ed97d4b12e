package org.cardstack.reader.ccid;

import org.cardstack.iso7816.t1.T1Protocol;
import org.cardstack.reader.NotSupportedException;

/**
 * The transmission protocol in force for a powered card on a TPDU-level reader: T=0 (case mapping
 * per command), T=1 (the slot's block protocol state), or why none could be selected.
 */
final class TpduLink {
    private final int protocol;
    private final T1Protocol t1;
    private final NotSupportedException unsupported;

    private TpduLink(int protocol, T1Protocol t1, NotSupportedException unsupported) {
        this.protocol = protocol;
        this.t1 = t1;
        this.unsupported = unsupported;
    }

    static TpduLink t0() { return new TpduLink(0, null, null); }

    static TpduLink t1(T1Protocol t1) { return new TpduLink(1, t1, null); }

    /** The card works, but with nothing this reader and driver can speak: reported on each transmit. */
    static TpduLink unsupported(NotSupportedException why) { return new TpduLink(-1, null, why); }

    /** @return 0 or 1 */
    int protocol() throws NotSupportedException {
        if (unsupported != null) {
            throw new NotSupportedException(unsupported.getMessage(), unsupported);
        }
        return protocol;
    }

    T1Protocol t1() { return t1; }
}
