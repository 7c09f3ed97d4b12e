package org.cardstack.cli;

import java.io.PrintWriter;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.cardstack.pcsc.daemon.ApduTrace;
import org.cardstack.pcsc.daemon.DaemonConfig;
import org.cardstack.pcsc.daemon.PcscDaemon;
import org.cardstack.pcsc.manager.ResourceManager;
import org.cardstack.pcsc.policy.AccessPolicy;
import org.cardstack.pcsc.policy.GroupDirectory;
import org.cardstack.reader.ccid.CcidDriver;
import org.cardstack.usb.UsbSession;
import org.cardstack.usb.libusb.LibUsbSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cardstack serve}: a pcscd-compatible daemon in the foreground. Programs linked against
 * libpcsclite (pcsc_scan, opensc-tool, pyscard, the JDK's SunPCSC, GnuPG's scdaemon...) use cardstack's
 * readers through it as they use pcscd. See pcsc-service/DAEMON.md and cli/systemd/README.md.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run a pcscd-compatible PC/SC daemon in the foreground: pcsc-lite's client protocol"
                + " (4.4, 4.5, 4.6) on a UNIX socket, serving the USB CCID readers and simulated ones.",
                "Clients use it as pcscd; to point one client elsewhere: PCSCLITE_CSOCK_NAME=PATH."},
        footerHeading = "%nSimulated readers (--simulate SPEC):%n", footer = SimulateHelp.TEXT)
final class ServeCommand implements Callable<Integer> {
    static final String DEFAULT_SOCKET = "/run/pcscd/pcscd.comm";

    @Spec
    CommandSpec spec;

    @Mixin
    ReaderOptions options = new ReaderOptions();

    @Option(names = "--socket", paramLabel = "PATH", defaultValue = DEFAULT_SOCKET,
            description = "Socket to listen on [${DEFAULT-VALUE}, as pcscd]. Its directory is created (0755) if"
                    + " missing; a stale socket file is replaced; a live daemon there is an error.")
    Path socket;

    @Option(names = "--socket-mode", paramLabel = "OCTAL", defaultValue = "0666",
            description = "Mode of the socket file [${DEFAULT-VALUE}, as pcscd].")
    String socketMode;

    @Option(names = "--socket-group", paramLabel = "GROUP",
            description = "Group of the socket file; its members may use every reader unless the policy says otherwise.")
    String socketGroup;

    @Option(names = "--systemd",
            description = "Take the listening socket from systemd socket activation (StandardInput=socket in the"
                    + " service unit) instead of binding --socket.")
    boolean systemd;

    @Option(names = "--policy", paramLabel = "FILE",
            description = "Access policy: lines 'allow|deny user:NAME|group:NAME|* READER-GLOB', first match wins."
                    + " Without a matching rule root, the daemon's user and the socket group's members may use every"
                    + " reader; others see none.")
    Path policy;

    @Option(names = "--max-clients", paramLabel = "N", defaultValue = "200",
            description = "Connections (contexts) at once [${DEFAULT-VALUE}, as pcscd].")
    int maxClients;

    @Option(names = "--max-clients-per-user", paramLabel = "N", defaultValue = "100",
            description = "Connections (contexts) of one user at once [${DEFAULT-VALUE}].")
    int maxClientsPerUser;

    @Option(names = "--auto-exit", paramLabel = "SECONDS", arity = "0..1", fallbackValue = "60",
            description = "Exit after this long without clients (pcscd --auto-exit; default when given: 60).")
    Integer autoExit;

    @Option(names = "--control", paramLabel = "PATH",
            description = "Control socket (mode 0600) for inserting and removing cards of the virtual readers at run"
                    + " time: cardstack card --control PATH list|insert ID|remove ID.")
    Path controlSocket;

    @Option(names = "--debug",
            description = "Log every APDU (VERIFY / CHANGE REFERENCE DATA / RESET RETRY COUNTER data masked).")
    boolean debug;

    @Override
    public Integer call() throws Exception {
        options.noDefaultSimulator = true;
        if (debug && System.getProperty("org.slf4j.simpleLogger.log." + ApduTrace.LOGGER) == null) {
            System.setProperty("org.slf4j.simpleLogger.log." + ApduTrace.LOGGER, "debug");
        }
        options.applyLogLevel();
        PrintWriter err = spec.commandLine().getErr();
        AccessPolicy access = policy == null ? AccessPolicy.defaults() : AccessPolicy.load(policy);

        ResourceManager rm = new ResourceManager();
        VirtualReaders virtual = null;
        ControlServer control = null;
        List<UsbSession> buses = new ArrayList<>();
        List<CcidDriver> drivers = new ArrayList<>();
        try {
            if (!options.noUsb) {
                add(rm, new LibUsbSession(), buses, drivers);
            }
            virtual = VirtualReaders.create(options, options.simulate);
            virtual.drivers().forEach(rm::addSource);
            if (controlSocket != null) {
                control = new ControlServer(controlSocket, virtual::control);
                err.println("cardstack serve: card control on " + controlSocket + " (cardstack card --control "
                        + controlSocket + " list|insert|remove)");
            }
            ServerSocketChannel listening;
            Path owned;
            String group;
            if (systemd) {
                Channel inherited = System.inheritedChannel();
                if (!(inherited instanceof ServerSocketChannel ss)) {
                    err.println("cardstack: --systemd: standard input is not a listening socket"
                            + " (the service unit needs StandardInput=socket)");
                    return 2;
                }
                listening = ss;
                owned = null;
                java.net.SocketAddress local = ss.getLocalAddress();
                group = socketGroup != null ? socketGroup
                        : local instanceof java.net.UnixDomainSocketAddress u ? PcscDaemon.groupOf(u.getPath()) : null;
            } else {
                listening = PcscDaemon.bind(socket, socketMode, socketGroup);
                owned = socket;
                group = PcscDaemon.groupOf(socket);
            }
            DaemonConfig config = DaemonConfig.defaults()
                    .withLimits(maxClients, maxClientsPerUser)
                    .withAutoExit(autoExit == null ? -1 : autoExit * 1000L)
                    .withTrace(debug)
                    .withPolicy(access, GroupDirectory.system(), System.getProperty("user.name"), group);
            PcscDaemon daemon = new PcscDaemon(rm, config);
            Thread hook = new Thread(daemon::close, "cardstack-serve-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            daemon.start(listening, owned);
            err.println("cardstack serve: listening on " + (owned != null ? owned : listening.getLocalAddress())
                    + ", readers " + rm.readerNames());
            err.flush();
            daemon.awaitClosed();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutting down already
            }
            return 0;
        } finally {
            if (control != null) control.close();
            rm.close();
            if (virtual != null) virtual.close();
            drivers.forEach(CcidDriver::close);
            buses.forEach(UsbSession::close);
        }
    }

    private static void add(ResourceManager rm, UsbSession bus, List<UsbSession> buses, List<CcidDriver> drivers) {
        buses.add(bus);
        CcidDriver d = new CcidDriver(bus).start();
        drivers.add(d);
        rm.addSource(d);
    }
}
