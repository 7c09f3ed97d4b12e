package org.cardstack.vpcd.wire;

import java.util.Arrays;
import java.util.HexFormat;

/** A message from the reader side (vpcd) to the card side (vicc): a control byte or a command APDU. */
public sealed interface VpcdCommand permits VpcdCommand.Control, VpcdCommand.Apdu {

    /** The payload as sent on the wire (without the length prefix). */
    byte[] payload();

    /** The one-byte control messages. Only {@link #ATR} is answered (with the ATR). */
    enum Control implements VpcdCommand {
        /** 0x00: power the card off. No answer. */
        POWER_OFF(0x00),
        /** 0x01: power the card on. No answer. */
        POWER_ON(0x01),
        /** 0x02: warm reset. No answer. */
        RESET(0x02),
        /** 0x04: send the ATR. Answered with the ATR. */
        ATR(0x04);

        private final int code;

        Control(int code) { this.code = code; }

        public int code() { return code; }

        @Override
        public byte[] payload() { return new byte[] {(byte) code}; }

        /** The control message with this byte, or null if none (0x03, 0x05..0xFF are not defined). */
        public static Control of(int code) {
            for (Control c : values()) {
                if (c.code == (code & 0xFF)) return c;
            }
            return null;
        }
    }

    /** A command APDU (any message that is not one byte long). */
    record Apdu(byte[] apdu) implements VpcdCommand {
        public Apdu {
            apdu = apdu.clone();
        }

        @Override
        public byte[] apdu() { return apdu.clone(); }

        @Override
        public byte[] payload() { return apdu.clone(); }

        @Override
        public boolean equals(Object o) { return o instanceof Apdu a && Arrays.equals(apdu, a.apdu); }

        @Override
        public int hashCode() { return Arrays.hashCode(apdu); }

        @Override
        public String toString() { return "Apdu[" + HexFormat.of().withUpperCase().formatHex(apdu) + "]"; }
    }
}
