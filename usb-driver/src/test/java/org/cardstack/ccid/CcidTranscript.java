package org.cardstack.ccid;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Reader for the plain-text CCID transcripts under {@code src/test/resources/vectors/ccid-1.1/}.
 * One file per spec clause or trace section. Line syntax:
 * <pre>
 * # text                     comment; every file starts with comment lines naming where its bytes come from
 * &#64;max N                     dwMaxCCIDMessageLength used to decode the following lines (default 65554,
 *                            the rig reader's value, traces U1)
 * &gt;&gt; hex [= expectation]      PC_to_RDR message (bulk-out)
 * &lt;&lt; hex [= expectation]      RDR_to_PC message (bulk-in)
 * !! hex [= expectation]      interrupt-in message
 * CT setup -&gt; hex           control transfer: its 8 setup bytes and the bytes of the answer
 *     = expectation          (indented) the expectation of the message above, instead of on its line
 *     ~ hex                  (indented) the bytes the decoded message re-encodes to, where they
 *                            legitimately differ from the wire bytes (a reader quirk the codec tolerates)
 *     hex                    (indented) more bytes of the message or answer above
 * </pre>
 * Hex is pairs of hex digits; spaces and {@code |} (header | abData) are ignored. An expectation is
 * either {@code Type key=value ...} (the decoded record's simple class name, then any of its
 * components, of its no-argument methods, of {@code name[i]} one-int-argument methods, or of the
 * {@link SlotStatusRegister} methods for responses; ints decimal or 0x-hex, byte arrays as hex with
 * no spaces or {@code -} for none) or {@code error field@offset [words]}: decoding throws a
 * {@link CcidFormatException} naming that field and offset, whose message contains the words.
 * When an expectation names every record component, the record can be built from it.
 */
public final class CcidTranscript {
    public static final String DIR = "vectors/ccid-1.1";
    public static final int DEFAULT_MAX = 65554;

    public enum Kind {
        COMMAND(">>"), RESPONSE("<<"), INTERRUPT("!!"), CONTROL("CT");

        final String tag;

        Kind(String tag) { this.tag = tag; }
    }

    /** One transfer of a transcript. */
    public static final class Entry {
        public final String file;
        public final int line;
        public final Kind kind;
        public final int maxMessageLength;
        private byte[] setup = new byte[0];
        private byte[] bytes = new byte[0];
        private byte[] reencoded;
        private Expectation expectation;

        Entry(String file, int line, Kind kind, int maxMessageLength) {
            this.file = file;
            this.line = line;
            this.kind = kind;
            this.maxMessageLength = maxMessageLength;
        }

        public byte[] bytes() { return bytes.clone(); }

        /** The setup bytes of a control transfer (empty otherwise). */
        public byte[] setup() { return setup.clone(); }

        /** The bytes the decoded message must encode to: {@code ~} if given, else the wire bytes. */
        public byte[] expectedEncoding() { return (reencoded != null ? reencoded : bytes).clone(); }

        public boolean reencodesDifferently() { return reencoded != null; }

        public Optional<Expectation> expectation() { return Optional.ofNullable(expectation); }

        public String where() { return file + ":" + line; }

        @Override
        public String toString() {
            String hex = HexFormat.ofDelimiter(" ").withUpperCase().formatHex(bytes);
            if (hex.length() > 60) {
                hex = hex.substring(0, 57) + "...";
            }
            return where() + " " + kind.tag + " " + hex + (expectation != null ? " = " + expectation.text : "");
        }
    }

    /** What a line says its bytes decode to. */
    public static final class Expectation {
        public final String text;
        public final String type;
        public final Map<String, String> fields = new LinkedHashMap<>();
        public final String errorField;
        public final int errorOffset;
        public final List<String> errorWords;

