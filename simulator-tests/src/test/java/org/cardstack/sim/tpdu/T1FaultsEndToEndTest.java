package org.cardstack.sim.tpdu;

import static org.cardstack.sim.Hex.b;
import static org.cardstack.sim.Hex.concat;
import static org.cardstack.sim.Hex.pattern;
import static org.cardstack.sim.Hex.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Consumer;
import org.cardstack.reader.CardCommunicationException;
import org.cardstack.sim.card.T1Faults;
import org.cardstack.sim.tpdu.VirtualRig.Config;
import org.junit.jupiter.api.Test;

/**
 * Each fault switch of the virtual reader's T=1 card side (ISO/IEC 7816-3 §11.6), through the whole
 * driver on a TPDU reader where the host negotiates (IFSC 32, so 300-byte APDUs chain both ways): the
 * application still gets the card's response; a card that never answers ends in a typed exception,
 * and a new power-on makes the slot work again.
 */
class T1FaultsEndToEndTest {
    private static final byte[] ECHO_300 = concat(b("80 04 00 00 00 01 2C"), pattern(300), b("01 2C"));
    private static final String ECHO_300_RESPONSE = s(concat(pattern(300), b("9000")));

    private static void survives(Consumer<T1Faults> fault) throws Exception {
        try (VirtualRig rig = new VirtualRig(Config.TPDU_T1_HOST)) {
            rig.reader.powerOn(0);
            assertEquals("90 00", s(rig.transmit(b(VirtualRig.SELECT))));
            fault.accept(rig.virtual.t1Faults());
            assertEquals(ECHO_300_RESPONSE, s(rig.transmit(ECHO_300)));
            assertEquals(ECHO_300_RESPONSE, s(rig.transmit(ECHO_300)));
            assertTrue(rig.virtual.t1Faults().injected() > 0, "no fault injected");
        }
    }

    @Test
    void badChecksum() throws Exception { survives(f -> f.badChecksum(2)); }

    @Test
    void lostBlocks() throws Exception { survives(f -> f.lose(2)); }

    @Test
    void wrongSequenceNumber() throws Exception { survives(f -> f.wrongSequence(2)); }

    @Test
    void garbledOnTheWayToTheCard() throws Exception { survives(f -> f.garbleReceived(2)); }

    @Test
    void waitingTimeExtensions() throws Exception { survives(f -> f.wtx(3, 4)); }

    @Test
    void ifsRequestsFromTheCard() throws Exception { survives(f -> f.ifsRequest(1, 7)); }

    @Test
    void cardChainsItsResponseInSmallLinks() throws Exception { survives(f -> f.maxResponseInf(5).badChecksum(1)); }

    @Test
    void threeFailuresInARowAreResynchronised() throws Exception { survives(f -> f.lose(3)); }

    @Test
    void mixedFaults() throws Exception {
        survives(f -> f.badChecksum(1).lose(1).wrongSequence(1).garbleReceived(1).wtx(1, 2).ifsRequest(1, 16));
    }

    @Test
    void cardAbortingItsChainIsTypedAndTheSlotRecovers() throws Exception {
        try (VirtualRig rig = new VirtualRig(Config.TPDU_T1_HOST)) {
            rig.reader.powerOn(0);
            assertEquals("90 00", s(rig.transmit(b(VirtualRig.SELECT))));
            rig.virtual.t1Faults().abortChain(1);
            CardCommunicationException e = assertThrows(CardCommunicationException.class, () -> rig.reader.transmit(0, ECHO_300));
            assertTrue(e.getMessage().contains("ABORT"), e.getMessage());
            rig.reader.powerOn(0);
            assertEquals("90 00", s(rig.transmit(b(VirtualRig.SELECT))));
        }
    }

    @Test
    void muteCardSpendsTheRetryBudgetThenResetWorks() throws Exception {
        try (VirtualRig rig = new VirtualRig(Config.TPDU_T1_HOST)) {
            rig.reader.powerOn(0);
            rig.virtual.t1Faults().lose(1_000);
            long start = System.nanoTime();
            CardCommunicationException e = assertThrows(CardCommunicationException.class,
                    () -> rig.reader.transmit(0, b(VirtualRig.SELECT)));
            assertTrue(e.getMessage().contains("T=1"), e.getMessage());
            assertTrue(System.nanoTime() - start < 5_000_000_000L, "bounded");
            rig.virtual.t1Faults().clear();
            rig.reader.powerOn(0);
            assertEquals("90 00", s(rig.transmit(b(VirtualRig.SELECT))));
        }
    }
}
