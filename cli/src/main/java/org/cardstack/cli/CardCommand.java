package org.cardstack.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code cardstack card}: insert or remove cards of a running {@code cardstack serve --control PATH}. */
@Command(name = "card", mixinStandardHelpOptions = true,
        description = {"Insert or remove cards in the virtual readers of a running 'cardstack serve --control PATH',"
                + " so PC/SC clients see card events.",
                "  cardstack card --control PATH list",
                "  cardstack card --control PATH remove sim0 [SLOT]      take the card out",
                "  cardstack card --control PATH insert sim0 [SLOT]      put it back (state kept)",
                "  cardstack card --control PATH insert sim0 [SLOT] new  insert a fresh card",
                "  cardstack card --control PATH remove vpcd0            disconnect the vicc of a vpcd reader",
                "Reader ids: sim0, sim1, ... are the --simulate readers in order; vpcd0, ... the vpcd readers."})
final class CardCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--control", paramLabel = "PATH", required = true,
            description = "The control socket given to 'cardstack serve --control'.")
    Path control;

    @Parameters(paramLabel = "COMMAND", arity = "1..*", description = "list | insert ID [SLOT] [new] | remove ID [SLOT]")
    List<String> words;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String answer;
        try {
            answer = ControlServer.send(control, String.join(" ", words), 10_000);
        } catch (java.io.IOException e) {
            err.println("cardstack: control socket " + control + ": " + e.getMessage());
            return 1;
        }
        if (answer.startsWith("error")) {
            err.println("cardstack: " + answer.substring(5).trim());
            return 1;
        }
        out.println(answer);
        out.flush();
        return 0;
    }
}