        Expectation(String text, String where) {
            this.text = text;
            String[] tokens = text.trim().split("\\s+");
            if (tokens[0].equals("error")) {
                int at = tokens.length > 1 ? tokens[1].lastIndexOf('@') : -1;
                if (at < 1) {
                    throw new IllegalArgumentException(where + ": expected 'error field@offset', got: " + text);
                }
                type = null;
                errorField = tokens[1].substring(0, at);
                errorOffset = Integer.decode(tokens[1].substring(at + 1));
                errorWords = List.of(Arrays.copyOfRange(tokens, 2, tokens.length));
                return;
            }
            type = tokens[0];
            errorField = null;
            errorOffset = -1;
            errorWords = List.of();
            for (int i = 1; i < tokens.length; i++) {
                int eq = tokens[i].indexOf('=');
                if (eq < 1) {
                    throw new IllegalArgumentException(where + ": expected key=value, got '" + tokens[i] + "'");
                }
                fields.put(tokens[i].substring(0, eq), tokens[i].substring(eq + 1));
            }
        }

        public boolean isError() { return errorField != null; }

        /** Checks a decoded message against this expectation; returns the mismatches (empty if none). */
        public List<String> mismatches(Object decoded) {
            List<String> out = new ArrayList<>();
            if (!decoded.getClass().getSimpleName().equals(type)) {
                out.add("type: expected " + type + ", decoded " + decoded.getClass().getSimpleName());
                return out;
            }
            for (Map.Entry<String, String> f : fields.entrySet()) {
                Object actual;
                try {
                    actual = value(decoded, f.getKey());
                } catch (ReflectiveOperationException e) {
                    out.add(f.getKey() + ": cannot read (" + e + ")");
                    continue;
                }
                if (!matches(actual, f.getValue())) {
                    out.add(f.getKey() + ": expected " + f.getValue() + ", decoded " + show(actual));
                }
            }
            return out;
        }

        /**
         * Builds the record this expectation describes, when it names every component of a type
         * permitted by {@code family} (PcToRdr, RdrToPc or InterruptMessage).
         */
        public <T> Optional<T> build(Class<T> family) {
            Class<?> type = permitted(family).orElse(null);
            if (type == null) {
                return Optional.empty();
            }
            RecordComponent[] rc = type.getRecordComponents();
            Object[] args = new Object[rc.length];
            Class<?>[] types = new Class<?>[rc.length];
            for (int i = 0; i < rc.length; i++) {
                String v = fields.get(rc[i].getName());
                if (v == null) {
                    return Optional.empty();
                }
                types[i] = rc[i].getType();
                args[i] = types[i] == byte[].class ? hex(v) : Integer.decode(v);
            }
            try {
                Constructor<?> c = type.getDeclaredConstructor(types);
                return Optional.of(family.cast(c.newInstance(args)));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot build " + text, e);
            }
        }

        /** The permitted subclass of {@code family} this expectation names, if any. */
        public Optional<Class<?>> permitted(Class<?> family) {
            return Arrays.stream(family.getPermittedSubclasses()).filter(c -> c.getSimpleName().equals(type))
                    .findFirst();
        }

        private static Object value(Object o, String key) throws ReflectiveOperationException {
            if (key.endsWith("]")) {
                int b = key.indexOf('[');
                Method m = o.getClass().getMethod(key.substring(0, b), int.class);
                return m.invoke(o, Integer.decode(key.substring(b + 1, key.length() - 1)));
            }
            try {
                return o.getClass().getMethod(key).invoke(o);
            } catch (NoSuchMethodException e) {
                if (o instanceof RdrToPc r) {
                    return SlotStatusRegister.class.getMethod(key).invoke(r.status());
                }
                throw e;
            }
        }

        private static boolean matches(Object actual, String expected) {
            if (actual instanceof byte[] b) {
                return Arrays.equals(b, hex(expected));
            }
            if (actual instanceof Integer i) {
                return i.intValue() == Integer.decode(expected).intValue();
            }
            return String.valueOf(actual).equals(expected);
        }

        private static String show(Object actual) {
            if (actual instanceof byte[] b) {
                return b.length == 0 ? "-" : HexFormat.of().withUpperCase().formatHex(b);
            }
            if (actual instanceof Integer i) {
                return i + String.format(" (0x%X)", i);
            }
            return String.valueOf(actual);
        }

        @Override
        public String toString() { return text; }
    }

    public final String name;
    public final List<String> header;
    public final List<Entry> entries;

    private CcidTranscript(String name, List<String> header, List<Entry> entries) {
        this.name = name;
        this.header = List.copyOf(header);
        this.entries = List.copyOf(entries);
    }

