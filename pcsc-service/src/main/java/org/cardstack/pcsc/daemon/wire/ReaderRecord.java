package org.cardstack.pcsc.daemon.wire;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * One 184-byte readers-state record (pcscd-protocol.md §6): name[128], eventCounter, readerState,
 * readerSharing, cardAtr[33], 3 pad bytes, cardAtrLength, cardProtocol. A record with an empty name
 * is an unused slot.
 */
public record ReaderRecord(String name, int eventCounter, int readerState, int sharing, byte[] atr, int protocol) {
    /** An unused slot: all bytes zero (as pcscd 2.5 pads the array). */
    public static final ReaderRecord EMPTY = new ReaderRecord("", 0, 0, 0, new byte[0], 0);

    public ReaderRecord {
        if (atr.length > Wire.MAX_ATR_SIZE) {
            throw new IllegalArgumentException("ATR longer than " + Wire.MAX_ATR_SIZE + " bytes");
        }
        atr = atr.clone();
    }

    @Override
    public byte[] atr() { return atr.clone(); }

    public boolean isEmpty() { return name.isEmpty(); }

    public void write(ByteBuffer out) {
        out.put(Message.nameField(name));
        out.putInt(eventCounter).putInt(readerState).putInt(sharing);
        byte[] field = Arrays.copyOf(atr, Wire.MAX_ATR_SIZE);
        out.put(field).put(new byte[3]);
        out.putInt(atr.length).putInt(protocol);
    }

    /** Reads one record; an ATR length above 33 (pcscd 1.9.9's "not initialised" 34) gives an empty ATR. */
    public static ReaderRecord read(ByteBuffer in) {
        byte[] name = new byte[Wire.MAX_READERNAME];
        in.get(name);
        int counter = in.getInt();
        int state = in.getInt();
        int sharing = in.getInt();
        byte[] atr = new byte[Wire.MAX_ATR_SIZE];
        in.get(atr);
        in.position(in.position() + 3);
        int atrLength = in.getInt();
        int protocol = in.getInt();
        byte[] a = atrLength >= 0 && atrLength <= Wire.MAX_ATR_SIZE ? Arrays.copyOf(atr, atrLength) : new byte[0];
        return new ReaderRecord(Message.fieldString(name), counter, state, sharing, a, protocol);
    }

    /** {@code count} records: {@code records} at their positions (null or missing: unused), the rest empty. */
    public static ByteBuffer array(List<ReaderRecord> records, int count) {
        ByteBuffer out = ByteBuffer.allocate(count * Wire.RECORD_SIZE).order(Wire.ORDER);
        for (int i = 0; i < count; i++) {
            ReaderRecord r = i < records.size() ? records.get(i) : null;
            (r == null ? EMPTY : r).write(out);
        }
        return out.flip();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReaderRecord r && name.equals(r.name) && eventCounter == r.eventCounter
                && readerState == r.readerState && sharing == r.sharing && Arrays.equals(atr, r.atr)
                && protocol == r.protocol;
    }

    @Override
    public int hashCode() { return name.hashCode() * 31 + eventCounter; }

    @Override
    public String toString() {
        return String.format("ReaderRecord[\"%s\" counter %d state 0x%X sharing %d atr %s protocol %d]", name,
                eventCounter, readerState, sharing, HexFormat.of().withUpperCase().formatHex(atr), protocol);
    }
}
