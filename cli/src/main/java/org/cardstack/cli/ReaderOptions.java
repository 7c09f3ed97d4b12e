package org.cardstack.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Where readers come from: real USB CCID readers, and simulated ones. */
final class ReaderOptions {
    @Option(names = "--simulate", paramLabel = "SPEC",
            description = "Add a virtual CCID reader with a jCardSim card (repeatable). SPEC is described under"
                    + " 'Simulated readers' below.")
    List<String> simulate = new ArrayList<>();

    @Option(names = "--no-usb", description = "Do not look for real USB readers.")
    boolean noUsb;

    @Option(names = {"-v", "--verbose"}, description = "Log what the stack does (repeat for debug: -vv).")
    boolean[] verbose = new boolean[0];

    /** Sets the log level before the first logger is made (slf4j-simple reads it once). */
    void applyLogLevel() {
        if (verbose.length > 0 && System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", verbose.length > 1 ? "debug" : "info");
        }
    }

    @Option(names = "--no-default-simulator",
            description = "Without real readers and without --simulate, fail instead of adding the default simulated reader.")
    boolean noDefaultSimulator;
}
