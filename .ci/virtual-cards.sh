#!/usr/bin/env bash
# Virtual cards end to end (issue 10), with native PC/SC clients against `cardstack serve`:
#   1. the example applet (examples/counter-applet) built as a jar and loaded with --applet-classpath:
#      seen by pcsc_scan -r and opensc-tool -a, APDUs through pyscard;
#   2. card removal and insertion through the control socket (`cardstack card`), seen by pyscard's
#      SCardGetStatusChange;
#   3. vsmartcard's vicc (--type iso7816) connecting over the vpcd protocol, and in reverse mode;
#   4. jCardSim's own VSmartCard connector with the same applet jar, over the vpcd protocol;
#   5. a peer sending garbage is dropped without disturbing the others; a card vanishing mid-APDU gives
#      the native client SCARD_W_REMOVED_CARD.
# Needs the shaded jar (cli/target/cardstack.jar; built when missing). Installs, as root, what it lacks:
# pcsc-tools, opensc, python3-pyscard, vsmartcard-vpicc (+ python3-pycryptodome, which its Python needs).
# Prints "virtual-cards: N passed, M failed" last; exits non-zero on any failure.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
jar=$root/cli/target/cardstack.jar
py=/usr/bin/python3
aid=F0000000C0FFEE
applet=com.example.counter.CounterApplet

