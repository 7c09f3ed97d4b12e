package org.cardstack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The commands on simulated readers, checked by their output. */
class CardstackCommandTest {
    record Run(int exit, String out, String err) { }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = Cardstack.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int exit = cmd.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void apduSelectsHelloWorldAndPrintsEachResponse() {
        Run r = run("apdu", "--no-usb", "--simulate", "applet=hello", "00A4040005F000000001", "80 01 00 00 0D");
        assertEquals(0, r.exit, r.err);
        assertTrue(r.out.contains("> 00 A4 04 00 05 F0 00 00 00 01\n< 90 00\n"), r.out);
        assertTrue(r.out.contains("> 80 01 00 00 0D\n< 48 65 6C 6C 6F 20 77 6F 72 6C 64 20 21 90 00\n"), r.out);
    }

    @Test
    void apduOnAT0TpduReaderLeaves61xxToTheCaller() {
        // Test applet INS 04 echoes: case 4 goes out as case 3 on T=0, so the card answers 61 03 (7816-3 §12.2.4)
        Run r = run("apdu", "--no-usb", "--simulate", "t0", "00A404000BF043415244535441434B01", "0004000003AABBCC00",
                "00C0000003");
        assertEquals(0, r.exit, r.err);
        assertTrue(r.out.contains("ATR:    3B 0A 4A 43 4F 50 33 31 56 32 33 32\n"), r.out);
        assertTrue(r.out.contains("> 00 04 00 00 03 AA BB CC 00\n< 61 03\n> 00 C0 00 00 03\n< AA BB CC 90 00\n"), r.out);
    }

    @Test
    void apduOnAT1TpduReaderRunsTheBlockProtocol() {
        // TPDU reader offering T=1 only: the driver runs T=1 (7816-3 §11) with the card's IFSC (32); a 200-byte
        // echo needs chaining both ways, and the answer comes back whole (no 61xx as on T=0).
        String data = "AB".repeat(200);
        Run r = run("apdu", "--no-usb", "--simulate", "level=tpdu,protocols=t1", "00A404000BF043415244535441434B01",
                "00040000C8" + data + "00");
        assertEquals(0, r.exit, r.err);
        assertTrue(r.out.contains("< " + "AB ".repeat(200) + "90 00\n"), r.out);
    }

    @Test
    void readersListsEachSimulatedReaderWithSlotsAndAtr() {
        Run r = run("readers", "--no-usb", "--simulate", "applet=test,level=extended", "--simulate", "t0,empty");
        assertEquals(0, r.exit, r.err);
        assertTrue(r.out.contains("Extended APDU level, 1 slot(s)"), r.out);
        assertTrue(r.out.contains("slot 0: card present, ATR 3B 8A 80 01 4A 43 4F 50 33 31 56 32 33 32 7A"
                + " (protocols [T=0, T=1])"), r.out);
        assertTrue(r.out.contains("TPDU level, 1 slot(s)"), r.out);
        assertTrue(r.out.contains("slot 0: no card"), r.out);
    }

    @Test
    void readerChosenByName() {
        Run r = run("apdu", "--no-usb", "--simulate", "product=Alpha", "--simulate", "product=Beta", "-r", "Beta",
                "00A404000BF043415244535441434B01");
        assertEquals(0, r.exit, r.err);
        assertTrue(r.out.startsWith("reader: cardstack Beta"), r.out);
    }

    @Test
    void badSpecAndBadHexAreClearErrors() {
        Run spec = run("readers", "--no-usb", "--simulate", "level=bogus");
        assertEquals(2, spec.exit);
        assertTrue(spec.err.startsWith("cardstack: --simulate #1 'level=bogus': bad value 'bogus' for key 'level'"), spec.err);
        Run hex = run("apdu", "--no-usb", "--simulate", "applet=hello", "00A4XYZ");
        assertEquals(2, hex.exit);
        assertTrue(hex.err.contains("not hex"), hex.err);
    }

    @Test
    void helpDocumentsTheSimulateGrammar() {
        Run r = run("apdu", "--help");
        assertEquals(0, r.exit);
        assertTrue(r.out.contains("Simulated readers"), r.out);
        assertTrue(r.out.contains("level="), r.out);
    }
}
