package org.cardstack.pcsc.smartcardio;

import javax.smartcardio.CardException;
import javax.smartcardio.CardNotPresentException;
import org.cardstack.pcsc.PcscException;
import org.cardstack.pcsc.ScardError;

/** PC/SC errors to javax.smartcardio exceptions; the {@link PcscException} (with its ScardError) is always the cause. */
final class Errors {
    private Errors() {
    }

    static CardException cardException(String what, PcscException e) {
        ScardError err = e.error();
        if (err == ScardError.E_NO_SMARTCARD || err == ScardError.W_REMOVED_CARD) {
            return new CardNotPresentException(what + ": " + e.getMessage(), e);
        }
        return new CardException(what + ": " + e.getMessage(), e);
    }

    /** The ScardError behind a CardException from this provider, or null. */
    static ScardError errorOf(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof PcscException p) {
                return p.error();
            }
        }
        return null;
    }
}
