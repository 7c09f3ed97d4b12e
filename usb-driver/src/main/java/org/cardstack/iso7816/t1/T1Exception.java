package org.cardstack.iso7816.t1;

import java.io.IOException;

/**
 * The T=1 exchange failed for good: the error-recovery budget of §11.6.3 is spent (the card kept
 * sending invalid blocks, or nothing, even after RESYNCH), or the card aborted the chain. The
 * interface device should deactivate or reset the card (rule 7.4.3).
 */
public class T1Exception extends IOException {
    private static final long serialVersionUID = 1L;

    public T1Exception(String message) { super(message); }
}
