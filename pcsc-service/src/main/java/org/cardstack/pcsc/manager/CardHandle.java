package org.cardstack.pcsc.manager;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.cardstack.pcsc.Attributes;
import org.cardstack.pcsc.CardUnavailableException;
import org.cardstack.pcsc.ControlCodes;
import org.cardstack.pcsc.Disposition;
import org.cardstack.pcsc.PcscException;
import org.cardstack.pcsc.PcscTimeoutException;
import org.cardstack.pcsc.Protocol;
import org.cardstack.pcsc.ReaderStates;
import org.cardstack.pcsc.ScardError;
import org.cardstack.pcsc.ShareMode;
import org.cardstack.reader.ReaderException;
import org.cardstack.reader.ReaderInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A card handle (SCardConnect's hCard). Thread-safe. Errors are {@link PcscException}s with the
 * SCARD_* code pcsc-lite gives in the same situation (pcscd-protocol §11, §12).
 */
public final class CardHandle {
    private static final Logger LOG = LoggerFactory.getLogger(CardHandle.class);

    private final ResourceManager rm;
    private final Context context;
    private final Slot slot;
    private final int id;
    // guarded by rm.lock
    private ShareMode mode;
    private int activeProtocol;
    /** Pending card event: null, W_RESET_CARD or W_REMOVED_CARD (pcsc-lite's per-handle event flag). */
    ScardError event;
    private boolean disconnected;

    CardHandle(ResourceManager rm, Context context, Slot slot, int id, ShareMode mode, int activeProtocol) {
        this.rm = rm;
        this.context = context;
        this.slot = slot;
        this.id = id;
        this.mode = mode;
        this.activeProtocol = activeProtocol;
    }

    /** hCard: unique, positive, 31-bit. */
    public int id() { return id; }

    public Context context() { return context; }

    /** The reader name given at connect time. */
    public String readerName() { return slot.name; }

    public ShareMode shareMode() {
        rm.lock.lock();
        try {
            return mode;
        } finally {
            rm.lock.unlock();
        }
    }

    /** dwActiveProtocol of the last connect/reconnect. */
    public int activeProtocol() {
        rm.lock.lock();
        try {
            return activeProtocol;
        } finally {
            rm.lock.unlock();
        }
    }

    /** True once disconnected (or its context released). */
    public boolean isDisconnected() {
        rm.lock.lock();
        try {
            return disconnected;
        } finally {
            rm.lock.unlock();
        }
    }

    /** The card event waiting for this handle: SCARD_W_RESET_CARD, SCARD_W_REMOVED_CARD, or null. */
    public ScardError pendingEvent() {
        rm.lock.lock();
        try {
            return slot.gone ? ScardError.W_REMOVED_CARD : event;
        } finally {
            rm.lock.unlock();
        }
    }

    /** True while this handle holds the reader's transaction lock (an EXCLUSIVE connect counts). */
    public boolean holdsTransaction() {
        rm.lock.lock();
        try {
            return slot.lockOwner == this;
        } finally {
            rm.lock.unlock();
        }
    }

    // ------------------------------------------------------------------ checks (caller holds rm.lock)

    private void checkHandle() throws PcscException {
        rm.checkOpen();
        if (disconnected) {
            throw PcscException.of(ScardError.E_INVALID_HANDLE, "handle 0x" + Integer.toHexString(id) + " was disconnected");
        }
    }

    private void checkReader() throws PcscException {
        if (slot.gone) {
            throw ResourceManager.readerGone(slot);
        }
    }

    private void checkEvent() throws PcscException {
        if (event == ScardError.W_RESET_CARD) {
            throw ResourceManager.reset(slot);
        }
        if (event == ScardError.W_REMOVED_CARD) {
            throw new CardUnavailableException(ScardError.W_REMOVED_CARD, "card removed from " + slot.name);
        }
    }

    private void checkSharing() throws PcscException {
        if (slot.lockOwner != null && slot.lockOwner != this) {
            throw PcscException.of(ScardError.E_SHARING_VIOLATION, slot.name + " is in another handle's transaction");
        }
    }

    /** Sets the RESET flag on the other handles of the reader (and on this one too if {@code all}). */
    private void flagReset(boolean all) {
        for (CardHandle h : slot.handles) {
            if ((all || h != this) && h.event == null) {
                h.event = ScardError.W_RESET_CARD;
            }
        }
    }

    // ------------------------------------------------------------------ transmit

    /**
     * SCardTransmit. {@code sendPciProtocol} must be the card's protocol, RAW or the legacy ANY_OLD
     * (else SCARD_E_PROTO_MISMATCH). The response comes back as the card sent it (61xx/6Cxx untouched).
     */
    public byte[] transmit(int sendPciProtocol, byte[] command) throws PcscException {
        Slot s = slot;
        s.io.lock();
        try {
            rm.lock.lock();
            try {
                checkHandle();
                checkReader();
                checkEvent();
                checkSharing();
                if (sendPciProtocol != Protocol.RAW) {
                    if (!s.present()) {
                        throw new CardUnavailableException(ScardError.E_NO_SMARTCARD, "no card in " + s.name);
                    }
                    if (sendPciProtocol != Protocol.ANY_OLD && sendPciProtocol != s.protocol) {
                        throw PcscException.of(ScardError.E_PROTO_MISMATCH, "send PCI " + Protocol.toString(sendPciProtocol)
                                + ", card uses " + Protocol.toString(s.protocol));
                    }
                }
            } finally {
                rm.lock.unlock();
            }
            try {
                return s.reader.transmit(s.slotNumber, command);
            } catch (ReaderException e) {
                throw rm.ioFailure(s, e, "transmit");
            }
        } finally {
            s.io.unlock();
        }
    }

    // ------------------------------------------------------------------ transactions

    /** SCardBeginTransaction, waiting without limit (cancellable through the context) for another holder. */
    public void beginTransaction() throws PcscException {
        beginTransaction(-1);
    }

    /**
     * SCardBeginTransaction. Nested begins by the same handle count up. While another handle holds the
     * lock this waits up to {@code timeoutMillis} (negative: no limit) and then answers
     * SCARD_E_SHARING_VIOLATION, which is what pcscd answers a refused BEGIN (its client library
     * retries every 100 ms, so to an application BEGIN simply blocks). The wait ends early with
     * SCARD_W_REMOVED_CARD / SCARD_W_RESET_CARD when the card changes under this handle,
     * SCARD_E_INVALID_VALUE when the reader goes, SCARD_E_CANCELLED on the context's cancel.
     */
    public void beginTransaction(long timeoutMillis) throws PcscException {
        long cancelSeen = context.cancels();
        long deadline = ResourceManager.deadline(timeoutMillis);
        rm.lock.lock();
        try {
            while (true) {
                checkHandle();
                checkReader();
                checkEvent();
                if (slot.lockOwner == null || slot.lockOwner == this) {
                    slot.lockOwner = this;
                    slot.lockCount++;
                    rm.changedLocked();
                    return;
                }
                if (timeoutMillis == 0) {
                    throw PcscException.of(ScardError.E_SHARING_VIOLATION, slot.name + " is in another transaction");
                }
                try {
                    rm.await(context, cancelSeen, deadline);
                } catch (PcscTimeoutException e) {
                    throw PcscException.of(ScardError.E_SHARING_VIOLATION, slot.name + " is still in another transaction");
                }
            }
        } finally {
            rm.lock.unlock();
        }
    }

    /**
     * Waits until no other handle holds the reader's transaction (so a TRANSMIT, STATUS or RECONNECT
     * refused with SCARD_E_SHARING_VIOLATION can be retried, as pcsc-lite's client does every 100 ms).
     * Returns false on timeout; throws as {@link #beginTransaction(long)} does.
     */
    public boolean awaitAccess(long timeoutMillis) throws PcscException {
        long cancelSeen = context.cancels();
        long deadline = ResourceManager.deadline(timeoutMillis);
        rm.lock.lock();
        try {
            while (true) {
                checkHandle();
                checkReader();
                if (slot.lockOwner == null || slot.lockOwner == this) {
                    return true;
                }
                if (timeoutMillis == 0) {
                    return false;
                }
                try {
                    rm.await(context, cancelSeen, deadline);
                } catch (PcscTimeoutException e) {
                    return false;
                }
            }
        } finally {
            rm.lock.unlock();
        }
    }

    /**
     * SCardEndTransaction. RESET and UNPOWER reset the card and flag every handle of the reader,
     * this one included, with SCARD_W_RESET_CARD (as pcscd does). Without a transaction:
     * SCARD_E_NOT_TRANSACTED; another handle's: SCARD_E_SHARING_VIOLATION.
     */
    public void endTransaction(Disposition disposition) throws PcscException {
        if (disposition == null) {
            throw PcscException.of(ScardError.E_INVALID_VALUE, "disposition");
        }
        slot.io.lock();
        try {
            rm.lock.lock();
            try {
                checkHandle();
                checkReader();
                checkEvent();
                if (slot.lockOwner == null) {
                    throw PcscException.of(ScardError.E_NOT_TRANSACTED, "no transaction on " + slot.name);
                }
                if (slot.lockOwner != this) {
                    throw PcscException.of(ScardError.E_SHARING_VIOLATION, "another handle holds the transaction");
                }
            } finally {
                rm.lock.unlock();
            }
            if (disposition == Disposition.RESET || disposition == Disposition.UNPOWER) {
                ScardError e = rm.powerUp(slot, disposition == Disposition.UNPOWER);
                rm.lock.lock();
                try {
                    flagReset(true);
                } finally {
                    rm.lock.unlock();
                }
                if (e != null) {
                    LOG.debug("{}: reset at end of transaction: {}", slot, e);
                }
            }
            rm.lock.lock();
            try {
                if (slot.lockOwner == this && --slot.lockCount <= 0) {
                    slot.lockOwner = null;
                    slot.lockCount = 0;
                }
                rm.changedLocked();
            } finally {
                rm.lock.unlock();
            }
        } finally {
            slot.io.unlock();
        }
        rm.publish();
    }

    // ------------------------------------------------------------------ reconnect / disconnect

    /**
     * SCardReconnect: re-initialises the card ({@code initialization} LEAVE, RESET or UNPOWER; EJECT is
     * SCARD_E_INVALID_VALUE), renegotiates the protocol if it was reset, changes the share mode, and
     * clears this handle's RESET/REMOVED flag. Another handle's transaction: SCARD_E_SHARING_VIOLATION.
     *
     * @return the active protocol
     */
    public int reconnect(ShareMode newMode, int preferredProtocols, Disposition initialization) throws PcscException {
        if (newMode == null || initialization == null || initialization == Disposition.EJECT) {
            throw PcscException.of(ScardError.E_INVALID_VALUE, "share mode " + newMode + ", initialization " + initialization);
        }
        int wanted = Protocol.T0 | Protocol.T1 | Protocol.RAW | Protocol.ANY_OLD;
        if (newMode != ShareMode.DIRECT && (preferredProtocols & wanted) == 0) {
            throw PcscException.of(ScardError.E_PROTO_MISMATCH, "preferred protocols 0x" + Integer.toHexString(preferredProtocols));
        }
        int active;
        slot.io.lock();
        try {
            rm.lock.lock();
            try {
                checkHandle();
                checkReader();
                checkSharing();
                if (newMode == ShareMode.EXCLUSIVE && mode != ShareMode.EXCLUSIVE && slot.handles.size() != 1) {
                    throw PcscException.of(ScardError.E_SHARING_VIOLATION, slot.name + " has other handles");
                }
                if (newMode != ShareMode.DIRECT && !slot.present()) {
                    throw new CardUnavailableException(ScardError.E_NO_SMARTCARD, "no card in " + slot.name);
                }
            } finally {
                rm.lock.unlock();
            }
            if (initialization != Disposition.LEAVE) {
                ScardError e = rm.powerUp(slot, initialization == Disposition.UNPOWER);
                rm.lock.lock();
                try {
                    flagReset(false);
                } finally {
                    rm.lock.unlock();
                }
                if (e != null) {
                    throw PcscException.of(e, "re-initialising the card in " + slot.name);
                }
            }
            active = context.prepareCard(slot, newMode, preferredProtocols);
            rm.lock.lock();
            try {
                checkHandle();
                checkReader();
                if (newMode == ShareMode.EXCLUSIVE && mode != ShareMode.EXCLUSIVE) {
                    if (slot.handles.size() != 1 || slot.lockOwner != null && slot.lockOwner != this) {
                        throw PcscException.of(ScardError.E_SHARING_VIOLATION, slot.name + " has other handles");
                    }
                    slot.exclusive = true;
                    if (slot.lockOwner == null) {
                        slot.lockOwner = this;
                    }
                    slot.lockCount++;
                } else if (newMode != ShareMode.EXCLUSIVE && mode == ShareMode.EXCLUSIVE) {
                    slot.exclusive = false;
                    if (slot.lockOwner == this && --slot.lockCount <= 0) {
                        slot.lockOwner = null;
                        slot.lockCount = 0;
                    }
                }
                mode = newMode;
                activeProtocol = active;
                event = null;
                rm.changedLocked();
            } finally {
                rm.lock.unlock();
            }
        } finally {
            slot.io.unlock();
        }
        rm.publish();
        return active;
    }

    /** SCardDisconnect; waits without limit (cancellably) before a non-LEAVE disposition while another handle holds a transaction. */
    public void disconnect(Disposition disposition) throws PcscException {
        disconnect(disposition, -1);
    }

    /**
     * SCardDisconnect. LEAVE leaves the card; RESET resets it and UNPOWER powers it down (other
     * handles then get SCARD_W_RESET_CARD); EJECT is like LEAVE, the driver has no eject. Ends this
     * handle's transaction. Succeeds when the reader has gone. A non-LEAVE disposition while another
     * handle holds a transaction waits for it (as pcscd does), up to {@code lockWaitMillis}.
     */
    public void disconnect(Disposition disposition, long lockWaitMillis) throws PcscException {
        if (disposition == null) {
            throw PcscException.of(ScardError.E_INVALID_VALUE, "disposition");
        }
        long cancelSeen = context.cancels();
        long deadline = ResourceManager.deadline(lockWaitMillis);
        boolean act = disposition == Disposition.RESET || disposition == Disposition.UNPOWER;
        if (act) {
            rm.lock.lock();
            try {
                checkHandle();
                while (!slot.gone && slot.lockOwner != null && slot.lockOwner != this) {
                    try {
                        rm.await(context, cancelSeen, deadline);
                    } catch (PcscTimeoutException e) {
                        throw PcscException.of(ScardError.E_SHARING_VIOLATION, slot.name + " is in another transaction");
                    }
                    checkHandle();
                }
            } finally {
                rm.lock.unlock();
            }
        }
        slot.io.lock();
        try {
            boolean doIt;
            rm.lock.lock();
            try {
                checkHandle();
                doIt = act && !slot.gone && slot.present() && (slot.lockOwner == null || slot.lockOwner == this);
            } finally {
                rm.lock.unlock();
            }
            if (doIt) {
                if (disposition == Disposition.RESET) {
                    rm.powerUp(slot, false);
                } else {
                    rm.powerDown(slot);
                }
                rm.lock.lock();
                try {
                    flagReset(false);
                } finally {
                    rm.lock.unlock();
                }
            }
            rm.lock.lock();
            try {
                detach();
            } finally {
                rm.lock.unlock();
            }
        } finally {
            slot.io.unlock();
        }
        context.removed(this);
        rm.forget(id);
        rm.publish();
    }

    /** Removes this handle from the reader. Caller holds rm.lock. */
    private void detach() {
        if (disconnected) {
            return;
        }
        disconnected = true;
        slot.handles.remove(this);
        if (slot.lockOwner == this) {
            slot.lockOwner = null;
            slot.lockCount = 0;
        }
        if (mode == ShareMode.EXCLUSIVE) {
            slot.exclusive = false;
        }
        rm.changedLocked();
    }

    /** Context release: pcscd resets the card if this handle held the transaction on an unchanged card. */
    void releaseWithContext() {
        boolean reset;
        rm.lock.lock();
        try {
            if (disconnected) {
                return;
            }
            reset = slot.lockOwner == this && event == null && !slot.gone && slot.present();
        } finally {
            rm.lock.unlock();
        }
        try {
            disconnect(reset ? Disposition.RESET : Disposition.LEAVE, 0);
        } catch (PcscException e) {
            rm.lock.lock();
            try {
                detach();
            } finally {
                rm.lock.unlock();
            }
            rm.forget(id);
            rm.publish();
        }
    }

    // ------------------------------------------------------------------ status

    /** SCardStatus. Reader gone: SCARD_E_READER_UNAVAILABLE (what pcsc-lite's client computes). */
    public CardStatus status() throws PcscException {
        rm.lock.lock();
        try {
            checkHandle();
            if (slot.gone) {
                throw PcscException.of(ScardError.E_READER_UNAVAILABLE, slot.name + " was removed");
            }
            checkEvent();
            checkSharing();
            return new CardStatus(slot.name, slot.eventCounter << 16 | slot.readerState, slot.protocol,
                    slot.present() ? slot.atr : new byte[0]);
        } finally {
            rm.lock.unlock();
        }
    }

    // ------------------------------------------------------------------ control

    /**
     * SCardControl. Answers CM_IOCTL_GET_FEATURE_REQUEST (pcsc-lite and Windows encodings) with the
     * features this reader has: FEATURE_GET_TLV_PROPERTIES and FEATURE_CCID_ESC_COMMAND (escape
     * commands go to the reader as they are; libccid's IOCTL_SMARTCARD_VENDOR_IFD_EXCHANGE too).
     * Not affected by the RESET/REMOVED flags; works on DIRECT handles without a card. Unknown codes:
     * SCARD_E_UNSUPPORTED_FEATURE.
     */
    public byte[] control(int controlCode, byte[] input) throws PcscException {
        Slot s = slot;
        rm.lock.lock();
        try {
            checkHandle();
            checkReader();
            checkSharing();
        } finally {
            rm.lock.unlock();
        }
        if (controlCode == ControlCodes.CM_IOCTL_GET_FEATURE_REQUEST
                || controlCode == ControlCodes.CM_IOCTL_GET_FEATURE_REQUEST_WINDOWS) {
            ByteArrayOutputStream tlv = new ByteArrayOutputStream();
            feature(tlv, ControlCodes.FEATURE_GET_TLV_PROPERTIES);
            feature(tlv, ControlCodes.FEATURE_CCID_ESC_COMMAND);
            return tlv.toByteArray();
        }
        if (controlCode == ControlCodes.featureCode(ControlCodes.FEATURE_GET_TLV_PROPERTIES)) {
            return tlvProperties(s.reader.info());
        }
        if (controlCode == ControlCodes.featureCode(ControlCodes.FEATURE_CCID_ESC_COMMAND)
                || controlCode == ControlCodes.IOCTL_SMARTCARD_VENDOR_IFD_EXCHANGE) {
            s.io.lock();
            try {
                return s.reader.escape(s.slotNumber, input == null ? new byte[0] : input);
            } catch (ReaderException e) {
                throw rm.ioFailure(s, e, "escape");
            } finally {
                s.io.unlock();
            }
        }
        throw PcscException.of(ScardError.E_UNSUPPORTED_FEATURE, String.format("control code 0x%08X", controlCode));
    }

    private static void feature(ByteArrayOutputStream out, int tag) {
        int code = ControlCodes.featureCode(tag);
        out.write(tag);
        out.write(4);
        out.write(code >>> 24);
        out.write(code >>> 16);
        out.write(code >>> 8);
        out.write(code);
    }

    /** PC/SC part 10 §2.6.14 properties: little-endian values, as libccid writes them. */
    private static byte[] tlvProperties(ReaderInfo info) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        property(out, ControlCodes.PCSCv2_PART10_PROPERTY_wIdVendor, info.vendorId(), 2);
        property(out, ControlCodes.PCSCv2_PART10_PROPERTY_wIdProduct, info.productId(), 2);
        boolean extended = "TPDU".equalsIgnoreCase(info.exchangeLevel())
                || "Extended APDU".equalsIgnoreCase(info.exchangeLevel());
        property(out, ControlCodes.PCSCv2_PART10_PROPERTY_dwMaxAPDUDataSize, extended ? 0x10000 : 0, 4);
        return out.toByteArray();
    }

    private static void property(ByteArrayOutputStream out, int tag, int value, int length) {
        out.write(tag);
        out.write(length);
        for (int i = 0; i < length; i++) {
            out.write(value >>> (8 * i));
        }
    }

    // ------------------------------------------------------------------ attributes

    /**
     * SCardGetAttrib: ATR_STRING, VENDOR_NAME, VENDOR_IFD_TYPE, VENDOR_IFD_VERSION, VENDOR_IFD_SERIAL_NO,
     * MAXINPUT, CHANNEL_ID, CURRENT_PROTOCOL_TYPE, ICC_PRESENCE, ICC_INTERFACE_STATUS and the friendly /
     * system names, with libccid's encodings (strings NUL-terminated, DWORDs little-endian). Others:
     * SCARD_E_UNSUPPORTED_FEATURE.
     */
    public byte[] getAttrib(int attribute) throws PcscException {
        rm.lock.lock();
        try {
            checkHandle();
            checkReader();
            checkEvent();
            checkSharing();
            ReaderInfo info = slot.reader.info();
            return switch (attribute) {
                case Attributes.ATR_STRING -> slot.present() ? slot.atr.clone() : new byte[0];
                case Attributes.VENDOR_NAME -> string(info.vendor());
                case Attributes.VENDOR_IFD_TYPE -> string(info.product());
                case Attributes.VENDOR_IFD_VERSION -> dword(info.bcdDevice() << 16);
                case Attributes.VENDOR_IFD_SERIAL_NO -> {
                    if (info.serial() == null || info.serial().isEmpty()) {
                        throw PcscException.of(ScardError.E_UNSUPPORTED_FEATURE, "reader has no serial number");
                    }
                    yield string(info.serial());
                }
                case Attributes.MAXINPUT -> dword(info.maxMessage());
                case Attributes.CHANNEL_ID -> dword(info.channelId());
                case Attributes.CURRENT_PROTOCOL_TYPE -> dword(slot.protocol);
                case Attributes.ICC_PRESENCE -> new byte[] {(byte) (slot.present() ? 2 : 0)};
                case Attributes.ICC_INTERFACE_STATUS -> new byte[] {(byte) (slot.powered() ? 1 : 0)};
                case Attributes.DEVICE_FRIENDLY_NAME_A, Attributes.DEVICE_SYSTEM_NAME_A -> string(slot.name);
                default -> throw PcscException.of(ScardError.E_UNSUPPORTED_FEATURE,
                        String.format("attribute 0x%08X", attribute));
            };
        } finally {
            rm.lock.unlock();
        }
    }

    /** SCardSetAttrib: no attribute is settable (SCARD_E_UNSUPPORTED_FEATURE), after pcsc-lite's checks. */
    public void setAttrib(int attribute, byte[] value) throws PcscException {
        rm.lock.lock();
        try {
            checkHandle();
            checkReader();
            checkEvent();
            checkSharing();
            if (value == null || value.length == 0) {
                throw PcscException.of(ScardError.E_INVALID_PARAMETER, "no attribute value");
            }
            throw PcscException.of(ScardError.E_UNSUPPORTED_FEATURE, String.format("attribute 0x%08X is read-only", attribute));
        } finally {
            rm.lock.unlock();
        }
    }

    private static byte[] string(String s) {
        byte[] b = (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
        return java.util.Arrays.copyOf(b, b.length + 1);
    }

    private static byte[] dword(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    @Override
    public String toString() {
        return String.format("CardHandle[0x%08X %s %s]", id, slot.name, mode);
    }
}
