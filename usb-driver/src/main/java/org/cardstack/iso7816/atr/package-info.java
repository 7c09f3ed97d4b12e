/**
 * Answer-to-Reset parsing per ISO/IEC 7816-3:2006 clause 8.
 *
 * <p>{@link org.cardstack.iso7816.atr.Atr#parse(byte[])} checks the structure (TS, T0, interface byte
 * chain, historical bytes, TCK, 33-byte limit) and throws {@link org.cardstack.iso7816.atr.AtrException}
 * naming the faulty byte. Values that are merely RFU (e.g. an RFU Fi index) are reported by the lenient
 * accessors as empty and by the {@code *Strict} accessors as an {@code AtrException}.
 */
package org.cardstack.iso7816.atr;
