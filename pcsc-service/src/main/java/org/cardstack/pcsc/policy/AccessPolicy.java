package org.cardstack.pcsc.policy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Which clients of the daemon may see and use which readers. A client is identified by the peer
 * credentials of its socket (SO_PEERCRED: user and primary group); its supplementary groups come from
 * a {@link GroupDirectory} (/etc/group).
 *
 * <p>The policy file has one rule per line, {@code #} starts a comment:
 * <pre>
 *   allow|deny  PRINCIPAL  READER-PATTERN
 *   PRINCIPAL:       user:NAME | group:NAME | *
 *   READER-PATTERN:  glob on the PC/SC reader name (* any characters, ? one), quotes allowed:
 *                    "cardstack Virtual*"; the rest of the line
 * </pre>
 * For each reader, the first rule whose principal matches the client and whose pattern matches the
 * reader's name decides. When none does, the default applies: root, the daemon's own user and members
 * of the socket file's group may use every reader; anyone else sees none. A client that may use no
 * reader sees an empty reader list (SCardListReaders: SCARD_E_NO_READERS_AVAILABLE), and a CONNECT to a
 * hidden reader gets SCARD_E_UNKNOWN_READER, as for a reader that does not exist.
 */
public final class AccessPolicy {
    /** A client's credentials: user and primary group names as the socket reports them. */
    public record Peer(String user, String group) {
        public Peer {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(group, "group");
        }
    }

    /** One rule; {@code principal} null matches anyone. */
    public record Rule(boolean allow, boolean group, String principal, String pattern, int line) {
        boolean matchesPeer(Peer peer, Set<String> groups) {
            if (principal == null) {
                return true;
            }
            return group ? groups.contains(principal) : peer.user().equals(principal);
        }
    }

    private record Compiled(Rule rule, Pattern glob) { }

    private final List<Compiled> rules;
    private final String source;

    private AccessPolicy(List<Rule> rules, String source) {
        this.rules = rules.stream().map(r -> new Compiled(r, glob(r.pattern()))).toList();
        this.source = source;
    }

    /** No rules: only the default applies. */
    public static AccessPolicy defaults() { return new AccessPolicy(List.of(), "(default)"); }

    /** Reads a policy file; a syntax error is an IllegalArgumentException naming the file and line. */
    public static AccessPolicy load(Path file) throws IOException {
        return parse(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
    }

    public static AccessPolicy parse(List<String> lines, String source) {
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            boolean quoted = false;
            for (int k = 0; k < line.length(); k++) {
                char ch = line.charAt(k);
                if (ch == '"') {
                    quoted = !quoted;
                } else if (ch == '#' && !quoted) {
                    line = line.substring(0, k);
                    break;
                }
            }
            line = line.strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] parts = line.split("\\s+", 3);
            if (parts.length < 3) {
                throw new IllegalArgumentException(source + ":" + (i + 1) + ": expected 'allow|deny PRINCIPAL READER-PATTERN'");
            }
            String verb = parts[0].toLowerCase(Locale.ROOT);
            if (!verb.equals("allow") && !verb.equals("deny")) {
                throw new IllegalArgumentException(source + ":" + (i + 1) + ": '" + parts[0] + "' is neither allow nor deny");
            }
            String who = parts[1];
            boolean group = false;
            String principal;
            if (who.equals("*")) {
                principal = null;
            } else if (who.startsWith("user:") && who.length() > 5) {
                principal = who.substring(5);
            } else if (who.startsWith("group:") && who.length() > 6) {
                principal = who.substring(6);
                group = true;
            } else {
                throw new IllegalArgumentException(source + ":" + (i + 1) + ": principal '" + who
                        + "' must be user:NAME, group:NAME or *");
            }
            String pattern = parts[2].strip();
            if (pattern.length() >= 2 && pattern.startsWith("\"") && pattern.endsWith("\"")) {
                pattern = pattern.substring(1, pattern.length() - 1);
            } else if (pattern.contains("\"")) {
                throw new IllegalArgumentException(source + ":" + (i + 1) + ": unbalanced quote in reader pattern");
            }
            rules.add(new Rule(verb.equals("allow"), group, principal, pattern, i + 1));
        }
        return new AccessPolicy(rules, source);
    }

    public List<Rule> rules() { return rules.stream().map(Compiled::rule).toList(); }

    /**
     * The readers this client may see and use.
     *
     * @param peer         the socket's peer credentials
     * @param groups       the client's group names (primary and supplementary)
     * @param defaultAllow the default for readers no rule decides (see the class comment)
     */
    public Predicate<String> readersFor(Peer peer, Set<String> groups, boolean defaultAllow) {
        List<Compiled> mine = rules.stream().filter(c -> c.rule().matchesPeer(peer, groups)).toList();
        if (mine.isEmpty()) {
            return name -> defaultAllow;
        }
        return name -> {
            for (Compiled c : mine) {
                if (c.glob().matcher(name).matches()) {
                    return c.rule().allow();
                }
            }
            return defaultAllow;
        };
    }

    /**
     * The default decision: root, the daemon's own user, or a member (primary or supplementary) of the
     * socket's group.
     */
    public static boolean defaultAllows(Peer peer, Set<String> groups, String daemonUser, String socketGroup) {
        return peer.user().equals("root") || peer.user().equals(daemonUser)
                || socketGroup != null && groups.contains(socketGroup);
    }

    static Pattern glob(String glob) {
        StringBuilder re = new StringBuilder();
        for (char ch : glob.toCharArray()) {
            switch (ch) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                default -> re.append(Pattern.quote(String.valueOf(ch)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }

    @Override
    public String toString() { return "AccessPolicy[" + source + ", " + rules.size() + " rules]"; }
}
