package org.cardstack.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.cardstack.reader.ccid.CcidDriver;
import org.cardstack.sim.AppletClasspath;
import org.cardstack.sim.SimulateSpec;
import org.cardstack.sim.card.ApduCard;
import org.cardstack.sim.reader.VirtualCcidReader;
import org.cardstack.sim.reader.VirtualUsbSession;
import org.cardstack.vpcd.VpcdDriver;
import org.cardstack.vpcd.VpcdOptions;
import org.cardstack.vpcd.wire.VpcdWire;

/**
 * The virtual readers a command was given: --simulate readers (on one virtual USB bus, under the CCID
 * driver) and vpcd readers (--vpcd, --vpcd-connect), with run-time card insertion and removal
 * ({@link #control}) for the control socket.
 */
final class VirtualReaders implements AutoCloseable {
    /** One --simulate reader: its spec, the reader, and the cards taken out of it (put back on insert). */
    record Sim(String id, String text, SimulateSpec spec, VirtualCcidReader reader, ApduCard[] pulled) { }

    final List<Sim> sims = new ArrayList<>();
    final List<VpcdDriver> vpcd = new ArrayList<>();
    private VirtualUsbSession bus;
    private CcidDriver simDriver;

    /**
     * Builds the readers. A scenario that does not load fails here, the message naming it (--simulate #N
     * and its text) and saying why.
     *
     * @throws IllegalArgumentException for a bad scenario or option
     * @throws UncheckedIOException     when a vpcd port cannot be bound
     */
    static VirtualReaders create(ReaderOptions o, List<String> specs) {
        VirtualReaders v = new VirtualReaders();
        try {
            List<Path> cp = o.appletClasspath == null ? List.of() : classpath(o.appletClasspath);
            for (int i = 0; i < specs.size(); i++) {
                String text = specs.get(i);
                SimulateSpec spec;
                try {
                    spec = SimulateSpec.parse(text, cp);
                } catch (IllegalArgumentException e) {
                    String m = e.getMessage() == null ? e.toString() : e.getMessage().replaceFirst("^--simulate: ", "");
                    throw new IllegalArgumentException("--simulate #" + (i + 1) + " '" + text + "': " + m, e);
                }
                VirtualCcidReader r = spec.newReader();
                v.sims.add(new Sim("sim" + i, text, spec, r, new ApduCard[spec.slots()]));
            }
            if (!v.sims.isEmpty()) {
                v.bus = new VirtualUsbSession();
                v.sims.forEach(s -> v.bus.plug(s.reader()));
                v.simDriver = new CcidDriver(v.bus).start();
            }
            if (o.vpcd != null) {
                v.vpcd.add(listen(o));
            }
            for (String target : o.vpcdConnect) {
                HostPort hp = HostPort.parse("--vpcd-connect", target, -1);
                v.vpcd.add(VpcdDriver.connect(hp.host, hp.port, vpcdOptions(o)));
            }
            return v;
        } catch (RuntimeException e) {
            v.close();
            throw e;
        }
    }

    static List<Path> classpath(String value) {
        try {
            return AppletClasspath.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--applet-classpath: " + e.getMessage(), e);
        }
    }

