package org.cardstack.cli;

import java.io.PrintWriter;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import org.cardstack.iso7816.atr.Atr;
import org.cardstack.iso7816.atr.AtrException;
import org.cardstack.reader.Reader;
import org.cardstack.reader.ReaderException;
import org.cardstack.reader.ReaderInfo;
import org.cardstack.reader.SlotState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code cardstack readers}: readers, slots, card state and ATR (like {@code pcsc_scan -r}). */
@Command(name = "readers", mixinStandardHelpOptions = true,
        description = "List readers with their slots, card state and ATR.",
        footerHeading = "%nSimulated readers (--simulate SPEC):%n", footer = SimulateHelp.TEXT)
final class ReadersCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ReaderOptions options = new ReaderOptions();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (ReaderStack stack = new ReaderStack(options, err)) {
            List<Reader> readers = stack.readers();
            if (readers.isEmpty()) {
                err.println("cardstack: no readers");
                return 1;
            }
            for (int i = 0; i < readers.size(); i++) {
                Reader r = readers.get(i);
                ReaderInfo info = r.info();
                out.printf("%d: %s%n", i, info.name());
                out.printf("   %04x:%04x, %s level, %d slot(s), max APDU %d bytes%n", info.vendorId(), info.productId(),
                        info.exchangeLevel(), info.slotCount(), info.maxMessage());
                for (int slot = 0; slot < info.slotCount(); slot++) {
                    out.printf("   slot %d: %s%n", slot, describe(r, slot));
                }
            }
            out.flush();
            return 0;
        }
    }

    private static String describe(Reader r, int slot) {
        try {
            if (r.slotState(slot) == SlotState.ABSENT) {
                return "no card";
            }
            byte[] atr = r.powerOn(slot);
            String hex = HexFormat.ofDelimiter(" ").withUpperCase().formatHex(atr);
            try {
                Atr parsed = Atr.parse(atr);
                return "card present, ATR " + hex + " (protocols " + parsed.protocols().stream()
                        .map(t -> "T=" + t).toList() + ")";
            } catch (AtrException e) {
                return "card present, ATR " + hex + " (malformed: " + e.getMessage() + ")";
            }
        } catch (ReaderException e) {
            return "error: " + e.getMessage();
        }
    }
}
