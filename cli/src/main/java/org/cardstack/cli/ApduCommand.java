package org.cardstack.cli;

import java.io.PrintWriter;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import org.cardstack.reader.Reader;
import org.cardstack.reader.ReaderException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code cardstack apdu}: power the card and send APDUs, printing each response. */
@Command(name = "apdu", mixinStandardHelpOptions = true,
        description = "Power the card and send APDUs (hex), printing each response.",
        footerHeading = "%nSimulated readers (--simulate SPEC):%n", footer = SimulateHelp.TEXT)
final class ApduCommand implements Callable<Integer> {
    private static final HexFormat HEX = HexFormat.ofDelimiter(" ").withUpperCase();

    @Spec
    CommandSpec spec;

    @Mixin
    ReaderOptions options = new ReaderOptions();

    @Option(names = {"-r", "--reader"}, paramLabel = "NAME",
            description = "Reader to use: its index in 'cardstack readers' or part of its name (default: the first"
                    + " reader with a card).")
    String readerName;

    @Option(names = "--slot", defaultValue = "0", description = "Slot number (default ${DEFAULT-VALUE}).")
    int slot;

    @Parameters(paramLabel = "HEX", arity = "1..*", description = "Command APDUs in hex (spaces and colons allowed"
            + " within one argument).")
    List<String> apdus;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        byte[][] commands = new byte[apdus.size()][];
        for (int i = 0; i < commands.length; i++) {
            try {
                commands[i] = HexFormat.of().parseHex(apdus.get(i).replaceAll("[\\s:]", ""));
            } catch (IllegalArgumentException e) {
                err.println("cardstack: not hex: " + apdus.get(i));
                return 2;
            }
        }
        try (ReaderStack stack = new ReaderStack(options, err)) {
            Reader reader = choose(stack.readers(), err);
            if (reader == null) {
                return 1;
            }
            out.println("reader: " + reader.info().name());
            out.println("ATR:    " + HEX.formatHex(reader.powerOn(slot)));
            for (byte[] command : commands) {
                out.println("> " + HEX.formatHex(command));
                byte[] response = reader.transmit(slot, command);
                out.println("< " + HEX.formatHex(response));
            }
            out.flush();
            return 0;
        } catch (ReaderException e) {
            out.flush();
            err.println("cardstack: " + e.getMessage());
            return 1;
        }
    }

    private Reader choose(List<Reader> readers, PrintWriter err) {
        if (readers.isEmpty()) {
            err.println("cardstack: no readers");
            return null;
        }
        if (readerName == null) {
            return readers.get(0);
        }
        if (readerName.matches("\\d+") && Integer.parseInt(readerName) < readers.size()) {
            return readers.get(Integer.parseInt(readerName));
        }
        List<Reader> matching = readers.stream().filter(r -> r.info().name().contains(readerName)).toList();
        if (matching.size() != 1) {
            err.println("cardstack: " + (matching.isEmpty() ? "no reader" : matching.size() + " readers") + " match '"
                    + readerName + "'");
            return null;
        }
        return matching.get(0);
    }
}
