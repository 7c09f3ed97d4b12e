package org.cardstack.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import javax.smartcardio.Card;
import javax.smartcardio.CardChannel;
import javax.smartcardio.CardTerminal;
import javax.smartcardio.CommandAPDU;
import javax.smartcardio.TerminalFactory;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.cardstack.ccid.ExchangeLevel;
import org.cardstack.iso7816.atr.Atr;
import org.cardstack.pcsc.manager.ResourceManager;
import org.cardstack.pcsc.smartcardio.CardStackProvider;
import org.cardstack.reader.ccid.CcidDriver;
import org.cardstack.sim.card.SimulatedCard;
import org.cardstack.sim.reader.VirtualUsbSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * User applets from jars and class directories (--simulate cp=): the example applet of
 * examples/counter-applet is compiled here, outside the test class path, as a user would build it.
 */
class AppletClasspathTest {
    private static final HexFormat HEX = HexFormat.of().withUpperCase();
    static final String COUNTER = "com.example.counter.CounterApplet";
    static final String AID = "F0000000C0FFEE";

    @TempDir
    static Path tmp;
    static Path classes;
    static Path jar;
    static Path broken;

    @BeforeAll
    static void build() throws IOException {
        Path src = Path.of("..", "examples", "counter-applet", "src").toAbsolutePath().normalize();
        List<Path> sources;
        try (Stream<Path> s = Files.walk(src)) {
            sources = s.filter(p -> p.toString().endsWith(".java")).toList();
        }
        classes = compile(tmp.resolve("classes"), sources);
        jar = jar(classes, tmp.resolve("counter.jar"));
        // applets whose install throws, and a class that is no applet
        Path bsrc = tmp.resolve("bsrc/com/example/bad");
        Files.createDirectories(bsrc);
        Files.writeString(bsrc.resolve("ThrowingApplet.java"), """
                package com.example.bad;
                public final class ThrowingApplet extends javacard.framework.Applet {
                    public static void install(byte[] b, short o, byte l) {
                        javacard.framework.ISOException.throwIt((short) 0x6A80);
                    }
                    public void process(javacard.framework.APDU apdu) { }
                }
                """);
        Files.writeString(bsrc.resolve("NotAnApplet.java"), """
                package com.example.bad;
                public final class NotAnApplet { }
                """);
        broken = jar(compile(tmp.resolve("bclasses"), List.of(bsrc.resolve("ThrowingApplet.java"),
                bsrc.resolve("NotAnApplet.java"))), tmp.resolve("bad.jar"));
    }

    static Path compile(Path out, List<Path> sources) throws IOException {
        Files.createDirectories(out);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<String> args = new ArrayList<>(List.of("-nowarn", "-cp", System.getProperty("java.class.path"),
                "-d", out.toString()));
        sources.forEach(p -> args.add(p.toString()));
        assertEquals(0, javac.run(null, null, null, args.toArray(String[]::new)), "javac failed");
        return out;
    }

