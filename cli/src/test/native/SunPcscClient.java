import java.util.HexFormat;
import java.util.List;
import javax.smartcardio.Card;
import javax.smartcardio.CardChannel;
import javax.smartcardio.CardTerminal;
import javax.smartcardio.CommandAPDU;
import javax.smartcardio.ResponseAPDU;
import javax.smartcardio.TerminalFactory;

/** The JDK's own PC/SC provider (SunPCSC, through libpcsclite) against `cardstack serve`. Single-file program. */
public class SunPcscClient {
    public static void main(String[] args) throws Exception {
        TerminalFactory f = TerminalFactory.getDefault();
        System.out.println("provider: " + f.getProvider().getName() + " " + f.getType());
        List<CardTerminal> terminals = f.terminals().list();
        for (CardTerminal t : terminals) {
            System.out.println("terminal: " + t.getName() + " card=" + t.isCardPresent());
        }
        CardTerminal t = null;
        for (CardTerminal c : terminals) {
            if (t == null && c.isCardPresent()) {
                t = c;
            }
        }
        Card card = t.connect("*");
        System.out.println("protocol: " + card.getProtocol());
        System.out.println("atr: " + HexFormat.of().formatHex(card.getATR().getBytes()));
        CardChannel ch = card.getBasicChannel();
        ResponseAPDU r = ch.transmit(new CommandAPDU(HexFormat.of().parseHex("00A4040005F000000001")));
        System.out.println("select: " + Integer.toHexString(r.getSW()));
        card.beginExclusive();
        r = ch.transmit(new CommandAPDU(HexFormat.of().parseHex("800100000D")));
        card.endExclusive();
        System.out.println("hello: " + new String(r.getData(), "US-ASCII") + " " + Integer.toHexString(r.getSW()));
        System.out.println("waitForChange(200): " + f.terminals().waitForChange(200));
        card.disconnect(false);
        // no SCardReleaseContext: SunPCSC never sends it; the daemon cleans up when the socket closes
    }
}
