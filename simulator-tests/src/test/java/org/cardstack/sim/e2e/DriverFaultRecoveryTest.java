package org.cardstack.sim.e2e;

import static org.cardstack.sim.Hex.b;
import static org.cardstack.sim.Hex.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.cardstack.quirks.QuirkTable;
import org.cardstack.reader.CardAbsentException;
import org.cardstack.reader.Reader;
import org.cardstack.reader.ReaderException;
import org.cardstack.reader.ReaderGoneException;
import org.cardstack.reader.ReaderListener;
import org.cardstack.reader.ReaderProtocolException;
import org.cardstack.reader.ReaderSession;
import org.cardstack.reader.ReaderTimeoutException;
import org.cardstack.reader.SlotState;
import org.cardstack.reader.ccid.CcidDriver;
import org.cardstack.reader.ccid.CcidTimeouts;
import org.cardstack.sim.SimulateSpec;
import org.cardstack.sim.reader.Fault;
import org.cardstack.sim.reader.VirtualCcidReader;
import org.cardstack.sim.reader.VirtualUsbSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every fault the virtual reader can inject, through the whole driver: the faulted command ends
 * with a typed exception (or succeeds where the fault is one the protocol absorbs), within its time
 * bound, and the next command works, or the reader is reported gone. No thread is left behind.
 */
class DriverFaultRecoveryTest {
    private static final String SELECT = "00 A4 04 00 0B F0 43 41 52 44 53 54 41 43 4B 01";
    private static final String ECHO = "80 04 00 00 02 AA BB 00";
    /** Short bounds so that timeouts are quick: 300 ms per answer, 3 s with time extensions. */
    private static final CcidTimeouts FAST = new CcidTimeouts(300, 3_000, 200, 50);

    private VirtualUsbSession usb;
    private VirtualCcidReader virtual;
    private CcidDriver driver;
    private ReaderSession session;
    private Reader reader;
    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    private long threadsBefore;

    @BeforeEach
    void plugReader() throws Exception {
        threadsBefore = cardstackThreads();
        SimulateSpec spec = SimulateSpec.parse("applet=test,level=short");
        usb = spec.newSession();
        virtual = usb.readers().get(0);
        driver = new CcidDriver(usb, QuirkTable.standard(), FAST).start();
        session = driver.openSession("fault-test");
        session.addListener(new ReaderListener() {
            @Override
            public void readerAdded(Reader r) { events.add("added"); }

            @Override
            public void readerRemoved(Reader r) { events.add("removed"); }

            @Override
            public void slotChanged(Reader r, int slot, SlotState state) { events.add("slot " + state); }
        });
        assertEquals("added", events.poll(5, TimeUnit.SECONDS));
        reader = session.readers().get(0);
        reader.powerOn(0);
        assertEquals("90 00", s(reader.transmit(0, b(SELECT))));
    }

    @AfterEach
    void closeAll() throws Exception {
        session.close();
        driver.close();
        usb.close();
        for (int i = 0; i < 50 && cardstackThreads() > threadsBefore; i++) {
            Thread.sleep(20);
        }
        assertEquals(threadsBefore, cardstackThreads(), "threads left behind: " + threadNames());
    }

    static Stream<Arguments> recoverableFaults() {
        return Stream.of(
                Arguments.of("wrong bSeq", Fault.wrongSeq(), ReaderTimeoutException.class),
                Arguments.of("truncated header", Fault.truncated(6), ReaderProtocolException.class),
                Arguments.of("truncated data", Fault.truncated(11), ReaderProtocolException.class),
                Arguments.of("dwLength 0x7FFFFFFF", Fault.oversized(0x7FFFFFFF), ReaderProtocolException.class),
                Arguments.of("garbage", Fault.garbage(), ReaderProtocolException.class),
                Arguments.of("dwLength says more", Fault.lyingLength(+5), ReaderProtocolException.class),
                Arguments.of("dwLength says less", Fault.lyingLength(-1), ReaderProtocolException.class),
                Arguments.of("bulk-out stall", Fault.stall(VirtualCcidReader.EP_BULK_OUT), ReaderProtocolException.class),
                Arguments.of("bulk-in stall", Fault.stall(VirtualCcidReader.EP_BULK_IN), ReaderProtocolException.class),
                Arguments.of("no answer", Fault.noAnswer(), ReaderTimeoutException.class));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("recoverableFaults")
    void faultGivesTypedExceptionAndTheNextCommandWorks(String name, Fault fault,
                                                        Class<? extends ReaderException> expected) {
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            virtual.faults().next(fault);
            ReaderException e = assertThrows(ReaderException.class, () -> reader.transmit(0, b(ECHO)));
            assertTrue(expected.isInstance(e), name + ": expected " + expected.getSimpleName() + ", got " + e);
            assertEquals("AA BB 90 00", s(reader.transmit(0, b(ECHO))), "next command after " + name);
        });
    }

    @Test
    void timeExtensionsAndSlowAnswersAreAbsorbed() {
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            virtual.faults().next(Fault.timeExtension(5, 100));   // 500 ms in all, each wait under 300 ms
            assertEquals("AA BB 90 00", s(reader.transmit(0, b(ECHO))));
            virtual.faults().next(Fault.delay(150));
            assertEquals("AA BB 90 00", s(reader.transmit(0, b(ECHO))));
        });
    }

    @Test
    void endlessTimeExtensionsHitTheOverallBound() {
        assertTimeoutPreemptively(Duration.ofSeconds(8), () -> {
            virtual.faults().next(Fault.timeExtension(1_000, 100));   // 100 s asked for; the bound is 3 s
            assertThrows(ReaderTimeoutException.class, () -> reader.transmit(0, b(ECHO)));
            assertEquals("AA BB 90 00", s(reader.transmit(0, b(ECHO))));
        });
    }

    @Test
    void cardRemovedMidCommandIsCardAbsentAndReinsertionWorks() {
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            virtual.faults().next(Fault.cardRemoved());
            assertThrows(CardAbsentException.class, () -> reader.transmit(0, b(ECHO)));
            assertEquals("slot ABSENT", events.poll(2, TimeUnit.SECONDS));
            virtual.insertCard(0, SimulateSpec.parse("applet=test").newCard());
            assertEquals("slot PRESENT", events.poll(2, TimeUnit.SECONDS));
            reader.powerOn(0);
            assertEquals("90 00", s(reader.transmit(0, b(SELECT))));
        });
    }

    @Test
    void unplugMidCommandMakesTheReaderGone() {
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            virtual.faults().next(Fault.unplug());
            assertThrows(ReaderGoneException.class, () -> reader.transmit(0, b(ECHO)));
            String event;
            do {
                event = events.poll(2, TimeUnit.SECONDS);
                assertNotNull(event, "no removal event");
            } while (!event.equals("removed"));
            assertTrue(reader.isGone());
            assertThrows(ReaderGoneException.class, () -> reader.transmit(0, b(ECHO)));
            assertEquals(List.of(), session.readers());
        });
    }

    private static long cardstackThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("cardstack")).count();
    }

    private static List<String> threadNames() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> n.startsWith("cardstack")).toList();
    }
}
