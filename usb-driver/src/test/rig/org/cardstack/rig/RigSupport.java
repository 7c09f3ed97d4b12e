package org.cardstack.rig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HexFormat;

/** Checks, timings and the rig's control file, shared by the rig programs. */
final class RigSupport {
    static final HexFormat HEX = HexFormat.of().withUpperCase();
    private final String prefix;
    private int passed;
    private int failed;

    RigSupport(String prefix) {
        this.prefix = prefix;
    }

    boolean expect(String what, boolean ok, String detail) {
        if (ok) {
            passed++;
        } else {
            failed++;
        }
        System.out.println((ok ? "ok   " : "FAIL ") + prefix + ": " + what + (detail.isEmpty() ? "" : ": " + detail));
        return ok;
    }

    void fail(String what, Throwable e) {
        expect(what, false, e.toString());
        e.printStackTrace(System.out);
    }

    int failed() {
        return failed;
    }

    String summary() {
        return prefix + ": " + passed + " passed, " + failed + " failed";
    }

    static byte[] selectApdu(byte[] aid) {
        byte[] apdu = new byte[5 + aid.length]; // case 3: a T=0 TPDU reader gets no Le
        apdu[1] = (byte) 0xA4;
        apdu[2] = 0x04;
        apdu[4] = (byte) aid.length;
        System.arraycopy(aid, 0, apdu, 5, aid.length);
        return apdu;
    }

    static int sw(byte[] r) {
        return r == null || r.length < 2 ? -1 : (r[r.length - 2] & 0xFF) << 8 | (r[r.length - 1] & 0xFF);
    }

    /** "median 812.3 us, p90 1201.0 us, min ..., max ..." and a machine-readable RESULT line. */
    static double[] report(String label, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        int n = s.length;
        double median = (n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0) / 1e3;
        double p90 = s[Math.min(n - 1, (int) Math.ceil(n * 0.9) - 1)] / 1e3;
        System.out.printf("%s: %d round trips: median %.1f us, p90 %.1f us, min %.1f us, max %.1f us%n", label, n,
                median, p90, s[0] / 1e3, s[n - 1] / 1e3);
        System.out.printf("RESULT rtt %s median_us=%.1f p90_us=%.1f n=%d%n", label, median, p90, n);
        return new double[] {median, p90};
    }

    static Path control() {
        String c = System.getenv("RIG_CONTROL");
        return c == null || c.isEmpty() ? null : Path.of(c);
    }

    static void send(Path control, String line) throws IOException {
        Files.writeString(control, line + "\n", StandardCharsets.US_ASCII, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    static long ms(long nanos) {
        return nanos / 1_000_000;
    }
}
