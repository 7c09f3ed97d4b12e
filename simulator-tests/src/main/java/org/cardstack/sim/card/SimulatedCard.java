package org.cardstack.sim.card;

import org.cardstack.iso7816.atr.Atr;
import java.util.HexFormat;
import com.licel.jcardsim.base.Simulator;
import com.licel.jcardsim.base.SimulatorRuntime;
import com.licel.jcardsim.utils.AIDUtil;
import javacard.framework.AID;
import javacard.framework.Applet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * A Java Card host around jCardSim 3.0.5's {@link Simulator}: install applets, reset, exchange APDUs.
 * Thread-safe (every method is synchronized on the card).
 *
 * <h2>What differs from plain jCardSim</h2>
 * <ul>
 * <li><b>Install parameters.</b> {@link #install(Class, byte[], byte[])} builds the bArray the JCRE gives
 *     {@code Applet.install()} from an INSTALL [for install] command: {@code Li | instance AID | Lc = 0
 *     (no control info) | La | applet data}, so applets that call {@code register(bArray, bOffset + 1,
 *     bArray[bOffset])} get their AID. {@link #installRaw} passes bytes verbatim instead.</li>
 * <li><b>Transactions.</b> The JCRE aborts a transaction that is still open when {@code process()}
 *     returns or throws. jCardSim does not, and then refuses every later {@code beginTransaction()}.
 *     After each command this card checks the runtime's transaction depth and, if a transaction is open,
 *     aborts it (depth back to 0; counted in {@link #transactionsAborted()}, logged at WARN). jCardSim
 *     keeps no commit buffer, so the persistent writes made inside that transaction are <b>not</b>
 *     rolled back: that part of the JCRE behaviour cannot be had with jCardSim (it would need a journal
 *     of every field and array write).</li>
 * <li><b>Reset.</b> {@link #powerOn()} is a cold or warm reset: the runtime's reset (transient
 *     CLEAR_ON_RESET memory cleared, no applet selected, transaction depth 0), then the default applet
 *     (the first installed, or {@link #setDefaultApplet}) is selected as a default-selected applet would be.
 *     Persistent state survives. jCardSim does not clear CLEAR_ON_DESELECT memory of an applet on reset
 *     (only on deselect).</li>
 * <li><b>ATR.</b> Configurable, default {@link Atr#DEFAULT_HEX} (T=0 and T=1, valid TCK); checked with
 *     {@link Atr#parse}.</li>
 * <li><b>System properties.</b> jCardSim's {@code com.licel.jcardsim.card.applet.*} properties are not
 *     read: only applets installed through this class exist.</li>
 * </ul>
 *
 * <p><b>Standard output.</b> jCardSim's {@code javacard.security.Signature.getInstance} prints lines such
 * as "getInstance of assymetric algo: 1 is OK!" with {@code System.out.println}. That cannot be turned
 * off for one card without replacing {@code System.out} for the whole JVM, which this class does not do.
 * Programs whose stdout is parsed must keep applets that create signatures away from it, or redirect
 * stdout themselves (the CLI's --simulate does its own output on stdout: see its documentation).
 */
public final class SimulatedCard implements ApduCard {
    private static final HexFormat HEX = HexFormat.of().withUpperCase();
    private static final Logger LOG = LoggerFactory.getLogger(SimulatedCard.class);

    private final Runtime runtime = new Runtime();
    private final Simulator simulator = new IsolatedSimulator(runtime);
    private final List<AID> installed = new ArrayList<>();
    private byte[] atr;
    private AID defaultApplet;
    private boolean powered;
    private long transactionsAborted;

    public SimulatedCard() {
        this(CardAtrs.defaultAtr());
    }

    public SimulatedCard(byte[] atr) {
        setAtr(atr);
    }

    /** jCardSim's runtime, with a way to forget the load file of an applet whose install failed. */
    private static final class Runtime extends SimulatorRuntime {
        void forgetLoadFile(AID aid) {
            AID loadFile = generatedLoadFileAIDs.remove(aid);
            if (loadFile != null) {
                loadFiles.remove(loadFile);
            }
        }
    }

    /** A Simulator that ignores jCardSim's applet system properties. */
    private static final class IsolatedSimulator extends Simulator {
        IsolatedSimulator(SimulatorRuntime runtime) {
            super(runtime, new Properties());
        }
    }

    /**
     * Builds the install parameters the JCRE passes to {@code install(bArray, bOffset, bLength)} for an
     * INSTALL [for install]: {@code Li | instance AID | Lc = 00 | La | applet data} (GlobalPlatform Card
     * Specification 2.3 §11.5.2.3, Java Card RE specification §3.1 "install method").
     *
     * @throws IllegalArgumentException if the AID is not 5 to 16 bytes or the whole is over 127 bytes
     */
    public static byte[] installParameters(byte[] aid, byte[] appletData) {
        checkAid(aid);
        byte[] data = appletData == null ? new byte[0] : appletData;
        int total = 1 + aid.length + 1 + 1 + data.length;
        if (total > 127) {
            throw new IllegalArgumentException("install parameters of " + total + " bytes (Java Card allows 127)");
        }
        byte[] b = new byte[total];
        int p = 0;
        b[p++] = (byte) aid.length;
        System.arraycopy(aid, 0, b, p, aid.length);
        p += aid.length;
        b[p++] = 0;                   // Lc: no control info
        b[p++] = (byte) data.length;  // La
        System.arraycopy(data, 0, b, p, data.length);
        return b;
    }

    /** Installs an applet with the JCRE's bArray layout; appletData may be null (La = 0). */
    public synchronized void install(Class<? extends Applet> appletClass, byte[] aid, byte[] appletData) {
        installRaw(appletClass, aid, installParameters(aid, appletData));
    }

    /** Installs an applet passing {@code bArray} to its install method verbatim (offset 0). */
    public synchronized void installRaw(Class<? extends Applet> appletClass, byte[] aid, byte[] bArray) {
        checkAid(aid);
        if (bArray.length > 127) {
            throw new IllegalArgumentException("install parameters of " + bArray.length + " bytes (Java Card allows 127)");
        }
        AID a = AIDUtil.create(aid);
        try {
            simulator.installApplet(a, appletClass, bArray, (short) 0, (byte) bArray.length);
        } catch (RuntimeException e) {
            runtime.forgetLoadFile(a);
            throw new IllegalStateException("installing " + appletClass.getName() + " as " + HEX.formatHex(aid)
                    + " failed: " + e, e);
        }
        installed.add(a);
        if (defaultApplet == null) {
            defaultApplet = a;
        }
        if (powered) {
            resetRuntime();
        }
    }

    /** Installs by class name, loaded with this class's class loader. */
    @SuppressWarnings("unchecked")
    public synchronized void install(String className, byte[] aid, byte[] appletData) {
        Class<?> c;
        try {
            c = Class.forName(className, true, SimulatedCard.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("applet class " + className + " not found", e);
        }
        if (!Applet.class.isAssignableFrom(c)) {
            throw new IllegalArgumentException(className + " is not a javacard.framework.Applet");
        }
        install((Class<? extends Applet>) c, aid, appletData);
    }

    /** The applet selected after each reset; null for none. Must be installed. */
    public synchronized void setDefaultApplet(byte[] aid) {
        if (aid == null) {
            defaultApplet = null;
            return;
        }
        AID a = AIDUtil.create(aid);
        if (!installed.contains(a)) {
            throw new IllegalArgumentException("no applet " + HEX.formatHex(aid) + " installed");
        }
        defaultApplet = a;
    }

    public synchronized void setAtr(byte[] atr) {
        Atr.parse(atr);
        this.atr = atr.clone();
    }

    @Override
    public synchronized byte[] atr() { return atr.clone(); }

    @Override
    public synchronized byte[] powerOn() {
        resetRuntime();
        powered = true;
        return atr.clone();
    }

    private void resetRuntime() {
        simulator.reset();
        if (defaultApplet != null) {
            simulator.selectApplet(defaultApplet);
            closeOpenTransaction("select");
        }
    }

    @Override
    public synchronized void powerOff() {
        powered = false;
    }

    @Override
    public synchronized boolean isPowered() { return powered; }

    /**
     * APDU.getProtocol() as the applets see it: "T=0" or "T=1" (jCardSim's names). Set by the reader
     * for the protocol in use.
     */
    public synchronized void setProtocol(String protocol) {
        simulator.changeProtocol(protocol);
    }

    @Override
    public synchronized byte[] transmit(byte[] commandApdu) {
        if (!powered) {
            throw new IllegalStateException("card not powered");
        }
        byte[] response;
        try {
            response = simulator.transmitCommand(commandApdu);
        } catch (RuntimeException e) {
            LOG.warn("jCardSim failed on {}: {}", HEX.formatHex(commandApdu), e.toString());
            response = new byte[] {0x6F, 0x00};
        }
        closeOpenTransaction(HEX.formatHex(commandApdu));
        if (response == null || response.length < 2) {
            response = new byte[] {0x6F, 0x00};
        }
        return response;
    }

    private void closeOpenTransaction(String what) {
        if (runtime.getTransactionDepth() != 0) {
            runtime.abortTransaction();
            transactionsAborted++;
            LOG.warn("transaction left open by {}: aborted (depth reset; jCardSim cannot roll back its writes)", what);
        }
    }

    /** How many open transactions were aborted after a command. */
    public synchronized long transactionsAborted() { return transactionsAborted; }

    private static void checkAid(byte[] aid) {
        if (aid == null || aid.length < 5 || aid.length > 16) {
            throw new IllegalArgumentException("AID must be 5 to 16 bytes, got "
                    + (aid == null ? "none" : aid.length + " (" + HEX.formatHex(aid) + ")"));
        }
    }
}
