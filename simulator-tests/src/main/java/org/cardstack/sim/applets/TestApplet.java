package org.cardstack.sim.applets;

import javacard.framework.APDU;
import javacard.framework.Applet;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.JCSystem;
import javacard.framework.Util;
import javacardx.apdu.ExtendedLength;

/**
 * A test applet with one instruction per ISO/IEC 7816-4 case, extended length support and a few
 * runtime probes. Written against the Java Card 3.0.5 API only. Default AID {@link #AID_HEX}
 * ({@code F0 "CARDSTACK" 01}). Any CLA is accepted; the instructions (case as in 7816-4 §5.1):
 * <pre>
 * INS 01  case 1   no operation; data, if any, is ignored                          -> 9000
 * INS 02  case 2   N bytes 00 01 02 .. (i mod 256); N = P1P2 if not 0000, else Ne  -> data 9000
 *                  (N up to 32767 with an extended APDU; jCardSim caps short responses at 258)
 * INS 03  case 3   accepts Lc bytes (extended: several KiB); P1P2 = 0001 checks that they are
 *                  00 01 02 .. (6984 if not)                                     -> 9000
 * INS 04  case 4   echoes the command data                                         -> data 9000
 * INS 05           P1 bytes 00 01 02 .., then SW 61 P2 (the applet's own 61xx)     -> data 61xx
 * INS 06           no data, SW = P1P2 (for error paths); P1P2 = 0000 gives 9000
 * INS 07           beginTransaction, persistent counter + 1, then P1 = 01: throw ISOException 6F01
 *                  with the transaction open; otherwise commit                      -> 9000
 * INS 08  case 2   counter (2 bytes), JCSystem.getTransactionDepth() (1 byte)       -> data 9000
 * INS 09  case 2   CLEAR_ON_RESET byte, returned then incremented (0 after a reset) -> 1 byte 9000
 * INS 0A  case 2   APDU.getProtocol(), 1 byte (0 = T=0, 1 = T=1 in the low nibble)  -> 1 byte 9000
 * other            6D00; CLA with the 7816 "invalid" pattern FF: 6E00
 * </pre>
 * A card cannot stall a command for a time extension, so there is no "sleep" instruction: the virtual
 * reader's fault injection produces time extensions instead.
 */
public class TestApplet extends Applet implements ExtendedLength {
    /** The default instance AID: F0 43 41 52 44 53 54 41 43 4B 01. */
    public static final String AID_HEX = "F043415244535441434B01";

    public static final byte INS_NOOP = 0x01;
    public static final byte INS_GET_DATA = 0x02;
    public static final byte INS_PUT_DATA = 0x03;
    public static final byte INS_ECHO = 0x04;
    public static final byte INS_SW61 = 0x05;
    public static final byte INS_SW = 0x06;
    public static final byte INS_TRANSACTION = 0x07;
    public static final byte INS_COUNTER = 0x08;
    public static final byte INS_RESET_PROBE = 0x09;
    public static final byte INS_PROTOCOL = 0x0A;

    private short counter;
    private final byte[] resetProbe;

    protected TestApplet(byte[] bArray, short bOffset, byte bLength) {
        resetProbe = JCSystem.makeTransientByteArray((short) 1, JCSystem.CLEAR_ON_RESET);
        if (bArray != null && bLength > 0 && bArray[bOffset] >= 5) {
            register(bArray, (short) (bOffset + 1), bArray[bOffset]);
        } else {
            register();
        }
    }

    public static void install(byte[] bArray, short bOffset, byte bLength) {
        new TestApplet(bArray, bOffset, bLength);
    }

    @Override
    public void process(APDU apdu) {
        if (selectingApplet()) {
            return;
        }
        byte[] buf = apdu.getBuffer();
        if (buf[ISO7816.OFFSET_CLA] == (byte) 0xFF) {
            ISOException.throwIt(ISO7816.SW_CLA_NOT_SUPPORTED);
        }
        short p1p2 = Util.getShort(buf, ISO7816.OFFSET_P1);
        switch (buf[ISO7816.OFFSET_INS]) {
            case INS_NOOP:
                return;
            case INS_GET_DATA: {
                short ne = apdu.setOutgoing();
                short n = p1p2 != 0 ? p1p2 : ne;
                if (n < 0) {
                    ISOException.throwIt(ISO7816.SW_WRONG_P1P2);
                }
                sendPattern(apdu, n);
                return;
            }
            case INS_PUT_DATA: {
                short len = receiveAll(apdu);
                if (p1p2 == 1) {
                    short off = apdu.getOffsetCdata();
                    for (short i = 0; i < len; i++) {
                        if (buf[(short) (off + i)] != (byte) i) {
                            ISOException.throwIt(ISO7816.SW_DATA_INVALID);
                        }
                    }
                }
                return;
            }
            case INS_ECHO: {
                short len = receiveAll(apdu);
                short off = apdu.getOffsetCdata();
                apdu.setOutgoing();
                apdu.setOutgoingLength(len);
                apdu.sendBytesLong(buf, off, len);
                return;
            }
            case INS_SW61: {
                short n = (short) (buf[ISO7816.OFFSET_P1] & 0xFF);
                byte sw2 = buf[ISO7816.OFFSET_P2];
                if (n > 0) {
                    apdu.setOutgoing();
                    sendPattern(apdu, n);
                }
                ISOException.throwIt((short) (0x6100 | (sw2 & 0xFF)));
                return;
            }
            case INS_SW:
                if (p1p2 != 0) {
                    ISOException.throwIt(p1p2);
                }
                return;
            case INS_TRANSACTION:
                JCSystem.beginTransaction();
                counter++;
                if (buf[ISO7816.OFFSET_P1] == 1) {
                    ISOException.throwIt((short) 0x6F01);
                }
                JCSystem.commitTransaction();
                return;
            case INS_COUNTER:
                Util.setShort(buf, (short) 0, counter);
                buf[2] = JCSystem.getTransactionDepth();
                apdu.setOutgoingAndSend((short) 0, (short) 3);
                return;
            case INS_RESET_PROBE:
                buf[0] = resetProbe[0];
                resetProbe[0]++;
                apdu.setOutgoingAndSend((short) 0, (short) 1);
                return;
            case INS_PROTOCOL:
                buf[0] = APDU.getProtocol();
                apdu.setOutgoingAndSend((short) 0, (short) 1);
                return;
            default:
                ISOException.throwIt(ISO7816.SW_INS_NOT_SUPPORTED);
        }
    }

    /** Receives all command data into the APDU buffer at the data offset; returns its length. */
    private static short receiveAll(APDU apdu) {
        short read = apdu.setIncomingAndReceive();
        short total = apdu.getIncomingLength();
        short pos = (short) (apdu.getOffsetCdata() + read);
        while (read < total) {
            short r = apdu.receiveBytes(pos);
            if (r <= 0) {
                break;
            }
            pos += r;
            read += r;
        }
        return read;
    }

    /** Sends n bytes 00 01 02 .. (setOutgoing already called). */
    private static void sendPattern(APDU apdu, short n) {
        byte[] buf = apdu.getBuffer();
        if (n > buf.length) {
            ISOException.throwIt(ISO7816.SW_WRONG_LENGTH);
        }
        for (short i = 0; i < n; i++) {
            buf[i] = (byte) i;
        }
        apdu.setOutgoingLength(n);
        apdu.sendBytes((short) 0, n);
    }
}
