/**
 * The vpcd protocol of vsmartcard as bytes: framing ({@link org.cardstack.vpcd.wire.VpcdWire}) and
 * the reader side's messages ({@link org.cardstack.vpcd.wire.VpcdCommand}). No sockets here.
 */
package org.cardstack.vpcd.wire;
