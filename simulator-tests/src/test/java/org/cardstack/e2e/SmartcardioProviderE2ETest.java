package org.cardstack.e2e;

import static org.cardstack.e2e.PcscRig.b;
import static org.cardstack.e2e.PcscRig.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.smartcardio.Card;
import javax.smartcardio.CardChannel;
import javax.smartcardio.CardException;
import javax.smartcardio.CardNotPresentException;
import javax.smartcardio.CardTerminal;
import javax.smartcardio.CardTerminals;
import javax.smartcardio.CommandAPDU;
import javax.smartcardio.TerminalFactory;
import org.cardstack.pcsc.ControlCodes;
import org.cardstack.pcsc.PcscCancelledException;
import org.cardstack.pcsc.PcscException;
import org.cardstack.pcsc.ScardError;
import org.cardstack.pcsc.manager.ResourceManager;
import org.cardstack.pcsc.smartcardio.CardStackCard;
import org.cardstack.pcsc.smartcardio.CardStackProvider;
import org.cardstack.pcsc.smartcardio.CardStackTerminals;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The javax.smartcardio provider over the whole stack and the virtual CCID reader. */
@Timeout(30)
class SmartcardioProviderE2ETest {
    static final String ECHO_CASE4 = "80040000 03 A1A2A3 00";

    static TerminalFactory factory(PcscRig rig) throws Exception {
        return TerminalFactory.getInstance(CardStackProvider.TYPE, null, new CardStackProvider(rig.rm));
    }

