package org.cardstack.cli;

import org.cardstack.sim.SimulateSpec;

/** The --simulate grammar, shown in --help. */
final class SimulateHelp {
    static final String TEXT = SimulateSpec.HELP;

    private SimulateHelp() {
    }
}
