/**
 * The half-duplex block transmission protocol T=1, ISO/IEC 7816-3 clause 11: blocks and their
 * epilogue ({@link org.cardstack.iso7816.t1.BlockCodec}), and the interface device's protocol engine
 * ({@link org.cardstack.iso7816.t1.T1Protocol}) over a {@link org.cardstack.iso7816.t1.BlockTransport}.
 */
package org.cardstack.iso7816.t1;
