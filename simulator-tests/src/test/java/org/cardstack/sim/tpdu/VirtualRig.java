package org.cardstack.sim.tpdu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.HexFormat;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.cardstack.ccid.ExchangeLevel;
import org.cardstack.reader.Reader;
import org.cardstack.reader.ReaderException;
import org.cardstack.reader.ReaderListener;
import org.cardstack.reader.ReaderSession;
import org.cardstack.reader.SlotState;
import org.cardstack.reader.ccid.CcidDriver;
import org.cardstack.sim.applets.TestApplet;
import org.cardstack.sim.card.CardAtrs;
import org.cardstack.sim.card.SimulatedCard;
import org.cardstack.sim.reader.VirtualCcidReader;
import org.cardstack.sim.reader.VirtualUsbSession;

/**
 * The CCID driver on one virtual reader holding a jCardSim card with the test applet, in one of the
 * configurations the TPDU tests compare. Close it to stop the driver.
 */
public final class VirtualRig implements AutoCloseable {
    /** TPDU level, automatic voltage/clock/baud only: the host runs PPS, SetParameters and S(IFS). */
    static final int HOST_SELECTS = 0x00010038;
    static final String SELECT = "00A404000B" + TestApplet.AID_HEX;

    /** The reader configurations the same scenarios run on. */
    public enum Config {
        /** Short APDU level: the reader runs the protocol. */
        APDU_SHORT(ExchangeLevel.SHORT_APDU, null, 3, t1Atr(254)),
        /** Extended APDU level. */
        APDU_EXTENDED(ExchangeLevel.EXTENDED_APDU, null, 3, t1Atr(254)),
        /** TPDU level, T=1 card, the reader sets parameters and IFSD itself. */
        TPDU_T1(ExchangeLevel.TPDU, null, 3, t1Atr(254)),
        /** TPDU level, T=1 card with IFSC 32 and TA1 13, the host negotiates (PPS, SetParameters, S(IFS)). */
        TPDU_T1_HOST(ExchangeLevel.TPDU, HOST_SELECTS, 3, t1Atr(32)),
        /** TPDU level, T=0 (the default ATR offers T=0 first), the host selects parameters. */
        TPDU_T0_HOST(ExchangeLevel.TPDU, HOST_SELECTS, 3, CardAtrs.defaultAtr()),
        /** TPDU level, T=0 only reader that sets parameters itself. */
        TPDU_T0(ExchangeLevel.TPDU, null, 1, CardAtrs.defaultAtr());

        final ExchangeLevel level;
        final Integer features;
        final int protocols;
        final byte[] atr;

        Config(ExchangeLevel level, Integer features, int protocols, byte[] atr) {
            this.level = level;
            this.features = features;
            this.protocols = protocols;
            this.atr = atr;
        }

        /** @return whether extended APDUs go through (extended APDU level, or T=1) */
        public boolean extended() {
            return this == APDU_EXTENDED || this == TPDU_T1 || this == TPDU_T1_HOST;
        }

        /** @return whether the reader is at TPDU level with T=0, where 61xx/6Cxx reach the caller */
        public boolean t0() { return this == TPDU_T0 || this == TPDU_T0_HOST; }
    }

    /**
     * ATR: TA1 13, TD1 81, TD2 31 (T=1): TA3 IFSC, TB3 45 (BWI 4, CWI 5); historical bytes "CARDSTACK".
     */
    static byte[] t1Atr(int ifsc) {
        return CardAtrs.withTck(HexFormat.of().parseHex(String.format("3B 99 13 81 31 %02X 45 43 41 52 44 53 54 41 43 4B 00", ifsc)
                .replace(" ", "")));
    }

    final VirtualCcidReader virtual;
    final Reader reader;

    /** @return the driver's reader */
    public Reader reader() { return reader; }
    private final VirtualUsbSession usb;
    private final CcidDriver driver;
    private final ReaderSession session;

    public VirtualRig(Config config) throws Exception {
        VirtualCcidReader.Builder b = VirtualCcidReader.builder().level(config.level).protocols(config.protocols)
                .clocks(4000).dataRates(10752, 10752, 43010).maxMessageLength(config.level == ExchangeLevel.EXTENDED_APDU
                        ? 5_000 : 271);
        if (config.features != null) {
            b.features(config.features);
        }
        virtual = b.build();
        usb = new VirtualUsbSession(virtual);
        driver = new CcidDriver(usb).start();
        session = driver.openSession("tpdu-test");
        BlockingQueue<Reader> readers = new LinkedBlockingQueue<>();
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        session.addListener(new ReaderListener() {
            @Override
            public void readerAdded(Reader r) { readers.add(r); }

            @Override
            public void readerRemoved(Reader r) { }

            @Override
            public void slotChanged(Reader r, int slot, SlotState state) { events.add(slot + " " + state); }
        });
        reader = readers.poll(5, TimeUnit.SECONDS);
        assertNotNull(reader, "no reader for " + config);
        SimulatedCard card = new SimulatedCard(config.atr);
        card.install(TestApplet.class, HexFormat.of().parseHex(TestApplet.AID_HEX), new byte[0]);
        virtual.insertCard(0, card);
        assertEquals("0 PRESENT", events.poll(5, TimeUnit.SECONDS));
    }

    /**
     * Transmit as a PC/SC application sees it through the javax.smartcardio provider: on T=0, 61xx is
     * followed by GET RESPONSE and 6Cxx by the command again with Le = xx (as SunPCSC does).
     */
    byte[] transmit(byte[] apdu) throws ReaderException {
        byte[] r = reader.transmit(0, apdu);
        for (int i = 0; i < 300 && r.length >= 2; i++) {
            int sw1 = r[r.length - 2] & 0xFF;
            int sw2 = r[r.length - 1] & 0xFF;
            if (sw1 == 0x6C && apdu.length >= 5) {
                byte[] again = apdu.clone();
                again[again.length - 1] = (byte) sw2;
                r = reader.transmit(0, again);
            } else if (sw1 == 0x61) {
                byte[] head = java.util.Arrays.copyOf(r, r.length - 2);
                byte[] next = reader.transmit(0, new byte[] {apdu[0], (byte) 0xC0, 0, 0, (byte) sw2});
                byte[] all = new byte[head.length + next.length];
                System.arraycopy(head, 0, all, 0, head.length);
                System.arraycopy(next, 0, all, head.length, next.length);
                r = all;
            } else {
                return r;
            }
        }
        return r;
    }

    @Override
    public void close() throws Exception {
        session.close();
        driver.close();
        usb.close();
    }
}