need_pkgs() {
    local missing=()
    command -v pcsc_scan >/dev/null || missing+=(pcsc-tools)
    command -v opensc-tool >/dev/null || missing+=(opensc)
    $py -c 'import smartcard' 2>/dev/null || missing+=(python3-pyscard)
    [ -x /usr/bin/vicc ] || missing+=(vsmartcard-vpicc python3-virtualsmartcard)
    [ -d /usr/lib/python3/dist-packages/Cryptodome ] || missing+=(python3-pycryptodome)
    echo "${missing[@]}"
}
pkgs=$(need_pkgs)
if [ -n "$pkgs" ] && [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q --no-install-recommends $pkgs </dev/null >/dev/null 2>&1 \
        || { apt-get update -q </dev/null >/dev/null 2>&1 && apt-get install -y -q --no-install-recommends $pkgs </dev/null >/dev/null 2>&1; }
    pkgs=$(need_pkgs)
fi
if [ -n "$pkgs" ]; then echo "virtual-cards: missing packages: $pkgs"; echo "virtual-cards: 0 passed, 1 failed"; exit 1; fi
[ -f "$jar" ] || (cd "$root" && { mvn -q -B -o install -DskipTests || mvn -q -B install -DskipTests; }) </dev/null

work=$(mktemp -d /tmp/virtual-cards.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
passed=0; failed=0
ok()   { echo "  ok   $*"; passed=$((passed + 1)); }
fail() { echo "  FAIL $*"; failed=$((failed + 1)); }
check() { local what=$1; shift; if "$@" >"$work/out" 2>&1; then ok "$what"; else fail "$what"; sed 's/^/       /' "$work/out"; fi; }
wait_log() {  # wait_log PATTERN SECONDS
    local i; for ((i = 0; i < $2 * 10; i++)); do grep -q -- "$1" "$work/serve.log" && return 0; sleep 0.1; done
    echo "not in the serve log within $2 s: $1"; tail -20 "$work/serve.log"; return 1
}
free_port() { $py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# vsmartcard 3.3 in Debian 12 installs its Python package under site-packages/virtualsmartcard and imports
# the old pycrypto name 'Crypto': point Python at both (pycryptodome's Cryptodome has the same API).
mkdir -p "$work/pyshim"
ln -s /usr/lib/python3/dist-packages/Cryptodome "$work/pyshim/Crypto"
vicc_path=$work/pyshim:/usr/lib/python3/site-packages/virtualsmartcard:/usr/lib/python3/dist-packages

echo "== virtual cards: applet jar, control socket, vicc and jCardSim VSmartCard over vpcd (serve)"
bash "$root/examples/counter-applet/build.sh" "$jar" "$work/counter.jar" >/dev/null || { echo "applet build failed"; exit 1; }
port=$(free_port)
port2=$((port + 1))
while ! $py -c "import socket,sys; s=socket.socket(); s.bind(('127.0.0.1',$port2))" 2>/dev/null; do port=$(free_port); port2=$((port + 1)); done
java -jar "$jar" serve --no-usb --socket "$work/pcscd.comm" --control "$work/control" \
    --applet-classpath "$work/counter.jar" --simulate "applet=$applet,aid=$aid,params=0005" \
    --vpcd "127.0.0.1:$port" --vpcd-readers 2 --vpcd-timeout 3 -v >"$work/serve.log" 2>&1 </dev/null &
pids+=($!)
wait_log "cardstack serve: listening on" 60 || { echo "virtual-cards: 0 passed, 1 failed"; exit 1; }
export PCSCLITE_CSOCK_NAME=$work/pcscd.comm
card() { java -jar "$jar" card --control "$work/control" "$@"; }

cat >"$work/apdu.py" <<'PY'
# apdu.py READER-SUBSTRING HEX=SW[:DATA] ...: connect, send each APDU, check SW (and data when given)
import sys
from smartcard.System import readers
from smartcard.util import toBytes, toHexString
r = [r for r in readers() if sys.argv[1] in str(r)]
assert r, "no reader matching %r in %s" % (sys.argv[1], readers())
c = r[0].createConnection(); c.connect()
print(str(r[0]), "ATR", toHexString(c.getATR()))
for spec in sys.argv[2:]:
    apdu, want = spec.split("=")
    d, s1, s2 = c.transmit(toBytes(apdu))
    got = "%02X%02X" % (s1, s2) + (":" + toHexString(d).replace(" ", "") if d else "")
    print(" ", apdu, "->", got)
    assert got == want, "%s: expected %s, got %s" % (apdu, want, got)
PY
cat >"$work/events.py" <<'PY'
# events.py READER-SUBSTRING: wait for the card to go, then to come back (SCardGetStatusChange, 10 s each)
import sys, subprocess
from smartcard.scard import *
hc = SCardEstablishContext(SCARD_SCOPE_USER)[1]
name = [r for r in SCardListReaders(hc, [])[1] if sys.argv[1] in r][0]
rv, st = SCardGetStatusChange(hc, 0, [(name, SCARD_STATE_UNAWARE)])
assert st[0][1] & SCARD_STATE_PRESENT, "no card at start"
for want, cmd in ((SCARD_STATE_EMPTY, "remove"), (SCARD_STATE_PRESENT, "insert")):
    subprocess.run(sys.argv[2:] + [cmd, "sim0"], check=True)
    state = st[0][1]
    while True:
        rv, st = SCardGetStatusChange(hc, 10000, [(name, state)])
        assert rv == SCARD_S_SUCCESS, "no event within 10 s: " + SCardGetErrorMessage(rv)
        state = st[0][1]
        if state & want: break
    print(cmd, "seen:", hex(state))
PY
cat >"$work/vanish.py" <<'PY'
# vanish.py PORT: a vpcd card that disconnects when it gets an APDU; the native client must get
# SCARD_W_REMOVED_CARD (0x80100069) at once, not hang
import socket, struct, sys, threading, time
from smartcard.scard import *
atr = bytes.fromhex("3B8A80014A434F503331563233327A")
def card():
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    while True:
        n = struct.unpack("!H", s.recv(2, socket.MSG_WAITALL))[0]
        m = s.recv(n, socket.MSG_WAITALL)
        if m == b"\x04": s.sendall(struct.pack("!H", len(atr)) + atr)
        elif len(m) > 1: s.close(); return
threading.Thread(target=card, daemon=True).start()
hc = SCardEstablishContext(SCARD_SCOPE_USER)[1]
name = [r for r in SCardListReaders(hc, [])[1] if ":" + sys.argv[1] in r][0]
for _ in range(100):
    rv, h, proto = SCardConnect(hc, name, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1)
    if rv == SCARD_S_SUCCESS: break
    time.sleep(0.05)
assert rv == SCARD_S_SUCCESS, SCardGetErrorMessage(rv)
t0 = time.time()
rv, resp = SCardTransmit(h, proto, [0x00, 0xB0, 0x00, 0x00, 0x00])
dt = time.time() - t0
print("transmit:", hex(rv & 0xFFFFFFFF), SCardGetErrorMessage(rv), "after %.3f s" % dt)
assert rv & 0xFFFFFFFF == 0x80100069 and dt < 2, "expected SCARD_W_REMOVED_CARD at once"
PY

check "pcsc_scan -r lists the simulated and the vpcd readers" \
    bash -c "timeout 20 pcsc_scan -r | tee /dev/stderr | grep -q 'cardstack Virtual CCID' && timeout 20 pcsc_scan -r | grep -q 'Virtual PCD 127.0.0.1:$port'"
check "opensc-tool -a reads the applet card's ATR" \
    bash -c "timeout 20 opensc-tool -a | tee /dev/stderr | grep -qi '3b:8a:80:01:4a:43:4f:50:33:31:56:32:33:32:7a'"
check "pyscard: the applet from the jar (install parameters 0005) counts 6, 7" \
    timeout 20 $py "$work/apdu.py" "Virtual CCID" "00A4040007$aid=9000" "8010000000=9000:0006" "8010000000=9000:0007"
check "cardstack card list names the readers" bash -c "card() { java -jar '$jar' card --control '$work/control' \"\$@\"; }; card list | tee /dev/stderr | grep -q 'sim0 slot 0: card'"
check "card removal and insertion through the control socket, seen by SCardGetStatusChange" \
    timeout 60 $py "$work/events.py" "Virtual CCID" java -jar "$jar" card --control "$work/control"
check "the reinserted card kept its state (counts 8)" \
    timeout 20 $py "$work/apdu.py" "Virtual CCID" "00A4040007$aid=9000" "8010000000=9000:0008"

PYTHONPATH=$vicc_path $py /usr/bin/vicc --type iso7816 --hostname 127.0.0.1 --port "$port" >"$work/vicc.log" 2>&1 </dev/null &
vicc_pid=$!; pids+=($vicc_pid)
check "vicc --type iso7816 connects over vpcd: inserted" wait_log "Virtual PCD 127.0.0.1:$port: card inserted" 20
check "opensc-tool -r 1 -a reads vicc's ATR" bash -c "timeout 20 opensc-tool -r 1 -a | tee /dev/stderr | grep -qi '3b:95:13:81:01:80:73:ff:01:00:0b'"
check "pyscard through vicc: SELECT MF" timeout 20 $py "$work/apdu.py" "127.0.0.1:$port" "00A4000C023F00=9000"
kill "$vicc_pid" 2>/dev/null
check "vicc gone: card removed" wait_log "Virtual PCD 127.0.0.1:$port: card removed" 20

rport=$(free_port)
PYTHONPATH=$vicc_path $py /usr/bin/vicc --type iso7816 --reversed --port "$rport" >"$work/vicc-r.log" 2>&1 </dev/null &
pids+=($!)
check "reverse mode: cardstack apdu --vpcd-connect to 'vicc --reversed'" bash -c "timeout 40 java -jar '$jar' apdu --no-usb \
    --vpcd-connect 127.0.0.1:$rport --vpcd-wait 20 00A4000C023F00 | tee /dev/stderr | grep -q '< 90 00'"

cat >"$work/vsmartcard.cfg" <<CFG
com.licel.jcardsim.card.applet.0.AID=$aid
com.licel.jcardsim.card.applet.0.Class=$applet
com.licel.jcardsim.card.ATR=3B8A80014A434F503331563233327A
com.licel.jcardsim.vsmartcard.host=127.0.0.1
com.licel.jcardsim.vsmartcard.port=$port2
CFG
java -cp "$jar:$work/counter.jar" com.licel.jcardsim.remote.VSmartCard "$work/vsmartcard.cfg" >"$work/vsmartcard.log" 2>&1 </dev/null &
vsc_pid=$!; pids+=($vsc_pid)
check "jCardSim VSmartCard connects over vpcd: inserted" wait_log "Virtual PCD 127.0.0.1:$port2: card inserted" 30
# jCardSim loads applet classes from its properties; the instance is made by its CREATE APPLET APDU (80 B8)
check "pyscard through VSmartCard: install, select, count from 5" timeout 20 $py "$work/apdu.py" "127.0.0.1:$port2" \
    "80B800000C07${aid}00020005=9000:$aid" "00A4040007$aid=9000" "8010000000=9000:0006"
kill "$vsc_pid" 2>/dev/null
check "VSmartCard gone: card removed" wait_log "Virtual PCD 127.0.0.1:$port2: card removed" 20

check "garbage peer dropped with a log line" bash -c "$py -c \"
import socket; s=socket.create_connection(('127.0.0.1',$port)); s.recv(3); s.sendall(b'\\xff\\xff' + b'x'*64); s.settimeout(5)
assert s.recv(1) == b'', 'not dropped'\" && grep -q 'dropped before it was a card: vpcd message of 65535 bytes' '$work/serve.log'"
check "the other cards are undisturbed" timeout 20 $py "$work/apdu.py" "Virtual CCID" "00A4040007$aid=9000" "8020000000=9000:0008"
check "card vanishing mid-APDU: SCARD_W_REMOVED_CARD, not a hang" timeout 30 $py "$work/vanish.py" "$port"

echo "virtual-cards: $passed passed, $failed failed"
[ "$failed" = 0 ]
