#!/usr/bin/python3
"""pyscard (libpcsclite) against `cardstack serve`: SELECT, a transaction that holds off a second
context, GetStatusChange, Cancel, a VERIFY (masked in the daemon's --debug trace). Prints CHECK lines;
exit status 1 if any check failed."""
import sys, threading, time
from smartcard.scard import *

AID = [0xF0, 0x00, 0x00, 0x00, 0x01]
failed = 0

def check(name, ok, detail=""):
    global failed
    print(("CHECK ok   " if ok else "CHECK FAIL ") + name + (": " + str(detail) if detail != "" else ""))
    if not ok:
        failed += 1

hr, ctx = SCardEstablishContext(SCARD_SCOPE_USER)
check("establish", hr == SCARD_S_SUCCESS, hex(hr))
hr, readers = SCardListReaders(ctx, [])
check("list readers", hr == 0 and len(readers) == 2 and readers[0].startswith("cardstack Virtual CCID"), readers)
reader = readers[0]
hr, states = SCardGetStatusChange(ctx, 0, [(reader, SCARD_STATE_UNAWARE)])
check("status change: card present", hr == 0 and states[0][1] & SCARD_STATE_PRESENT != 0, hex(states[0][1]))
hr, h, proto = SCardConnect(ctx, reader, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1)
check("connect shared", hr == 0 and proto in (SCARD_PROTOCOL_T0, SCARD_PROTOCOL_T1), "%s protocol %s" % (hex(hr), proto))
hr, name, state, p, atr = SCardStatus(h)
check("status", hr == 0 and name == reader and p == proto and bytes(atr).hex() == "3b8a80014a434f503331563233327a",
      "%s %s %s" % (name, hex(state), bytes(atr).hex()))
hr, resp = SCardTransmit(h, proto, [0x00, 0xA4, 0x04, 0x00, len(AID)] + AID)
check("SELECT F000000001", hr == 0 and resp == [0x90, 0x00], bytes(resp).hex())

# transaction: a second context's BEGIN waits until the first ends
hr, ctx2 = SCardEstablishContext(SCARD_SCOPE_USER)
hr, h2, proto2 = SCardConnect(ctx2, reader, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1)
check("second context connects", hr == 0, hex(hr))
hr = SCardBeginTransaction(h)
check("begin transaction", hr == 0, hex(hr))
t_end = [None]
t_begun = [None]
def other():
    r = SCardBeginTransaction(h2)
    t_begun[0] = (time.monotonic(), r)
    SCardEndTransaction(h2, SCARD_LEAVE_CARD)
th = threading.Thread(target=other)
th.start()
hr, resp = SCardTransmit(h, proto, [0x80, 0x01, 0x00, 0x00, 0x0D])
check("hello inside the transaction", hr == 0 and bytes(resp) == b"Hello world !\x90\x00", bytes(resp))
time.sleep(0.3)
check("other context still waits for the transaction", t_begun[0] is None)
t_end[0] = time.monotonic()
hr = SCardEndTransaction(h, SCARD_LEAVE_CARD)
check("end transaction", hr == 0, hex(hr))
th.join(10)
check("other context's BEGIN went through after END", t_begun[0] is not None and t_begun[0][1] == 0
      and t_begun[0][0] >= t_end[0], t_begun[0])
hr = SCardEndTransaction(h, SCARD_LEAVE_CARD)
check("END without transaction", hr == SCARD_E_NOT_TRANSACTED, hex(hr & 0xFFFFFFFF))

# VERIFY with a PIN: the card refuses INS 20 (hello applet); the daemon's trace must mask 31..38
hr, resp = SCardTransmit(h, proto, [0x00, 0x20, 0x00, 0x81, 0x08] + list(b"12345678"))
check("VERIFY reaches the card", hr == 0 and len(resp) == 2, bytes(resp).hex())

hr, attr = SCardGetAttrib(h, SCARD_ATTR_ATR_STRING)
check("get attrib ATR", hr == 0 and bytes(attr).hex() == "3b8a80014a434f503331563233327a", bytes(attr).hex())

# a blocking GetStatusChange ended by SCardCancel from another thread
res = [None]
def waiter():
    res[0] = SCardGetStatusChange(ctx2, 10000, [(reader, SCARD_STATE_PRESENT | SCARD_STATE_INUSE)])[0]
tw = threading.Thread(target=waiter)
tw.start()
time.sleep(0.5)
hr = SCardCancel(ctx2)
tw.join(5)
check("cancel ends a blocked GetStatusChange", hr == 0 and res[0] is not None and (res[0] & 0xFFFFFFFF) == SCARD_E_CANCELLED,
      "cancel %s, wait %s" % (hex(hr), hex((res[0] or 0) & 0xFFFFFFFF)))

hr = SCardDisconnect(h, SCARD_LEAVE_CARD)
check("disconnect", hr == 0, hex(hr))
SCardDisconnect(h2, SCARD_LEAVE_CARD)
SCardReleaseContext(ctx2)
hr = SCardReleaseContext(ctx)
check("release", hr == 0, hex(hr))
sys.exit(1 if failed else 0)
