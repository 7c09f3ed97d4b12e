package org.cardstack.reader.ccid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import org.cardstack.usb.UsbDevice;
import org.cardstack.usb.UsbDeviceGoneException;
import org.cardstack.usb.UsbDeviceHandle;
import org.cardstack.usb.UsbException;
import org.cardstack.usb.UsbStallException;
import org.cardstack.usb.UsbTimeoutException;

/**
 * A USB handle that plays a script of exact transfers, read like a trace:
 * {@code >> hex} the bulk-out the driver must send, {@code << hex} the bulk-in it gets,
 * {@code << timeout}, {@code << stall}, {@code << zlp} (a zero-length transfer), {@code >> stall}, {@code >> timeout},
 * {@code >> short N}, {@code CT setup-hex -> stall|ok|ok | data}. The lengths the driver asked of each bulk-in are
 * kept in {@link #bulkInLengths}.
 * Any deviation fails the test; {@link #assertDone()} fails if script lines were not consumed.
 */
final class ScriptedUsbHandle implements UsbDeviceHandle {
    private static final HexFormat HEX = HexFormat.ofDelimiter(" ").withUpperCase();
    private final UsbDevice device;
    private final Deque<String> script = new ArrayDeque<>();
    int clearHalts;
    final java.util.List<Integer> bulkInLengths = new java.util.ArrayList<>();

    ScriptedUsbHandle(UsbDevice device, String transcript) {
        this.device = device;
        for (String line : transcript.split("\n")) {
            String l = line.replaceAll("#.*", "").strip();
            if (!l.isEmpty()) {
                script.add(l);
            }
        }
    }

    void assertDone() {
        assertTrue(script.isEmpty(), "script lines not consumed: " + script);
    }

    private String next(String expecting) {
        String line = script.poll();
        if (line == null) {
            fail("driver did " + expecting + " after the end of the script");
        }
        return line;
    }

    @Override
    public UsbDevice device() { return device; }

    @Override
    public void claimInterface(int interfaceNumber) { }

    @Override
    public void releaseInterface(int interfaceNumber) { }

    @Override
    public int bulkOut(int endpoint, byte[] data, int offset, int length, int timeoutMillis) throws UsbException {
        String line = next("bulk-out " + HEX.formatHex(data, offset, offset + length));
        if (line.equals(">> stall")) {
            throw new UsbStallException("scripted stall");
        }
        if (line.equals(">> gone")) {
            throw new UsbDeviceGoneException("scripted unplug");
        }
        if (line.equals(">> timeout")) {
            throw new UsbTimeoutException("scripted bulk-out", timeoutMillis);
        }
        if (line.startsWith(">> short ")) {
            return Integer.parseInt(line.substring(9).strip());
        }
        assertTrue(line.startsWith(">>"), "driver sent bulk-out, script expected: " + line);
        assertEquals(norm(line.substring(2)), HEX.formatHex(data, offset, offset + length), "bulk-out bytes");
        return length;
    }

    @Override
    public int bulkIn(int endpoint, byte[] buffer, int offset, int length, int timeoutMillis) throws UsbException {
        String line = script.peek();
        if (line == null || !line.startsWith("<<")) {
            // Draining reads after a failure: nothing more is pending.
            throw new UsbTimeoutException("scripted bulk-in (nothing pending)", timeoutMillis);
        }
        script.poll();
        bulkInLengths.add(length);
        String body = line.substring(2).strip();
        switch (body) {
            case "zlp" -> {
                return 0;
            }
            case "timeout" -> throw new UsbTimeoutException("scripted bulk-in", timeoutMillis);
            case "stall" -> throw new UsbStallException("scripted stall");
            case "gone" -> throw new UsbDeviceGoneException("scripted unplug");
            default -> {
                byte[] b = HexFormat.of().parseHex(body.replaceAll("[\\s|]", ""));
                assertTrue(b.length <= length, "bulk-in buffer of " + length + " too small for " + b.length);
                System.arraycopy(b, 0, buffer, offset, b.length);
                return b.length;
            }
        }
    }

    @Override
    public int interruptIn(int endpoint, byte[] buffer, int offset, int length, int timeoutMillis) throws UsbException {
        throw new UsbTimeoutException("interrupt", timeoutMillis);
    }

    @Override
    public int controlTransfer(int requestType, int request, int value, int index, byte[] data, int timeoutMillis)
            throws UsbException {
        String setup = String.format("%02X %02X %02X %02X %02X %02X %02X %02X", requestType, request, value & 0xFF,
                value >> 8, index & 0xFF, index >> 8, data.length & 0xFF, data.length >> 8);
        String line = next("control transfer " + setup);
        assertTrue(line.startsWith("CT "), "driver sent control transfer " + setup + ", script expected: " + line);
        String[] parts = line.substring(3).split("->");
        assertEquals(norm(parts[0]), setup, "control setup bytes");
        if (parts[1].strip().equals("stall")) {
            throw new UsbStallException("scripted control stall");
        }
        String[] answer = parts[1].split("\\|", 2);   // "ok | data" answers an IN request with data
        if (answer.length == 2) {
            byte[] d = HexFormat.of().parseHex(answer[1].replaceAll("\\s", ""));
            System.arraycopy(d, 0, data, 0, Math.min(d.length, data.length));
            return Math.min(d.length, data.length);
        }
        return 0;
    }

    @Override
    public void clearHalt(int endpoint) { clearHalts++; }

    @Override
    public String stringDescriptor(int index) { return null; }

    @Override
    public void close() { }

    private static String norm(String hex) {
        return HEX.formatHex(HexFormat.of().parseHex(hex.replaceAll("[\\s|]", "")));
    }
}
