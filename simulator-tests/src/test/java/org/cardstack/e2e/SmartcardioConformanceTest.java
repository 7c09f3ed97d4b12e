package org.cardstack.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.licel.jcardsim.smartcardio.CardSimulator;
import com.licel.jcardsim.smartcardio.CardTerminalSimulator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javacard.framework.AID;
import javax.smartcardio.Card;
import javax.smartcardio.CardChannel;
import javax.smartcardio.CardTerminal;
import javax.smartcardio.CardTerminals;
import javax.smartcardio.CommandAPDU;
import javax.smartcardio.TerminalFactory;
import org.cardstack.pcsc.smartcardio.CardStackProvider;
import org.cardstack.sim.applets.TestApplet;
import org.cardstack.sim.card.SimulatedCard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The same javax.smartcardio scenarios against jCardSim's CardTerminalSimulator and against the
 * CardStack provider (whole stack, virtual CCID reader), with the test applet on both. Each scenario
 * records what the API calls returned (or which exception type they threw) as a transcript; the
 * transcripts must be equal. Only what the javax.smartcardio API defines is compared; where jCardSim
 * departs from the API (getProtocol() returns the string passed to connect, close() of the basic
 * channel and endExclusive() by a stranger throw CardException instead of IllegalStateException,
 * MANAGE CHANNEL through transmit() is not refused, openLogicalChannel() sends no MANAGE CHANNEL,
 * waitForChange() reports events that happened before its first call, list(CARD_PRESENT) leaves out a
 * terminal whose insertion was not yet consumed by list(CARD_INSERTION)) the scenario does not look.
 */
@Timeout(60)
class SmartcardioConformanceTest {

    /** One implementation under test: a terminal and a way to insert and remove the card. */
    interface Rig extends AutoCloseable {
        CardTerminals terminals() throws Exception;

        CardTerminal terminal() throws Exception;

        void insert() throws Exception;

        void remove() throws Exception;
    }

    static final class JCardSimRig implements Rig {
        final CardTerminals terminals;
        final CardTerminal terminal;
        final CardSimulator card = new CardSimulator();

        JCardSimRig() throws Exception {
            TerminalFactory f = TerminalFactory.getInstance("CardTerminalSimulator", "jCardSim.Terminal",
                    new CardTerminalSimulator.SecurityProvider());
            terminals = f.terminals();
            terminal = terminals.getTerminal("jCardSim.Terminal");
            byte[] aid = PcscRig.b(PcscRig.AID);
            byte[] params = SimulatedCard.installParameters(aid, new byte[0]);
            card.installApplet(new AID(aid, (short) 0, (byte) aid.length), TestApplet.class, params, (short) 0,
                    (byte) params.length);
        }

        @Override
        public CardTerminals terminals() { return terminals; }

        @Override
        public CardTerminal terminal() { return terminal; }

        @Override
        public void insert() { card.assignToTerminal(terminal); }

        @Override
        public void remove() { card.assignToTerminal(null); }

        @Override
        public void close() { }
    }

    static final class CardStackRig implements Rig {
        final PcscRig rig;
        final CardTerminals terminals;

        CardStackRig() throws Exception {
            rig = new PcscRig("level=short");
            terminals = TerminalFactory.getInstance(CardStackProvider.TYPE, null, new CardStackProvider(rig.rm)).terminals();
        }

        @Override
        public CardTerminals terminals() { return terminals; }

        @Override
        public CardTerminal terminal() { return terminals.getTerminal(rig.name); }

        @Override
        public void insert() throws Exception { rig.insert(); }

        @Override
        public void remove() throws Exception { rig.remove(); }

        @Override
        public void close() throws Exception { rig.close(); }
    }

    interface Step {
        Object run() throws Exception;
    }

    /** Runs a step and writes its result, or the type of what it threw, into the transcript. */
    static void step(List<String> transcript, String what, Step step) {
        String result;
        try {
            Object r = step.run();
            result = r instanceof byte[] b ? PcscRig.s(b) : String.valueOf(r);
        } catch (Exception e) {
            result = "threw " + kind(e);
        }
        transcript.add(what + " -> " + result);
    }

    /** The API-level kind of an exception: CardNotPresentException is a CardException too, jCardSim never throws it. */
    static String kind(Exception e) {
        if (e instanceof javax.smartcardio.CardException) {
            return "CardException";
        }
        return e.getClass().getSimpleName();
    }

