package org.cardstack.sim.card;

import org.cardstack.iso7816.atr.Atr;
import org.cardstack.iso7816.pps.Pps;
import org.cardstack.iso7816.pps.PpsException;

/**
 * What a card in negotiable mode answers a PPS request (ISO/IEC 7816-3 §9.3): the request itself when
 * it asks for an offered protocol (a successful exchange), nothing otherwise (the card stays silent and
 * the interface device deactivates it).
 */
public final class PpsResponder {
    private PpsResponder() {
    }

    /** @return true when {@code bytes} look like a PPS request (PPSS = FF) */
    public static boolean isPps(byte[] bytes) {
        return bytes.length >= 3 && (bytes[0] & 0xFF) == Pps.PPSS;
    }

    /** @return the PPS response, or null when the card does not answer */
    public static byte[] answer(byte[] request, byte[] atr) {
        try {
            Pps pps = Pps.parse(request);
            Atr parsed = Atr.parse(atr);
            if (!parsed.protocols().contains(pps.protocol()) || parsed.specificMode().isPresent()) {
                return null;
            }
            return pps.toBytes();
        } catch (PpsException | RuntimeException e) {
            return null;
        }
    }
}
