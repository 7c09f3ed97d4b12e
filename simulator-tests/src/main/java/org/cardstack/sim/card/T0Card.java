package org.cardstack.sim.card;

import java.util.Arrays;

/**
 * A T=0 front end in front of an APDU-level card: what a T=0 card answers a TPDU-level reader
 * (ISO/IEC 7816-3 §10.3, §12.2), with the same rules as the usb-rig's {@code --t0} card. P3 = 00 means
 * 256 where data goes to the host.
 * <ul>
 * <li>5 bytes, CLA INS P1 P2 P3 (case 1, or case 2 with Le = P3): the command runs as an APDU with
 *     Le = P3. No response data: SW1 SW2 only. Na data bytes: if P3 (as Le) equals min(Na, 256), the data
 *     and the SW (case 2S.1); otherwise {@code 6C La}, La = min(Na, 256) mod 256, and nothing is kept: the
 *     host resends with P3 = La and the command runs again (case 2S.3). Over 256 bytes with P3 = 00: the
 *     first 256 and {@code 61 xx}, the rest kept for GET RESPONSE.</li>
 * <li>5 + P3 bytes (case 3, or case 4 sent as case 3, §12.2.4): the command runs with no Le. No response
 *     data: its SW. Response data: kept, and {@code 61 xx} (xx = min(Na, 256) mod 256).</li>
 * <li>GET RESPONSE, INS C0 (any CLA), P1 P2 = 00 00, P3 = Le: up to Le kept bytes, then {@code 61 xx}
 *     while more remains, or with the last piece the command's own SW; {@code 6C xx} if Le is more than
 *     what remains (kept data stays); {@code 6985} if nothing is kept; {@code 6A86} for P1 P2 other than
 *     00 00; {@code 6700} with data.</li>
 * <li>Any other command discards kept data, as does {@link #reset()}.</li>
 * <li>Anything that is no T=0 TPDU gets {@code 6700} without reaching the card: fewer than 5 bytes, a
 *     length other than 5 or 5 + P3 (a case 4 APDU with its Le byte, an extended APDU), over 5 + 255.</li>
 * </ul>
 * The card's own SW is passed on as it is, also when the applet sends data with an error SW. Thread-safe.
 */
public final class T0Card {
    private final ApduCard card;
    private byte[] kept;     // response data the host has yet to fetch (null: none)
    private int keptOffset;
    private int keptSw;

    public T0Card(ApduCard card) {
        this.card = card;
    }

    public ApduCard card() { return card; }

    /** Forgets kept response data (card reset, removal). */
    public synchronized void reset() {
        kept = null;
    }

    /** Bytes kept for GET RESPONSE, 0 if none. */
    public synchronized int pending() {
        return kept == null ? 0 : kept.length - keptOffset;
    }

    /** One command TPDU in, the card's bytes (data and procedure/status bytes SW1 SW2) out. */
    public synchronized byte[] transmit(byte[] tpdu) {
        int p3 = tpdu.length >= 5 ? tpdu[4] & 0xFF : -1;
        if (tpdu.length < 5 || tpdu.length > 5 + 255 || (tpdu.length != 5 && tpdu.length != 5 + p3)) {
            kept = null;
            return sw(0x6700);
        }
        if (tpdu[1] == (byte) 0xC0) {
            return getResponse(tpdu);
        }
        kept = null;
        boolean outgoing = tpdu.length == 5;
        byte[] response = card.transmit(tpdu);
        if (response.length < 2) {
            response = sw(0x6F00);
        }
        int na = response.length - 2;
        int sw = sw(response);
        byte[] data = Arrays.copyOf(response, na);
        if (na == 0) {
            return sw(sw);
        }
        if (outgoing) {
            int le = p3 == 0 ? 256 : p3;
            int la = Math.min(na, 256);
            if (le != la) {
                return sw(0x6C00 | (la & 0xFF));
            }
            if (na <= 256) {
                return concat(data, sw(sw));
            }
            keep(data, sw);
            return piece(256);
        }
        keep(data, sw);
        return sw(0x6100 | (Math.min(na, 256) & 0xFF));
    }

    private byte[] getResponse(byte[] tpdu) {
        int le = (tpdu[4] & 0xFF) == 0 ? 256 : tpdu[4] & 0xFF;
        if (tpdu.length != 5) {
            kept = null;
            return sw(0x6700);
        }
        if (tpdu[2] != 0 || tpdu[3] != 0) {
            return sw(0x6A86);
        }
        if (kept == null) {
            return sw(0x6985);
        }
        int left = kept.length - keptOffset;
        if (le > left) {
            return sw(0x6C00 | (left & 0xFF));
        }
        return piece(le);
    }

    private void keep(byte[] data, int sw) {
        kept = data;
        keptOffset = 0;
        keptSw = sw;
    }

    private byte[] piece(int n) {
        byte[] data = Arrays.copyOfRange(kept, keptOffset, keptOffset + n);
        keptOffset += n;
        int left = kept.length - keptOffset;
        if (left > 0) {
            return concat(data, sw(0x6100 | (Math.min(left, 256) & 0xFF)));
        }
        kept = null;
        return concat(data, sw(keptSw));
    }

    private static int sw(byte[] r) {
        return (r[r.length - 2] & 0xFF) << 8 | (r[r.length - 1] & 0xFF);
    }

    private static byte[] sw(int sw) {
        return new byte[] {(byte) (sw >> 8), (byte) sw};
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
