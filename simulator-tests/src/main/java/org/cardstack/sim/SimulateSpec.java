package org.cardstack.sim;

import org.cardstack.iso7816.atr.Atr;
import com.licel.jcardsim.samples.HelloWorldApplet;
import javacard.framework.Applet;
import org.cardstack.ccid.ExchangeLevel;
import org.cardstack.sim.applets.TestApplet;
import org.cardstack.sim.card.CardAtrs;
import org.cardstack.sim.card.SimulatedCard;
import org.cardstack.sim.reader.VirtualCcidReader;
import org.cardstack.sim.reader.VirtualUsbSession;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The CLI's {@code --simulate SPEC}: a virtual CCID reader with jCardSim cards, described in one string.
 * See {@link #HELP} for the grammar. {@link #parse} checks everything (also that applet classes load);
 * {@link #newReader()} builds a fresh reader with fresh cards each time.
 */
public record SimulateSpec(List<AppletSpec> applets, ExchangeLevel level, Integer maxMessage, int slots, int cards,
                           boolean interrupt, byte[] atr, Integer vendorId, Integer productId, String manufacturer,
                           String product, String serial, Integer voltages, Integer protocols,
                           List<Path> classpath) {

    /** One applet to install: class, instance AID, and either applet data (JCRE layout) or raw bArray. */
    public record AppletSpec(String className, byte[] aid, byte[] params, byte[] rawParams) {
        public AppletSpec {
            aid = aid == null ? null : aid.clone();
            params = params == null ? null : params.clone();
            rawParams = rawParams == null ? null : rawParams.clone();
        }

        @Override
        public byte[] aid() { return aid == null ? null : aid.clone(); }

        @Override
        public String toString() {
            return "applet=" + className + ",aid=" + hex(aid) + (params != null ? ",params=" + hex(params) : "")
                    + (rawParams != null ? ",rawparams=" + hex(rawParams) : "");
        }
    }

    public static final String TEST_APPLET = TestApplet.class.getName();
    public static final String HELLO_APPLET = HelloWorldApplet.class.getName();
    public static final String HELLO_AID = "F000000001";
    /** A card offering T=1 only: TD1 = 01, the default's historical bytes, TCK. */
    public static final String T1_ONLY_ATR = "3B8A014A434F50333156323332FA";

    /** The grammar, for --help. */
    public static final String HELP = """
            --simulate SPEC: a virtual USB CCID reader (CCID rev 1.1) with jCardSim cards instead of USB.
            SPEC is a comma-separated list of key=value items and flags, e.g.
              applet=test,level=extended,max=271,slots=2,interrupt=yes
              t0,applet=hello
              applet=com.example.MyApplet,aid=A000000151000001,params=0102,atr=rig
            Keys (defaults in brackets):
              applet=NAME     test: cardstack's test applet, AID F043415244535441434B01
                                (INS 01 case 1; 02 case 2, P1P2 or Le bytes; 03 case 3; 04 case 4 echo;
                                 05 own 61xx; 06 SW = P1P2; extended length supported)
                              hello: jCardSim's HelloWorldApplet, AID F000000001 (installed with an
                                empty bArray, as the sample expects)
                              a fully qualified Java Card applet class (needs aid=), from cp= or
                                --applet-classpath, e.g. com.example.PurseApplet
                              Repeat applet= to install several; aid/params/rawparams apply to the
                              applet= before them. The first applet is selected after each reset. [test]
              aid=HEX         instance AID, 5 to 16 bytes (overrides the preset's)
              params=HEX      applet data: install() gets Li|AID|00|La|data (the JCRE's layout)
              rawparams=HEX   bArray passed to install() as it is, instead of that layout
              cp=PATHS        jars and/or class directories holding the applets, joined with ':'
                              (javacard.* and jCardSim always come from cardstack's own copy)
              level=L         tpdu (TPDU reader: T=0 card with 61xx/6Cxx/GET RESPONSE, or T=1
                              blocks with protocols=t1 or t0/t1),
                              short (short APDU level), extended (extended APDU level, chaining) [short]
              t0              the same as level=tpdu
              max=N           dwMaxCCIDMessageLength, at least 271 [271; extended: 65546]
              slots=N         number of slots, 1 to 8 [1]
              cards=N         slots 0..N-1 hold a card, each its own [all slots]
              empty           no card at start (the same as cards=0)
              interrupt=B     yes|no: interrupt endpoint for slot change notification [yes]
              atr=A           HEX, default (3B8A80014A434F503331563233327A: T=0 and T=1) or
                              rig (3B0A4A434F50333156323332: T=0 only) [tpdu with t0: rig, else default]
                              or by the protocols the card offers: t0 (= rig), t1
                              (3B8A014A434F50333156323332FA: T=1 only), t0/t1 (= default).
                              The reader must support one of them (see protocols=)
              vid=HEX pid=HEX USB idVendor / idProduct [1209 / 0001]
              manufacturer=S product=S serial=S   USB strings (no commas)
              voltages=V      any of 5, 3, 1.8 joined with '/', e.g. 5/3 [5/3/1.8]
              protocols=P     t0, t1 or t0/t1 (dwProtocols) [tpdu: t0, else t0/t1]
            """;

    private static final HexFormat HEXF = HexFormat.of().withUpperCase();

    /**
     * Parses a spec.
     *
     * @throws IllegalArgumentException with a message naming the bad key or value
     */
    public static SimulateSpec parse(String spec) {
        return parse(spec, List.of());
    }

    /**
     * Parses a spec whose applets may also come from {@code baseClasspath} (the CLI's --applet-classpath),
     * searched before the spec's own cp= entries. Checks that each applet class loads and that the card
     * builds (every applet installs), so a scenario that cannot work fails here with a message naming
     * the applet and the reason.
     *
     * @throws IllegalArgumentException with a message naming the bad key, value, class or install failure
     */
    public static SimulateSpec parse(String spec, List<Path> baseClasspath) {
        if (spec == null) {
            throw new IllegalArgumentException("--simulate: empty spec");
        }
        List<String[]> appletItems = new ArrayList<>();   // {class, aid, params, rawparams}
        ExchangeLevel level = null;
        boolean t0 = false;
        Integer max = null;
        int slots = 1;
        Integer cards = null;
        boolean interrupt = true;
        byte[] atr = null;
        Integer vid = null;
        Integer pid = null;
        String manufacturer = null;
        String product = null;
        String serial = null;
        Integer voltages = null;
        Integer protocols = null;
        Set<String> seen = new LinkedHashSet<>();
        List<Path> classpath = new ArrayList<>(baseClasspath);
        for (String raw : spec.split(",", -1)) {
            String item = raw.trim();
            if (item.isEmpty()) {
                if (spec.isBlank()) break;
                throw new IllegalArgumentException("--simulate: empty item in '" + spec + "'");
            }
            int eq = item.indexOf('=');
            String key = (eq < 0 ? item : item.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
            String value = eq < 0 ? null : item.substring(eq + 1).trim();
            boolean repeatable = key.equals("applet") || key.equals("aid") || key.equals("params") || key.equals("rawparams");
            if (!repeatable && !seen.add(key)) {
                throw new IllegalArgumentException("--simulate: key '" + key + "' given twice");
            }
            if (eq < 0) {
                switch (key) {
                    case "t0" -> t0 = true;
                    case "empty" -> cards = 0;
                    default -> throw new IllegalArgumentException("--simulate: unknown flag '" + key + "'"
                            + (KEYS.contains(key) ? " (it needs a value: " + key + "=...)" : ""));
                }
                continue;
            }
            if (value.isEmpty()) {
                throw new IllegalArgumentException("--simulate: empty value for key '" + key + "'");
            }
            switch (key) {
                case "applet" -> appletItems.add(new String[] {appletClass(value), null, null, null});
                case "cp", "classpath" -> {
                    try {
                        classpath.addAll(AppletClasspath.parse(value));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("--simulate: bad value for key '" + key + "': " + e.getMessage());
                    }
                }
                case "aid", "params", "rawparams" -> {
                    if (appletItems.isEmpty()) {
                        appletItems.add(new String[] {TEST_APPLET, null, null, null});
                    }
                    String[] a = appletItems.get(appletItems.size() - 1);
                    int i = key.equals("aid") ? 1 : key.equals("params") ? 2 : 3;
                    if (a[i] != null) {
                        throw new IllegalArgumentException("--simulate: " + key + " given twice for applet " + a[0]);
                    }
                    byte[] bytes = hex(key, value);
                    if (i == 1 && (bytes.length < 5 || bytes.length > 16)) {
                        throw new IllegalArgumentException("--simulate: aid=" + value + " is " + bytes.length
                                + " bytes (5 to 16)");
                    }
                    a[i] = HEXF.formatHex(bytes);
                }
                case "level" -> level = switch (value.toLowerCase(Locale.ROOT)) {
                    case "tpdu" -> ExchangeLevel.TPDU;
                    case "short", "apdu" -> ExchangeLevel.SHORT_APDU;
                    case "extended" -> ExchangeLevel.EXTENDED_APDU;
                    default -> throw bad(key, value, "tpdu, short or extended");
                };
                case "max" -> {
                    max = integer(key, value, 271, Integer.MAX_VALUE);
                }
                case "slots" -> slots = integer(key, value, 1, 8);
                case "cards" -> cards = integer(key, value, 0, 8);
                case "interrupt" -> interrupt = bool(key, value);
                case "atr" -> {
                    atr = switch (value.toLowerCase(Locale.ROOT)) {
                        case "default", "t0/t1", "t1/t0" -> CardAtrs.defaultAtr();
                        case "rig", "t0" -> CardAtrs.rigT0Atr();
                        case "t1" -> HEXF.parseHex(T1_ONLY_ATR);
                        default -> hex(key, value);
                    };
                    try {
                        Atr.parse(atr);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("--simulate: bad value '" + value + "' for key 'atr': "
                                + e.getMessage());
                    }
                }
                case "vid" -> vid = hex16(key, value);
                case "pid" -> pid = hex16(key, value);
                case "manufacturer" -> manufacturer = value;
                case "product" -> product = value;
                case "serial" -> serial = value;
                case "voltages" -> voltages = voltages(key, value);
                case "protocols" -> protocols = switch (value.toLowerCase(Locale.ROOT)) {
                    case "t0" -> 1;
                    case "t1" -> 2;
                    case "t0/t1", "t1/t0" -> 3;
                    default -> throw bad(key, value, "t0, t1 or t0/t1");
                };
                default -> throw new IllegalArgumentException("--simulate: unknown key '" + key + "' (keys: "
                        + String.join(", ", KEYS) + ")");
            }
        }
        if (t0) {
            if (level != null && level != ExchangeLevel.TPDU) {
                throw new IllegalArgumentException("--simulate: t0 conflicts with level=" + level.label());
            }
            level = ExchangeLevel.TPDU;
        }
        if (level == null) {
            level = ExchangeLevel.SHORT_APDU;
        }
        if (cards == null) {
            cards = slots;
        }
        if (cards > slots) {
            throw new IllegalArgumentException("--simulate: cards=" + cards + " but only " + slots + " slot(s)");
        }
        if (atr != null) {
            int offered = 0;
            for (int t : Atr.parse(atr).protocols()) {
                offered |= t == 0 ? 1 : t == 1 ? 2 : 0;
            }
            int readerProtocols = protocols != null ? protocols : level == ExchangeLevel.TPDU ? 1 : 3;
            if ((offered & readerProtocols) == 0) {
                throw new IllegalArgumentException("--simulate: the card's ATR offers " + protocolNames(offered)
                        + " but the reader supports " + protocolNames(readerProtocols) + " (set protocols=)");
            }
        }
        if (atr == null) {
            // A T=0 reader gets the rig's T=0-only card; a T=1-capable one a card offering T=0 and T=1.
            boolean t0Only = protocols == null || protocols == 1;
            atr = level == ExchangeLevel.TPDU && t0Only ? CardAtrs.rigT0Atr() : CardAtrs.defaultAtr();
        }
        if (appletItems.isEmpty()) {
            appletItems.add(new String[] {TEST_APPLET, null, null, null});
        }
        List<AppletSpec> applets = new ArrayList<>();
        Set<String> aids = new LinkedHashSet<>();
        for (String[] a : appletItems) {
            try {
                AppletClasspath.load(a[0], classpath);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--simulate: bad value '" + a[0] + "' for key 'applet': "
                        + e.getMessage());
            }
            String aid = a[1];
            if (aid == null) {
                if (a[0].equals(TEST_APPLET)) {
                    aid = TestApplet.AID_HEX;
                } else if (a[0].equals(HELLO_APPLET)) {
                    aid = HELLO_AID;
                } else {
                    throw new IllegalArgumentException("--simulate: applet=" + a[0] + " needs aid=HEX");
                }
            }
            if (!aids.add(aid)) {
                throw new IllegalArgumentException("--simulate: aid=" + aid + " used by two applets");
            }
            if (a[2] != null && a[3] != null) {
                throw new IllegalArgumentException("--simulate: applet " + a[0] + " has both params and rawparams");
            }
            if (a[2] != null && a[0].equals(HELLO_APPLET)) {
                throw new IllegalArgumentException("--simulate: applet=hello takes no params (it reads a fixed layout;"
                        + " use rawparams=HEX)");
            }
            AppletSpec as = new AppletSpec(a[0], HEXF.parseHex(aid), a[2] == null ? null : HEXF.parseHex(a[2]),
                    a[3] == null ? null : HEXF.parseHex(a[3]));
            if (as.params() != null) {
                try {
                    SimulatedCard.installParameters(as.aid(), as.params());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--simulate: params for " + a[0] + ": " + e.getMessage());
                }
            }
            applets.add(as);
        }
        SimulateSpec built = new SimulateSpec(List.copyOf(applets), level, max, slots, cards, interrupt, atr, vid, pid,
                manufacturer, product, serial, voltages, protocols, List.copyOf(classpath));
        built.newCard();   // every applet installs, or the error says which did not and why
        return built;
    }

    /** The exception chain, Java Card exceptions with their reason code (jCardSim wraps what install throws). */
    private static String describe(Throwable e) {
        StringBuilder b = new StringBuilder();
        java.util.Set<Throwable> seen = new java.util.HashSet<>();
        for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
            if (t instanceof IllegalStateException && t.getCause() != null && t.getMessage() != null
                    && t.getMessage().startsWith("installing ")) {
                continue;   // SimulatedCard's wrapper: its message is what we say already
            }
            if (b.length() > 0) b.append(" <- ");
            b.append(t.getClass().getName());
            if (t instanceof javacard.framework.CardRuntimeException c) {
                b.append(String.format(" (reason 0x%04X)", c.getReason() & 0xFFFF));
            } else if (t instanceof javacard.framework.CardException c) {
                b.append(String.format(" (reason 0x%04X)", c.getReason() & 0xFFFF));
            } else if (t.getMessage() != null) {
                b.append(": ").append(t.getMessage());
            }
        }
        return b.toString();
    }

    private static String protocolNames(int bits) {
        return (bits & 3) == 3 ? "T=0 and T=1" : (bits & 1) != 0 ? "T=0 only" : (bits & 2) != 0 ? "T=1 only" : "neither T=0 nor T=1";
    }

    private static final List<String> KEYS = List.of("applet", "aid", "params", "rawparams", "level", "t0", "max",
            "slots", "cards", "empty", "interrupt", "atr", "vid", "pid", "manufacturer", "product", "serial",
            "voltages", "protocols", "cp", "classpath");

    /**
     * A new card with this spec's ATR and applets (the first applet is the default-selected one).
     *
     * @throws IllegalArgumentException naming the applet whose class does not load or whose install failed
     */
    public SimulatedCard newCard() {
        SimulatedCard card = new SimulatedCard(atr);
        for (AppletSpec a : applets) {
            Class<? extends Applet> c;
            try {
                c = AppletClasspath.load(a.className(), classpath);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--simulate: applet " + a.className() + ": " + e.getMessage(), e);
            }
            try {
                if (a.rawParams() != null) {
                    card.installRaw(c, a.aid(), a.rawParams());
                } else if (a.className().equals(HELLO_APPLET)) {
                    card.installRaw(c, a.aid(), new byte[0]);
                } else {
                    card.install(c, a.aid(), a.params());
                }
            } catch (RuntimeException | LinkageError e) {
                throw new IllegalArgumentException("--simulate: applet " + a.className() + " (aid="
                        + HEXF.formatHex(a.aid()) + "): install failed: " + describe(e), e);
            }
        }
        return card;
    }

    /** A new reader as specified, each of the first {@link #cards()} slots holding a new card. */
    public VirtualCcidReader newReader() {
        VirtualCcidReader.Builder b = VirtualCcidReader.builder().level(level).slots(slots).interruptEndpoint(interrupt);
        if (maxMessage != null) b.maxMessageLength(maxMessage);
        if (vendorId != null || productId != null) {
            b.ids(vendorId != null ? vendorId : 0x1209, productId != null ? productId : 0x0001);
        }
        if (manufacturer != null || product != null || serial != null) {
            b.strings(manufacturer != null ? manufacturer : "cardstack",
                    product != null ? product : "cardstack Virtual CCID", serial != null ? serial : "0001");
        }
        if (voltages != null) b.voltages(voltages);
        if (protocols != null) b.protocols(protocols);
        for (int i = 0; i < cards; i++) {
            b.card(i, newCard());
        }
        return b.build();
    }

    /** A session with {@link #newReader()} plugged in. */
    public VirtualUsbSession newSession() {
        return new VirtualUsbSession(newReader());
    }

    @Override
    public byte[] atr() { return atr.clone(); }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        for (AppletSpec a : applets) {
            s.append(a).append(',');
        }
        s.append("level=").append(switch (level) {
            case TPDU -> "tpdu";
            case EXTENDED_APDU -> "extended";
            default -> "short";
        });
        if (maxMessage != null) s.append(",max=").append(maxMessage);
        s.append(",slots=").append(slots).append(",cards=").append(cards);
        s.append(",interrupt=").append(interrupt ? "yes" : "no").append(",atr=").append(hex(atr));
        return s.toString();
    }

    // ---- helpers ----

    private static String appletClass(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "test" -> TEST_APPLET;
            case "hello" -> HELLO_APPLET;
            default -> value;
        };
    }

    private static IllegalArgumentException bad(String key, String value, String expected) {
        return new IllegalArgumentException("--simulate: bad value '" + value + "' for key '" + key + "' (expected "
                + expected + ")");
    }

    private static byte[] hex(String key, String value) {
        String v = value.startsWith("0x") || value.startsWith("0X") ? value.substring(2) : value;
        v = v.replace(":", "").replace(" ", "");
        try {
            if (v.isEmpty() || v.length() % 2 != 0) throw new IllegalArgumentException();
            return HEXF.parseHex(v);
        } catch (IllegalArgumentException e) {
            throw bad(key, value, "hex bytes");
        }
    }

    private static int hex16(String key, String value) {
        String v = value.startsWith("0x") || value.startsWith("0X") ? value.substring(2) : value;
        try {
            int x = Integer.parseInt(v, 16);
            if (x < 0 || x > 0xFFFF) throw new NumberFormatException();
            return x;
        } catch (NumberFormatException e) {
            throw bad(key, value, "a 16-bit hex number such as 1209");
        }
    }

    private static int integer(String key, String value, int min, int max) {
        try {
            int x = Integer.parseInt(value);
            if (x < min || x > max) throw new NumberFormatException();
            return x;
        } catch (NumberFormatException e) {
            throw bad(key, value, "a number from " + min + (max == Integer.MAX_VALUE ? " up" : " to " + max));
        }
    }

    private static boolean bool(String key, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "yes", "true", "on", "1" -> true;
            case "no", "false", "off", "0" -> false;
            default -> throw bad(key, value, "yes or no");
        };
    }

    private static int voltages(String key, String value) {
        int v = 0;
        for (String p : value.split("/")) {
            v |= switch (p.trim().toLowerCase(Locale.ROOT).replace("v", "")) {
                case "5", "5.0" -> 0x01;
                case "3", "3.0" -> 0x02;
                case "1.8" -> 0x04;
                default -> throw bad(key, value, "5, 3 and/or 1.8 joined with '/'");
            };
        }
        return v;
    }

    private static String hex(byte[] b) {
        return b == null ? "" : HEXF.formatHex(b);
    }
}