    static Path jar(Path dir, Path jarFile) throws IOException {
        try (OutputStream o = Files.newOutputStream(jarFile); JarOutputStream j = new JarOutputStream(o);
             Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                j.putNextEntry(new ZipEntry(dir.relativize(p).toString().replace(File.separatorChar, '/')));
                j.write(Files.readAllBytes(p));
                j.closeEntry();
            }
        }
        return jarFile;
    }

    static String hex(byte[] b) { return HEX.formatHex(b); }

    static byte[] send(SimulatedCard card, String apdu) { return card.transmit(HEX.parseHex(apdu)); }

    @Test
    void theExampleIsNotOnTheTestClassPath() {
        assertThrows(ClassNotFoundException.class, () -> Class.forName(COUNTER));
    }

    @Test
    void appletFromAJarWithInstallParameters() {
        SimulateSpec spec = SimulateSpec.parse("cp=" + jar + ",applet=" + COUNTER + ",aid=" + AID + ",params=0005");
        SimulatedCard card = spec.newCard();
        card.powerOn();
        assertEquals("9000", hex(send(card, "00A40400" + "07" + AID)));
        assertEquals("00069000", hex(send(card, "8010000000")));
        assertEquals("00079000", hex(send(card, "8010000000")));
        assertEquals("9000", hex(send(card, "8030123400")));
        assertEquals("12349000", hex(send(card, "8020000000")));
        // the applet's class came from the jar, the Java Card API from cardstack's jCardSim
        Class<?> c = AppletClasspath.load(COUNTER, spec.classpath());
        assertTrue(c.getClassLoader() instanceof java.net.URLClassLoader);
        assertEquals(javacard.framework.Applet.class, c.getSuperclass());
    }

    @Test
    void appletFromAClassDirectoryAndSeveralAppletsOnACard() {
        SimulatedCard card = SimulateSpec.parse("applet=test,cp=" + classes + ",applet=" + COUNTER + ",aid=" + AID
                + ",applet=hello").newCard();
        card.powerOn();
        assertEquals("9000", hex(send(card, "00A4040007" + AID)));
        assertEquals("00019000", hex(send(card, "8010000000")));   // no params: starts at 0
        assertEquals("9000", hex(send(card, "00A4040005" + SimulateSpec.HELLO_AID)));
        assertEquals("9000", hex(send(card, "00A404000B F043415244535441434B01".replace(" ", ""))));
    }

    @Test
    void globalClassPathAsTheCliGivesIt() {
        SimulateSpec spec = SimulateSpec.parse("applet=" + COUNTER + ",aid=" + AID, List.of(jar));
        assertEquals(List.of(jar.toAbsolutePath().normalize()), spec.classpath());
        spec.newCard();
    }

    @Test
    void scenariosThatCannotLoadSayWhy() {
        assertError("applet=" + COUNTER + ",aid=" + AID, "applet class " + COUNTER + " not found", "no cp= given");
        assertError("cp=" + classes + ",applet=com.example.Nope,aid=" + AID, "com.example.Nope not found in " + classes);
        assertError("cp=" + tmp.resolve("missing.jar") + ",applet=" + COUNTER + ",aid=" + AID, "missing.jar does not exist",
                "key 'cp'");
        assertError("cp=" + jar + ",applet=" + COUNTER + ",aid=F000", "aid=F000 is 2 bytes (5 to 16)");
        assertError("cp=" + jar + ",applet=" + COUNTER, "needs aid=HEX");
        assertError("cp=" + broken + ",applet=com.example.bad.ThrowingApplet,aid=" + AID,
                "applet com.example.bad.ThrowingApplet (aid=" + AID + "): install failed", "reason 0x");
        assertError("cp=" + broken + ",applet=com.example.bad.NotAnApplet,aid=" + AID, "not a javacard.framework.Applet");
        // the applet rejects 3 bytes of applet data (SW 6700 from its constructor)
        assertError("cp=" + jar + ",applet=" + COUNTER + ",aid=" + AID + ",params=010203", "install failed");
        assertError("cp=" + jar + "::x", "empty entry");
    }

    @Test
    void atrByTheProtocolsTheCardOffers() {
        assertEquals(List.of(1), Atr.parse(SimulateSpec.parse("atr=t1").atr()).protocols());
        assertEquals(List.of(0), Atr.parse(SimulateSpec.parse("atr=t0").atr()).protocols());
        assertEquals(List.of(0, 1), Atr.parse(SimulateSpec.parse("atr=t0/t1").atr()).protocols());
        assertError("atr=t1,level=tpdu", "ATR offers T=1 only but the reader supports T=0 only");
        assertError("atr=t0,protocols=t1", "ATR offers T=0 only but the reader supports T=1 only");
        assertEquals(ExchangeLevel.TPDU, SimulateSpec.parse("atr=t1,level=tpdu,protocols=t1").level());
    }

    /** Several virtual readers, each with its own card and applets, through the in-process javax.smartcardio provider. */
    @Test
    void severalReadersThroughTheSmartcardioProvider() throws Exception {
        VirtualUsbSession bus = new VirtualUsbSession();
        bus.plug(SimulateSpec.parse("cp=" + jar + ",applet=" + COUNTER + ",aid=" + AID + ",params=0100,serial=A").newReader());
        bus.plug(SimulateSpec.parse("cp=" + jar + ",applet=" + COUNTER + ",aid=" + AID + ",params=0200,atr=t1,serial=B")
                .newReader());
        try (CcidDriver driver = new CcidDriver(bus).start(); ResourceManager rm = new ResourceManager()) {
            rm.addSource(driver);
            rm.sync();
            TerminalFactory f = TerminalFactory.getInstance(CardStackProvider.TYPE, null, new CardStackProvider(rm));
            List<CardTerminal> terminals = f.terminals().list();
            assertEquals(2, terminals.size(), terminals.toString());
            List<String> values = new ArrayList<>();
            for (CardTerminal t : terminals) {
                Card card = t.connect("*");
                CardChannel ch = card.getBasicChannel();
                assertEquals(0x9000, ch.transmit(new CommandAPDU(HEX.parseHex("00A4040007" + AID))).getSW());
                values.add(hex(ch.transmit(new CommandAPDU(0x80, 0x10, 0, 0, 2)).getBytes()) + " " + card.getProtocol());
                card.disconnect(false);
            }
            assertEquals(List.of("01019000 T=0", "02019000 T=1"), values);
        } finally {
            bus.close();
        }
    }

    static void assertError(String spec, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SimulateSpec.parse(spec), spec);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + e.getMessage() + "' should mention " + f);
        }
    }
}
