package org.cardstack.reader.ccid;

/**
 * Time bounds of the driver.
 *
 * @param commandMillis   how long to wait for a response (reset by each time-extension request)
 * @param overallMillis   bound on one command including all time extensions (CCID §6.2.6
 *                        bmCommandStatus 2); on-card key generation can take a minute
 * @param abortMillis     how long the abort procedure (§5.3.1) may take
 * @param pollMillis      slot-status polling period for readers without an interrupt endpoint
 */
public record CcidTimeouts(int commandMillis, int overallMillis, int abortMillis, int pollMillis) {
    public static final CcidTimeouts DEFAULT = new CcidTimeouts(10_000, 180_000, 1_000, 400);

    public CcidTimeouts {
        if (commandMillis <= 0 || overallMillis < commandMillis || abortMillis <= 0 || pollMillis <= 0) {
            throw new IllegalArgumentException("timeouts must be positive, overall >= command");
        }
    }
}
