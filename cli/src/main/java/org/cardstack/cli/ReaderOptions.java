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

    @Option(names = "--applet-classpath", paramLabel = "PATHS",
            description = "Jars and/or class directories (joined with ':') holding Java Card applets for every"
                    + " --simulate reader (applet=CLASS,aid=HEX); each SPEC may add its own with cp=.")
    String appletClasspath;

    @Option(names = "--vpcd", paramLabel = "[ADDR:]PORT", arity = "0..1", fallbackValue = "35963",
            description = "Listen for vsmartcard vpcd-protocol cards (vicc, jCardSim's VSmartCard, the Remote Smart"
                    + " Card Reader app) as vpcd does: a reader per port from PORT [35963], on 127.0.0.1 unless ADDR"
                    + " is given (0.0.0.0: all interfaces). A card that connects is inserted, one that leaves removed.")
    String vpcd;

    @Option(names = "--vpcd-readers", paramLabel = "N", defaultValue = "1",
            description = "Number of --vpcd readers, on consecutive ports [${DEFAULT-VALUE}].")
    int vpcdReaders = 1;

    @Option(names = "--vpcd-connect", paramLabel = "HOST:PORT",
            description = "vpcd reverse mode: connect to a card listening at HOST:PORT (e.g. vicc --reversed),"
                    + " and again whenever it goes (repeatable).")
    List<String> vpcdConnect = new ArrayList<>();

    @Option(names = "--vpcd-timeout", paramLabel = "SECONDS",
            description = "How long a vpcd card has to answer an APDU before it is dropped [60].")
    Double vpcdTimeout;

    @Option(names = "--vpcd-wait", paramLabel = "SECONDS", defaultValue = "0",
            description = "readers/apdu: wait up to this long for a vpcd card to connect [${DEFAULT-VALUE}].")
    double vpcdWait = 0;

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