    /** Every transcript file of the vector directory, sorted by name. */
    public static List<CcidTranscript> loadAll() {
        Path dir = directory();
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".txt")).sorted().map(CcidTranscript::load).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One transcript of the vector directory, by file name. */
    public static CcidTranscript load(String fileName) {
        return load(directory().resolve(fileName));
    }

    public static CcidTranscript load(Path file) {
        try {
            return parse(file.getFileName().toString(), Files.readAllLines(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses transcript text (exposed for the reader's own tests). */
    public static CcidTranscript parse(String name, List<String> lines) {
        List<String> header = new ArrayList<>();
        List<Entry> entries = new ArrayList<>();
        boolean inHeader = true;
        int max = DEFAULT_MAX;
        Entry last = null;
        for (int i = 0; i < lines.size(); i++) {
            String raw = lines.get(i);
            String where = name + ":" + (i + 1);
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                if (inHeader) {
                    header.add(line.substring(1).strip());
                }
                continue;
            }
            inHeader = false;
            if (Character.isWhitespace(raw.charAt(0))) {
                if (last == null) {
                    throw new IllegalArgumentException(where + ": continuation line with no transfer above");
                }
                if (line.startsWith("=")) {
                    if (last.expectation != null) {
                        throw new IllegalArgumentException(where + ": second expectation for one transfer");
                    }
                    last.expectation = new Expectation(line.substring(1).strip(), where);
                } else if (line.startsWith("~")) {
                    last.reencoded = hex(line.substring(1), where);
                } else {
                    byte[] more = hex(line, where);
                    byte[] joined = Arrays.copyOf(last.bytes, last.bytes.length + more.length);
                    System.arraycopy(more, 0, joined, last.bytes.length, more.length);
                    last.bytes = joined;
                }
                continue;
            }
            if (line.startsWith("@max")) {
                max = Integer.decode(line.substring(4).strip());
                continue;
            }
            Kind kind = Arrays.stream(Kind.values()).filter(k -> line.startsWith(k.tag + " ")).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(where + ": unknown line: " + raw));
            last = new Entry(name, i + 1, kind, max);
            String rest = line.substring(kind.tag.length()).strip();
            int eq = rest.indexOf(" = ");
            if (eq >= 0) {
                last.expectation = new Expectation(rest.substring(eq + 3).strip(), where);
                rest = rest.substring(0, eq);
            }
            if (kind == Kind.CONTROL) {
                int arrow = rest.indexOf("->");
                if (arrow < 0) {
                    throw new IllegalArgumentException(where + ": CT needs 'setup -> answer'");
                }
                last.setup = hex(rest.substring(0, arrow), where);
                if (last.setup.length != 8) {
                    throw new IllegalArgumentException(where + ": setup of " + last.setup.length + " bytes, not 8");
                }
                rest = rest.substring(arrow + 2);
            }
            last.bytes = hex(rest, where);
            entries.add(last);
        }
        return new CcidTranscript(name, header, entries);
    }

    /** The entries of one kind. */
    public List<Entry> entries(Kind kind) {
        return entries.stream().filter(e -> e.kind == kind).toList();
    }

    /** The answer of the first control transfer with these setup bytes (hex). */
    public byte[] controlAnswer(String setupHex) {
        byte[] setup = hex(setupHex);
        return entries(Kind.CONTROL).stream().filter(e -> Arrays.equals(e.setup, setup)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(name + ": no CT " + setupHex)).bytes();
    }

    /** Hex as written in the transcripts: pairs of digits, spaces and '|' ignored, "-" for none. */
    public static byte[] hex(String s) {
        return hex(s, "hex");
    }

    private static byte[] hex(String s, String where) {
        String t = s.strip();
        if (t.equals("-")) {
            return new byte[0];
        }
        String digits = t.replace("|", " ").replaceAll("\\s+", "");
        if (digits.length() % 2 != 0 || !digits.matches("[0-9A-Fa-f]*")) {
            throw new IllegalArgumentException(where + ": not hex bytes: '" + s.strip() + "'");
        }
        return HexFormat.of().parseHex(digits.toLowerCase(Locale.ROOT));
    }

    private static Path directory() {
        URL url = CcidTranscript.class.getClassLoader().getResource(DIR);
        if (url == null) {
            throw new IllegalStateException("test resource directory " + DIR + " not found");
        }
        try {
            return Paths.get(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