    private static VpcdDriver listen(ReaderOptions o) {
        HostPort hp = HostPort.parse("--vpcd", o.vpcd, VpcdWire.DEFAULT_PORT);
        InetAddress bind;
        try {
            bind = hp.host == null ? InetAddress.getLoopbackAddress() : InetAddress.getByName(hp.host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--vpcd: unknown address " + hp.host);
        }
        try {
            return VpcdDriver.listen(vpcdOptions(o).withBind(bind).withPort(hp.port).withReaders(o.vpcdReaders));
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    private static VpcdOptions vpcdOptions(ReaderOptions o) {
        VpcdOptions d = VpcdOptions.defaults();
        return o.vpcdTimeout == null ? d : d.withTimeouts(d.handshakeMillis(), (int) Math.min(Integer.MAX_VALUE,
                Math.max(1, Math.round(o.vpcdTimeout * 1000))));
    }

    /** The CCID driver over the simulated readers, or null if there are none. */
    CcidDriver simulatedDriver() { return simDriver; }

    /** The reader-source drivers: the simulated readers' CCID driver, then the vpcd drivers. */
    List<org.cardstack.reader.ReaderDriver> drivers() {
        List<org.cardstack.reader.ReaderDriver> d = new ArrayList<>();
        if (simDriver != null) d.add(simDriver);
        d.addAll(vpcd);
        return d;
    }

    /**
     * One control command, as the control socket takes it:
     * <pre>
     *   list                            the virtual readers, with ids, slots and cards
     *   remove ID [SLOT]                take the card out (a vpcd card: disconnect its vicc)
     *   insert ID [SLOT] [new]          put the card back in (the same card, its state kept; 'new': a fresh one)
     * </pre>
     * ID is sim0, sim1, ... (the --simulate readers in order) or vpcd0, vpcd1, ...
     *
     * @return the answer line(s), without a trailing newline
     * @throws IllegalArgumentException for a bad command, with the reason
     */
    synchronized String control(String line) {
        String[] w = line.trim().split("\\s+");
        String verb = w[0].toLowerCase(Locale.ROOT);
        if (verb.equals("list") || verb.isEmpty()) {
            return list();
        }
        if (!verb.equals("insert") && !verb.equals("remove")) {
            throw new IllegalArgumentException("unknown command '" + w[0] + "' (list, insert ID [SLOT] [new], remove ID [SLOT])");
        }
        if (w.length < 2) {
            throw new IllegalArgumentException(verb + " needs a reader id (see 'list')");
        }
        String id = w[1].toLowerCase(Locale.ROOT);
        int slot = 0;
        boolean fresh = false;
        for (int i = 2; i < w.length; i++) {
            if (w[i].equalsIgnoreCase("new")) {
                fresh = true;
            } else {
                try {
                    slot = Integer.parseInt(w[i]);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad slot '" + w[i] + "'");
                }
            }
        }
        for (Sim s : sims) {
            if (s.id().equals(id)) {
                if (slot < 0 || slot >= s.reader().slotCount()) {
                    throw new IllegalArgumentException(id + " has slots 0.." + (s.reader().slotCount() - 1));
                }
                if (verb.equals("remove")) {
                    ApduCard c = s.reader().removeCard(slot);
                    if (c == null) return "ok " + id + " slot " + slot + ": was empty";
                    s.pulled()[slot] = c;
                    return "ok " + id + " slot " + slot + ": card removed";
                }
                if (s.reader().card(slot) != null) {
                    return "ok " + id + " slot " + slot + ": has a card already";
                }
                ApduCard c = fresh || s.pulled()[slot] == null ? s.spec().newCard() : s.pulled()[slot];
                s.pulled()[slot] = null;
                s.reader().insertCard(slot, c);
                return "ok " + id + " slot " + slot + ": card inserted" + (c == null ? "" : fresh ? " (new)" : "");
            }
        }
        for (int i = 0; i < vpcd.size(); i++) {
            VpcdDriver d = vpcd.get(i);
            for (int r = 0; r < d.readers().size(); r++) {
                if (id.equals(vpcdId(i, r))) {
                    if (verb.equals("insert")) {
                        throw new IllegalArgumentException(id + " is a vpcd reader: its card comes when a vicc connects");
                    }
                    return "ok " + id + ": " + (d.eject(r) ? "card removed (vicc disconnected)" : "was empty");
                }
            }
        }
        throw new IllegalArgumentException("no virtual reader '" + w[1] + "' (see 'list')");
    }

    private String vpcdId(int driver, int reader) {
        int n = 0;
        for (int i = 0; i < driver; i++) n += vpcd.get(i).readers().size();
        return "vpcd" + (n + reader);
    }

    private String list() {
        StringBuilder b = new StringBuilder();
        for (Sim s : sims) {
            for (int slot = 0; slot < s.reader().slotCount(); slot++) {
                b.append(s.id()).append(" slot ").append(slot).append(": ")
                        .append(s.reader().card(slot) != null ? "card" : "empty").append("  --simulate ")
                        .append(s.text()).append('\n');
            }
        }
        for (int i = 0; i < vpcd.size(); i++) {
            VpcdDriver d = vpcd.get(i);
            for (int r = 0; r < d.readers().size(); r++) {
                b.append(vpcdId(i, r)).append(" slot 0: ").append(d.hasCard(r) ? "card" : "empty").append("  ")
                        .append(d.readers().get(r).info().name()).append('\n');
            }
        }
        if (b.length() == 0) {
            return "no virtual readers";
        }
        b.setLength(b.length() - 1);
        return b.toString();
    }

    @Override
    public void close() {
        vpcd.forEach(VpcdDriver::close);
        if (simDriver != null) simDriver.close();
        if (bus != null) bus.close();
    }

    /** [HOST:]PORT or HOST:PORT; IPv6 literals in brackets. */
    record HostPort(String host, int port) {
        static HostPort parse(String option, String value, int defaultPort) {
            String v = value == null ? "" : value.trim();
            String host = null;
            String port = v;
            int colon = v.lastIndexOf(':');
            if (v.startsWith("[")) {
                int close = v.indexOf(']');
                if (close < 0) throw new IllegalArgumentException(option + ": bad address '" + value + "'");
                host = v.substring(1, close);
                port = close + 1 < v.length() && v.charAt(close + 1) == ':' ? v.substring(close + 2) : "";
            } else if (colon >= 0) {
                host = v.substring(0, colon);
                port = v.substring(colon + 1);
            } else if (!v.isEmpty() && !v.chars().allMatch(Character::isDigit)) {
                host = v;
                port = "";
            }
            int p;
            if (port.isEmpty()) {
                if (defaultPort < 0) throw new IllegalArgumentException(option + ": '" + value + "' needs HOST:PORT");
                p = defaultPort;
            } else {
                try {
                    p = Integer.parseInt(port);
                } catch (NumberFormatException e) {
                    p = -1;
                }
                if (p < 0 || p > 0xFFFF || (p == 0 && defaultPort < 0)) {
                    throw new IllegalArgumentException(option + ": bad port '" + port + "'");
                }
            }
            if (defaultPort < 0 && (host == null || host.isEmpty())) {
                throw new IllegalArgumentException(option + ": '" + value + "' needs HOST:PORT");
            }
            return new HostPort(host == null || host.isEmpty() ? null : host, p);
        }
    }
}