    static List<String> scenario(Rig r) throws Exception {
        List<String> t = new ArrayList<>();
        CardTerminal term = r.terminal();
        CardTerminals terms = r.terminals();
        step(t, "present before insert", term::isCardPresent);
        step(t, "list(CARD_PRESENT) empty", () -> terms.list(CardTerminals.State.CARD_PRESENT).isEmpty());
        step(t, "list(CARD_ABSENT) has it", () -> terms.list(CardTerminals.State.CARD_ABSENT).contains(term));
        step(t, "list(CARD_INSERTION) before any wait = present ones", () -> terms.list(CardTerminals.State.CARD_INSERTION).size());
        step(t, "connect without card", () -> term.connect("*"));
        step(t, "waitForCardPresent(50) without card", () -> term.waitForCardPresent(50));
        step(t, "waitForChange(-1)", () -> terms.waitForChange(-1));
        r.insert();
        step(t, "present after insert", term::isCardPresent);
        step(t, "waitForCardPresent(1000)", () -> term.waitForCardPresent(1000));
        step(t, "list(ALL) has it", () -> terms.list().contains(term));
        step(t, "connect(null)", () -> term.connect(null));

        Card card = term.connect("*");
        CardChannel ch = card.getBasicChannel();
        step(t, "ATR not null", () -> card.getATR() != null && card.getATR().getBytes().length > 0);
        step(t, "basic channel number", ch::getChannelNumber);
        step(t, "channel's card", () -> ch.getCard() == card);
        step(t, "SELECT", () -> ch.transmit(new CommandAPDU(PcscRig.SELECT)).getBytes());
        step(t, "ECHO case 4", () -> ch.transmit(new CommandAPDU(PcscRig.b("80040000 03 A1A2A3 00"))).getBytes());
        step(t, "GET DATA 5 bytes", () -> ch.transmit(new CommandAPDU(0x80, 0x02, 0, 5, 256)).getBytes());
        step(t, "error SW", () -> ch.transmit(new CommandAPDU(0x80, 0x06, 0x6A, 0x82)).getSW());
        step(t, "unknown INS", () -> ch.transmit(new CommandAPDU(0x80, 0x55, 0, 0)).getSW());
        step(t, "transmit(ByteBuffer)", () -> {
            java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(300);
            int n = ch.transmit(java.nio.ByteBuffer.wrap(PcscRig.b("80040000 02 B1B2 00")), out);
            return n + " " + PcscRig.s(java.util.Arrays.copyOf(out.array(), n));
        });

        card.beginExclusive();
        step(t, "beginExclusive twice", () -> {
            card.beginExclusive();
            return "ok";
        });
        step(t, "transmit from another thread while exclusive", () -> PcscRig.async(() -> {
            try {
                return "SW " + ch.transmit(new CommandAPDU(PcscRig.SELECT)).getSW();
            } catch (Exception e) {
                return "threw " + kind(e);
            }
        }).get(5, TimeUnit.SECONDS));
        step(t, "transmit from the exclusive thread", () -> ch.transmit(new CommandAPDU(PcscRig.SELECT)).getSW());
        card.endExclusive();
        step(t, "transmit from another thread after endExclusive", () -> PcscRig.async(() -> {
            try {
                return "SW " + ch.transmit(new CommandAPDU(PcscRig.SELECT)).getSW();
            } catch (Exception e) {
                return "threw " + kind(e);
            }
        }).get(5, TimeUnit.SECONDS));

        step(t, "first waitForChange(10) is not compared", () -> {
            terms.waitForChange(10);
            return "-";
        });
        step(t, "waitForChange(50) with nothing happening", () -> terms.waitForChange(50));
        r.remove();
        step(t, "waitForChange(5000) after removal", () -> terms.waitForChange(5000));
        step(t, "list(CARD_REMOVAL) has it", () -> terms.list(CardTerminals.State.CARD_REMOVAL).contains(term));
        step(t, "present after removal", term::isCardPresent);
        step(t, "waitForCardAbsent(1000)", () -> term.waitForCardAbsent(1000));
        step(t, "waitForCardPresent(50) after removal", () -> term.waitForCardPresent(50));
        r.insert();
        step(t, "waitForChange(5000) after insertion", () -> terms.waitForChange(5000));
        step(t, "list(CARD_INSERTION) has it", () -> terms.list(CardTerminals.State.CARD_INSERTION).contains(term));

        Card card2 = term.connect("*");
        CardChannel ch2 = card2.getBasicChannel();
        step(t, "SELECT on the new card", () -> ch2.transmit(new CommandAPDU(PcscRig.SELECT)).getBytes());
        card2.disconnect(false);
        step(t, "transmit after disconnect", () -> ch2.transmit(new CommandAPDU(PcscRig.SELECT)));
        step(t, "disconnect again", () -> {
            card2.disconnect(false);
            return "ok";
        });
        return t;
    }

    @Test
    void sameResultsOnJCardSimAndCardStack() throws Exception {
        List<String> jcardsim;
        List<String> cardstack;
        try (Rig r = new JCardSimRig()) {
            jcardsim = scenario(r);
        }
        try (Rig r = new CardStackRig()) {
            cardstack = scenario(r);
        }
        assertEquals(String.join("\n", jcardsim), String.join("\n", cardstack));
    }
}
