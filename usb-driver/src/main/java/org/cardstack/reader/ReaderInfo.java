package org.cardstack.reader;

/**
 * What a reader is: a unique, stable name for the life of the reader, and the facts PC/SC reports
 * about it (SCARD_ATTR_VENDOR_NAME, VENDOR_IFD_VERSION, MAXINPUT, CHANNEL_ID).
 *
 * @param name          unique while the reader exists, e.g. "QEMU QEMU USB CCID (1-0000:00:06.0-1)"
 * @param vendor        manufacturer string, or the quirk table's name
 * @param product       product string
 * @param serial        serial number string, may be empty
 * @param vendorId      USB idVendor (0 for non-USB readers)
 * @param productId     USB idProduct
 * @param bcdDevice     device release number (VENDOR_IFD_VERSION)
 * @param slotCount     number of slots (CCID bMaxSlotIndex + 1)
 * @param maxMessage    largest APDU + header the reader takes in one command (MAXINPUT)
 * @param channelId     DDDDCCCC as PC/SC's CHANNEL_ID: 0x0020 USB in DDDD, bus/address in CCCC
 * @param exchangeLevel how the reader exchanges with the card ("TPDU", "Short APDU", ...)
 */
public record ReaderInfo(String name, String vendor, String product, String serial, int vendorId, int productId,
                         int bcdDevice, int slotCount, int maxMessage, int channelId, String exchangeLevel) {
}
