package com.example.counter;

import javacard.framework.APDU;
import javacard.framework.Applet;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.Util;

/**
 * A small Java Card applet, built outside cardstack, for the README's worked example and the tests of
 * --simulate cp=: a persistent 16-bit counter.
 *
 * <ul>
 * <li>install parameters (applet data, in the JCRE layout): optional 2 bytes, the counter's start value;
 * an empty bArray (jCardSim's own loaders) registers under the AID being installed</li>
 * <li>{@code 80 10 00 00 00}: add one, answer the new value (2 bytes) and 9000</li>
 * <li>{@code 80 20 00 00 00}: answer the value</li>
 * <li>{@code 80 30 P1 P2}: set the value to P1P2</li>
 * </ul>
 */
public final class CounterApplet extends Applet {
    private static final byte CLA = (byte) 0x80;
    private short value;

    private CounterApplet(byte[] bArray, short bOffset, byte bLength) {
        if (bLength == 0) {
            // no install parameters (jCardSim's own loader, e.g. its VSmartCard, passes none)
            register();
            return;
        }
        // bArray: Li | instance AID | Lc | control info | La | applet data
        short aidOffset = (short) (bOffset + 1);
        byte aidLength = bArray[bOffset];
        short p = (short) (aidOffset + aidLength);
        short lc = (short) (bArray[p] & 0xFF);
        p = (short) (p + 1 + lc);
        short la = (short) (bArray[p] & 0xFF);
        if (la == 2) {
            value = Util.getShort(bArray, (short) (p + 1));
        } else if (la != 0) {
            ISOException.throwIt(ISO7816.SW_WRONG_LENGTH);
        }
        register(bArray, aidOffset, aidLength);
    }

    public static void install(byte[] bArray, short bOffset, byte bLength) {
        new CounterApplet(bArray, bOffset, bLength);
    }

    @Override
    public void process(APDU apdu) {
        if (selectingApplet()) {
            return;
        }
        byte[] buf = apdu.getBuffer();
        if (buf[ISO7816.OFFSET_CLA] != CLA) {
            ISOException.throwIt(ISO7816.SW_CLA_NOT_SUPPORTED);
        }
        switch (buf[ISO7816.OFFSET_INS]) {
            case 0x10:
                value++;
                break;
            case 0x20:
                break;
            case 0x30:
                value = Util.getShort(buf, ISO7816.OFFSET_P1);
                return;
            default:
                ISOException.throwIt(ISO7816.SW_INS_NOT_SUPPORTED);
        }
        Util.setShort(buf, (short) 0, value);
        apdu.setOutgoingAndSend((short) 0, (short) 2);
    }
}
