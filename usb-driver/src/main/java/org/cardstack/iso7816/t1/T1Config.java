package org.cardstack.iso7816.t1;

import org.cardstack.iso7816.atr.T1ErrorDetection;

/**
 * What the T=1 engine takes from the ATR and the interface device: IFSC (first TA for T=1,
 * §11.4.2), the error detection code (first TC for T=1, §11.4.4), and the NAD to send (§11.3.2.1).
 */
public record T1Config(int ifsc, T1ErrorDetection errorDetection, int nad) {
    public T1Config {
        if (ifsc < 1 || ifsc > Block.MAX_INF) {
            throw new IllegalArgumentException("IFSC " + ifsc + " outside 1..254");
        }
        if (nad < 0 || nad > 0xFF) {
            throw new IllegalArgumentException("NAD " + nad);
        }
        java.util.Objects.requireNonNull(errorDetection, "errorDetection");
    }
}
