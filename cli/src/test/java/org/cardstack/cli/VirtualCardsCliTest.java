package org.cardstack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import javax.tools.ToolProvider;
import org.cardstack.cli.CardstackCommandTest.Run;
import org.cardstack.reader.Reader;
import org.cardstack.reader.SlotState;
import org.cardstack.vpcd.wire.VpcdWire;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** --applet-classpath, scenario errors, --vpcd and the card control of the CLI. */
@Timeout(60)
class VirtualCardsCliTest {
    static final String COUNTER = "com.example.counter.CounterApplet";
    static final String AID = "F0000000C0FFEE";

    @TempDir
    static Path tmp;
    static Path jar;

    /** The example applet, compiled and jarred as a user would (it is on no class path of the build). */
    @BeforeAll
    static void buildApplet() throws Exception {
        Path src = Path.of("..", "examples", "counter-applet", "src", "com", "example", "counter", "CounterApplet.java");
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-nowarn", "-cp",
                System.getProperty("java.class.path"), "-d", classes.toString(), src.toString());
        assertEquals(0, rc);
        jar = tmp.resolve("counter.jar");
        try (OutputStream o = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(o);
             Stream<Path> s = Files.walk(classes)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                j.putNextEntry(new ZipEntry(classes.relativize(p).toString().replace(File.separatorChar, '/')));
                j.write(Files.readAllBytes(p));
                j.closeEntry();
            }
        }
    }

    @Test
    void apduWithAnAppletFromTheAppletClasspath() {
        Run r = CardstackCommandTest.run("apdu", "--no-usb", "--applet-classpath", jar.toString(), "--simulate",
                "applet=" + COUNTER + ",aid=" + AID + ",params=0041", "00A4040007" + AID, "8010000000");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("< 00 42 90 00"), r.out());
    }

    @Test
    void twoReadersEachWithItsOwnCard() {
        Run r = CardstackCommandTest.run("readers", "--no-usb", "--simulate",
                "cp=" + jar + ",applet=" + COUNTER + ",aid=" + AID + ",atr=t1,serial=A",
                "--simulate", "applet=test,applet=" + COUNTER + ",aid=" + AID + ",cp=" + jar + ",serial=B");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("(A)") && r.out().contains("(B)"), r.out());
        assertTrue(r.out().contains("(protocols [T=1])"), r.out());
    }

    @Test
    void aScenarioThatDoesNotLoadIsNamed() {
        Run r = CardstackCommandTest.run("apdu", "--no-usb", "--simulate", "applet=test", "--simulate",
                "cp=" + jar + ",applet=com.example.Missing,aid=" + AID, "00A40400");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--simulate #2 'cp=" + jar + ",applet=com.example.Missing,aid=" + AID + "'"), r.err());
        assertTrue(r.err().contains("com.example.Missing not found in " + jar), r.err());
        Run bad = CardstackCommandTest.run("apdu", "--no-usb", "--applet-classpath", tmp.resolve("nope.jar").toString(),
                "--simulate", "applet=test", "00A40400");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("--applet-classpath: class path entry") && bad.err().contains("does not exist"),
                bad.err());
    }

    @Test
    void helpDocumentsTheOptions() {
        Run r = CardstackCommandTest.run("serve", "--help");
        for (String s : new String[] {"--applet-classpath", "--vpcd", "--vpcd-connect", "--control", "cp=PATHS", "atr=A"}) {
            assertTrue(r.out().contains(s), s + " missing in\n" + r.out());
        }
    }

    @Test
    void controlInsertsAndRemovesCards() throws Exception {
        ReaderOptions o = new ReaderOptions();
        o.vpcd = "127.0.0.1:0";
        o.appletClasspath = jar.toString();
        try (VirtualReaders v = VirtualReaders.create(o, List.of("applet=" + COUNTER + ",aid=" + AID, "slots=2,cards=1"))) {
            assertEquals("sim0 slot 0: card  --simulate applet=" + COUNTER + ",aid=" + AID, v.control("list").lines().findFirst().get());
            assertEquals("ok sim1 slot 1: card inserted", v.control("insert sim1 1"));
            assertEquals("ok sim0 slot 0: card removed", v.control("remove sim0"));
            assertEquals("ok sim0 slot 0: was empty", v.control("remove sim0"));
            assertEquals("ok sim0 slot 0: card inserted", v.control("insert sim0"));
            assertEquals("ok sim0 slot 0: has a card already", v.control("insert sim0 0 new"));
            assertThrows(IllegalArgumentException.class, () -> v.control("insert sim9"));
            assertThrows(IllegalArgumentException.class, () -> v.control("insert sim1 5"));
            assertThrows(IllegalArgumentException.class, () -> v.control("eject sim0"));
            assertThrows(IllegalArgumentException.class, () -> v.control("insert vpcd0"));
            // a vicc connects to the vpcd reader; 'remove vpcd0' disconnects it
            InetSocketAddress at = v.vpcd.get(0).addresses().get(0);
            try (Socket s = new Socket()) {
                s.connect(at, 1_000);
                s.setSoTimeout(5_000);
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                assertEquals("000104", HexFormat.of().formatHex(in.readNBytes(3)));
                out.write(VpcdWire.frame(HexFormat.of().parseHex("3B8A80014A434F503331563233327A")));
                Reader r = v.vpcd.get(0).readers().get(0);
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (r.slotState(0) != SlotState.PRESENT && System.nanoTime() < end) Thread.sleep(10);
                assertTrue(v.control("list").contains("vpcd0 slot 0: card  Virtual PCD 127.0.0.1:"), v.control("list"));
                assertEquals("ok vpcd0: card removed (vicc disconnected)", v.control("remove vpcd0"));
                assertEquals(-1, in.read());
            }
        }
    }

    @Test
    void controlSocketRoundTrip() throws Exception {
        Path sock = tmp.resolve("ctl/control");
        List<String> seen = new ArrayList<>();
        try (ControlServer server = new ControlServer(sock, line -> {
            seen.add(line);
            if (line.startsWith("boom")) throw new IllegalArgumentException("no such thing");
            return "ok " + line + "\nsecond line";
        })) {
            assertEquals("ok list\nsecond line", ControlServer.send(sock, "list", 5_000));
            assertEquals("error no such thing", ControlServer.send(sock, "boom", 5_000));
            Run r = CardstackCommandTest.run("card", "--control", sock.toString(), "remove", "sim0", "1");
            assertEquals(0, r.exit(), r.err());
            assertEquals("ok remove sim0 1\nsecond line\n", r.out());
            Run e = CardstackCommandTest.run("card", "--control", sock.toString(), "boom");
            assertEquals(1, e.exit());
            assertTrue(e.err().contains("no such thing"), e.err());
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)));
        }
        assertTrue(!Files.exists(sock));
        Run gone = CardstackCommandTest.run("card", "--control", sock.toString(), "list");
        assertEquals(1, gone.exit());
    }

    @Test
    void hostPortParsing() {
        assertEquals(new VirtualReaders.HostPort(null, 35963), VirtualReaders.HostPort.parse("--vpcd", "", 35963));
        assertEquals(new VirtualReaders.HostPort(null, 4000), VirtualReaders.HostPort.parse("--vpcd", "4000", 35963));
        assertEquals(new VirtualReaders.HostPort("0.0.0.0", 35963), VirtualReaders.HostPort.parse("--vpcd", "0.0.0.0", 35963));
        assertEquals(new VirtualReaders.HostPort("::1", 5), VirtualReaders.HostPort.parse("--vpcd", "[::1]:5", 35963));
        assertEquals(new VirtualReaders.HostPort("phone", 35963), VirtualReaders.HostPort.parse("--vpcd-connect", "phone:35963", -1));
        assertThrows(IllegalArgumentException.class, () -> VirtualReaders.HostPort.parse("--vpcd-connect", "phone", -1));
        assertThrows(IllegalArgumentException.class, () -> VirtualReaders.HostPort.parse("--vpcd", "x:99999", 35963));
    }
}
