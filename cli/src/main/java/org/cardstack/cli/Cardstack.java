package org.cardstack.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code cardstack} command. */
@Command(name = "cardstack", mixinStandardHelpOptions = true, version = "cardstack 0.1.0",
        description = "A pure-Java smart-card stack: USB CCID readers without pcscd or libccid, and simulated cards.",
        subcommands = {ReadersCommand.class, ApduCommand.class, ServeCommand.class, CardCommand.class, CommandLine.HelpCommand.class})
public final class Cardstack {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine cmd = new CommandLine(new Cardstack()).setCaseInsensitiveEnumValuesAllowed(true);
        // A bad --simulate spec or a missing applet class is a usage error, not a crash: one line, exit 2.
        cmd.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof IllegalArgumentException) {
                commandLine.getErr().println("cardstack: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        return cmd;
    }
}