    static ScardError cause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof PcscException p) {
                return p.error();
            }
        }
        return null;
    }

    @Test
    void wholeApiOnAT0Card() throws Exception {
        try (PcscRig rig = new PcscRig("t0")) {
            CardTerminals terminals = factory(rig).terminals();
            CardTerminal t = terminals.list().get(0);
            assertEquals(rig.name, t.getName());
            assertEquals(List.of(), terminals.list(CardTerminals.State.CARD_PRESENT));
            assertThrows(CardNotPresentException.class, () -> t.connect("*"));
            rig.insert();
            assertTrue(t.isCardPresent());
            assertEquals(List.of(t), terminals.list(CardTerminals.State.CARD_PRESENT));

            Card card = t.connect("*");
            assertEquals("T=0", card.getProtocol());
            assertSame(card, t.connect("T=0"), "as SunPCSC: the same card again");
            assertThrows(CardException.class, () -> t.connect("T=1"));
            CardChannel ch = card.getBasicChannel();
            assertEquals(0, ch.getChannelNumber());
            assertEquals(0x9000, ch.transmit(new CommandAPDU(PcscRig.SELECT)).getSW());
            // 61xx: GET RESPONSE automatically
            assertEquals("A1A2A39000", s(ch.transmit(new CommandAPDU(b(ECHO_CASE4))).getBytes()));
            // 6Cxx: repeated with the right Le automatically
            assertEquals(13, ch.transmit(new CommandAPDU(b("8002000D 05"))).getNr());
            assertThrows(IllegalArgumentException.class, () -> ch.transmit(new CommandAPDU(b("00700000 01"))));
            byte[] features = card.transmitControlCommand(ControlCodes.CM_IOCTL_GET_FEATURE_REQUEST, new byte[0]);
            assertEquals(12, features.length);
            assertEquals("AB", s(card.transmitControlCommand(ControlCodes.IOCTL_SMARTCARD_VENDOR_IFD_EXCHANGE, b("01AB"))));
            assertTrue(((CardStackCard) card).getAttrib(org.cardstack.pcsc.Attributes.VENDOR_NAME).length > 1);

            // reset probe: 00 after a reset
            assertEquals("009000", s(ch.transmit(new CommandAPDU(b("80090000 01"))).getBytes()));
            assertEquals("019000", s(ch.transmit(new CommandAPDU(b("80090000 01"))).getBytes()));
            card.disconnect(true);
            assertThrows(IllegalStateException.class, () -> ch.transmit(new CommandAPDU(PcscRig.SELECT)));
            Card again = t.connect("*");
            CardChannel ch2 = again.getBasicChannel();
            ch2.transmit(new CommandAPDU(PcscRig.SELECT));
            assertEquals("009000", s(ch2.transmit(new CommandAPDU(b("80090000 01"))).getBytes()), "disconnect(true) reset the card");
            again.disconnect(false);
        }
    }

    @Test
    void t0GetResponseCanBeSwitchedOff() throws Exception {
        try (PcscRig rig = new PcscRig("t0")) {
            rig.insert();
            CardTerminal t = factory(rig).terminals().getTerminal(rig.name);
            System.setProperty("sun.security.smartcardio.t0GetResponse", "false");
            Card card;
            try {
                card = t.connect("T=0");
            } finally {
                System.clearProperty("sun.security.smartcardio.t0GetResponse");
            }
            CardChannel ch = card.getBasicChannel();
            ch.transmit(new CommandAPDU(PcscRig.SELECT));
            assertEquals("6103", s(ch.transmit(new CommandAPDU(b(ECHO_CASE4))).getBytes()));
            assertEquals("A1A2A39000", s(ch.transmit(new CommandAPDU(b("00C00000 03"))).getBytes()));
            card.disconnect(false);
        }
    }

    @Test
    void exclusiveAccessAcrossThreadsAndApplications() throws Exception {
        try (PcscRig rig = new PcscRig("level=short")) {
            rig.insert();
            Card mine = factory(rig).terminals().getTerminal(rig.name).connect("*");
            Card theirs = factory(rig).terminals().getTerminal(rig.name).connect("*");
            mine.beginExclusive();
            assertThrows(CardException.class, mine::beginExclusive);
            CompletableFuture<Throwable> otherThread = PcscRig.async(() -> {
                try {
                    mine.getBasicChannel().transmit(new CommandAPDU(PcscRig.SELECT));
                    return null;
                } catch (Throwable e) {
                    return e;
                }
            });
            assertInstanceOf(CardException.class, otherThread.get(5, TimeUnit.SECONDS));
            // another application blocks until the exclusive access ends
            CompletableFuture<Integer> other = PcscRig.async(() -> {
                try {
                    return theirs.getBasicChannel().transmit(new CommandAPDU(PcscRig.SELECT)).getSW();
                } catch (CardException e) {
                    return -1;
                }
            });
            PcscManagerE2ETest.awaitWaiters(rig, 1);
            assertFalse(other.isDone());
            assertEquals(0x9000, mine.getBasicChannel().transmit(new CommandAPDU(PcscRig.SELECT)).getSW());
            mine.endExclusive();
            assertEquals(0x9000, other.get(5, TimeUnit.SECONDS));
            assertThrows(IllegalStateException.class, mine::endExclusive);
        }
    }

    @Test
    void waitForChangeWakesOnCardsReadersAndCancel() throws Exception {
        try (PcscRig rig = new PcscRig("level=short")) {
            CardStackTerminals terminals = (CardStackTerminals) factory(rig).terminals();
            CardTerminal t = terminals.getTerminal(rig.name);
            assertFalse(terminals.waitForChange(20), "the first call waits too");

            CompletableFuture<Boolean> w = waitAsync(terminals);
            PcscManagerE2ETest.awaitWaiters(rig, 1);
            rig.vreader.insertCard(0, rig.sim.newCard());
            assertTrue(w.get(5, TimeUnit.SECONDS));
            assertEquals(List.of(t), terminals.list(CardTerminals.State.CARD_INSERTION));
            assertEquals(List.of(), terminals.list(CardTerminals.State.CARD_REMOVAL));

            w = waitAsync(terminals);
            PcscManagerE2ETest.awaitWaiters(rig, 1);
            rig.vreader.removeCard(0);
            assertTrue(w.get(5, TimeUnit.SECONDS));
            assertEquals(List.of(t), terminals.list(CardTerminals.State.CARD_REMOVAL));

            w = waitAsync(terminals);
            PcscManagerE2ETest.awaitWaiters(rig, 1);
            rig.vreader.unplug();
            assertTrue(w.get(5, TimeUnit.SECONDS));
            assertEquals(List.of(), terminals.list());

            w = waitAsync(terminals); // no reader at all: still waits (SunPCSC throws IllegalStateException)
            PcscManagerE2ETest.awaitWaiters(rig, 1, w);
            CompletableFuture<Boolean> noReader = w;
            assertFalse(noReader.isDone(), () -> "returned early: " + noReader.handle((v, x) -> v + " " + x).join());
            rig.usb.plug(rig.vreader);
            assertTrue(w.get(5, TimeUnit.SECONDS));
            assertEquals(List.of(t), terminals.list());

            AtomicReference<Throwable> failure = new AtomicReference<>();
            CompletableFuture<Void> c = PcscRig.run(() -> {
                try {
                    terminals.waitForChange(0);
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            PcscManagerE2ETest.awaitWaiters(rig, 1);
            terminals.cancelWait();
            c.get(5, TimeUnit.SECONDS);
            assertInstanceOf(CardException.class, failure.get());
            assertInstanceOf(PcscCancelledException.class, failure.get().getCause());
            assertThrows(IllegalArgumentException.class, () -> terminals.waitForChange(-1));
        }
    }

    private static CompletableFuture<Boolean> waitAsync(CardTerminals terminals) {
        return PcscRig.async(() -> {
            try {
                return terminals.waitForChange(10_000);
            } catch (CardException e) {
                throw new RuntimeException(e);
            }
        });
    }

    @Test
    void recoversFromReplugAndFromAServiceRestart() throws Exception {
        try (PcscRig rig = new PcscRig("level=short")) {
            rig.insert();
            AtomicReference<ResourceManager> current = new AtomicReference<>(rig.rm);
            CardTerminals terminals = TerminalFactory.getInstance(CardStackProvider.TYPE, null,
                    new CardStackProvider(current::get)).terminals();
            CardTerminal t = terminals.getTerminal(rig.name);
            Card card = t.connect("*");
            card.getBasicChannel().transmit(new CommandAPDU(PcscRig.SELECT));

            rig.unplug();
            CardException e = assertThrows(CardException.class,
                    () -> card.getBasicChannel().transmit(new CommandAPDU(PcscRig.SELECT)));
            assertEquals(ScardError.E_INVALID_VALUE, cause(e));
            assertThrows(IllegalStateException.class, () -> card.getBasicChannel());
            assertTrue(t.waitForCardAbsent(100));
            CompletableFuture<Boolean> present = PcscRig.async(() -> {
                try {
                    return t.waitForCardPresent(10_000);
                } catch (CardException x) {
                    throw new RuntimeException(x);
                }
            });
            PcscManagerE2ETest.awaitWaiters(rig, 1);
            rig.replug();
            rig.insert();
            assertTrue(present.get(5, TimeUnit.SECONDS), "the same terminal object sees the reader come back");
            Card card2 = t.connect("*");
            assertEquals(0x9000, card2.getBasicChannel().transmit(new CommandAPDU(PcscRig.SELECT)).getSW());

            // the service restarts: a new manager on the same driver
            ResourceManager restarted = new ResourceManager();
            try (AutoCloseable src = restarted.addSource(rig.driver)) {
                rig.rm.close();
                current.set(restarted);
                assertEquals(List.of(rig.name), terminals.list().stream().map(CardTerminal::getName).toList());
                Card card3 = t.connect("*");
                assertEquals(0x9000, card3.getBasicChannel().transmit(new CommandAPDU(PcscRig.SELECT)).getSW());
            } finally {
                restarted.close();
            }
        }
    }
}
