#!/usr/bin/env bash
# serve-native-clients.sh: native PC/SC programs (libpcsclite 1.9.9, protocol 4.4) against
# `cardstack serve --simulate ...` through PCSCLITE_CSOCK_NAME, each checked by its output:
#   pcsc_scan -r, opensc-tool -l, opensc-tool -a, a pyscard session (SELECT, transaction, cancel, VERIFY),
#   the JDK's SunPCSC (javax.smartcardio over libpcsclite), the --debug trace masking the VERIFY PIN,
#   cleanup when the clients are gone, the socket file removed at exit.
#
#   cli/src/test/native/serve-native-clients.sh            (from the checkout; root installs the packages)
#
# Needs the shaded jar (cli/target/cardstack.jar; built with Maven if missing) and libpcsclite1 pcsc-tools
# opensc python3-pyscard (apt-get install as root when missing). No pcscd is used or needed. Prints
# "N passed, M failed" last; exit status 1 if any check failed, 2 for a setup problem.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
root=$(cd "$here/../../../.." && pwd -P)
jar=$root/cli/target/cardstack.jar
start=$(date +%s)

need() { [ -e /usr/lib/x86_64-linux-gnu/libpcsclite.so.1 ] || ls /usr/lib/*/libpcsclite.so.1 >/dev/null 2>&1 || return 0
         [ -x /usr/bin/pcsc_scan ] && [ -x /usr/bin/opensc-tool ] && /usr/bin/python3 -c 'import smartcard' 2>/dev/null && return 1
         return 0; }
if need && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "serve-native-clients: installing libpcsclite1 pcsc-tools opensc python3-pyscard" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q --no-install-recommends libpcsclite1 pcsc-tools opensc python3-pyscard </dev/null >/dev/null \
        || { apt-get update -q </dev/null >/dev/null && apt-get install -y -q --no-install-recommends libpcsclite1 \
             pcsc-tools opensc python3-pyscard </dev/null >/dev/null; }
fi
if need; then echo "serve-native-clients: needs libpcsclite1 pcsc-tools opensc python3-pyscard" >&2; exit 2; fi
if [ ! -f "$jar" ]; then
    (cd "$root" && mvn -q -B -o install -DskipTests || mvn -q -B install -DskipTests) </dev/null || exit 2
fi

echo "== cardstack serve: native PC/SC clients through PCSCLITE_CSOCK_NAME (pcsc_scan, opensc-tool, pyscard, SunPCSC)"
work=$(mktemp -d /tmp/cs-serve.XXXXXX)
sock=$work/pcscd.comm
log=$work/daemon.log
java -jar "$jar" serve --no-usb --simulate applet=hello --simulate t0,empty --socket "$sock" --debug \
    >"$log" 2>&1 </dev/null &
daemon=$!
cleanup() { kill "$daemon" 2>/dev/null; wait "$daemon" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
for _ in $(seq 1 300); do [ -S "$sock" ] && break; sleep 0.1; done
if [ ! -S "$sock" ]; then echo "serve-native-clients: the daemon did not come up"; cat "$log"; exit 2; fi
export PCSCLITE_CSOCK_NAME=$sock

pass=0 fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
ko() { echo "FAIL $1"; shift; printf '     %s\n' "$@"; fail=$((fail + 1)); }
expect() {   # expect NAME OUTPUT REGEX...
    local name=$1 out=$2; shift 2
    for re in "$@"; do
        if ! grep -Eq -- "$re" <<< "$out"; then ko "$name" "missing /$re/ in:" "$out"; return; fi
    done
    ok "$name"
}
R0='cardstack Virtual CCID \(0001\) 00 00'
R1='cardstack Virtual CCID \(0001\) #2 01 00'
ATR='3b:8a:80:01:4a:43:4f:50:33:31:56:32:33:32:7a'

out=$(stat -c '%A %F' "$sock"); expect "socket file mode 0666" "$out" '^srw-rw-rw- socket$'
out=$(timeout 20 pcsc_scan -r 2>&1); expect "pcsc_scan -r lists both readers" "$out" "^0: $R0\$" "^1: $R1\$"
out=$(timeout 20 opensc-tool -l 2>&1); expect "opensc-tool -l: card in reader 0, none in 1" "$out" \
    "^0 +Yes +$R0\$" "^1 +No +$R1\$"
out=$(timeout 20 opensc-tool -a 2>&1); expect "opensc-tool -a prints the ATR" "$out" "^$ATR\$"
out=$(timeout 20 opensc-tool -r 0 -s 00A4040005F000000001 -s 800100000D 2>&1)
expect "opensc-tool -s: SELECT and hello" "$out" 'Received \(SW1=0x90, SW2=0x00\)' '48 65 6C 6C 6F 20 77 6F 72 6C 64 20 21'
out=$(timeout 60 /usr/bin/python3 "$here/pcsc_session.py" 2>&1); rc=$?
if [ $rc = 0 ] && ! grep -q 'CHECK FAIL' <<< "$out" && [ "$(grep -c 'CHECK ok' <<< "$out")" -ge 17 ]; then
    ok "pyscard session ($(grep -c 'CHECK ok' <<< "$out") checks)"
else ko "pyscard session (exit $rc)" "$out"; fi
out=$(timeout 60 java "$here/SunPcscClient.java" 2>&1)
expect "JDK SunPCSC (javax.smartcardio over libpcsclite)" "$out" '^provider: SunPCSC PC/SC$' \
    "^terminal: $R0 card=true\$" "^terminal: $R1 card=false\$" '^atr: 3b8a80014a434f503331563233327a$' \
    '^select: 9000$' '^hello: Hello world ! 9000$' '^waitForChange\(200\): false$'
out=$(cat "$log")
expect "--debug trace masks the VERIFY PIN" "$out" '> 00 20 00 81 08 \*\* \*\* \*\* \*\* \*\* \*\* \*\* \*\* <' \
    '> 00 A4 04 00 05 F0 00 00 00 01 < 90 00'
if grep -q '31 32 33 34 35 36 37 38' "$log"; then ko "the PIN never appears in the log" "$(grep '31 32 33' "$log")"
else ok "the PIN never appears in the log"; fi
# every client has gone (SunPCSC sent no RELEASE): the readers are free again
out=$(timeout 20 opensc-tool -r 0 -s 00A4040005F000000001 2>&1)
expect "reader free after all clients left" "$out" 'Received \(SW1=0x90, SW2=0x00\)'
if grep -Eq 'Exception|ERROR' "$log"; then ko "daemon log has no errors" "$(grep -E 'Exception|ERROR' "$log" | head -5)"
else ok "daemon log has no errors"; fi
kill -TERM "$daemon"; wait "$daemon" 2>/dev/null
if [ -e "$sock" ]; then ko "socket file removed at exit"; else ok "socket file removed at exit"; fi


# socket activation as systemd does it (StandardInput=socket): a listening socket on standard input,
# clients connecting before the daemon is up, --auto-exit when the last one has gone
act=$work/act.comm
/usr/bin/python3 - "$act" "$jar" > "$work/act.log" 2>&1 <<'PY' &
import os, socket, subprocess, sys
path, jar = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX)
s.bind(path)
os.chmod(path, 0o666)
s.listen(16)
p = subprocess.Popen(["java", "-jar", jar, "serve", "--systemd", "--no-usb", "--simulate", "applet=hello",
                      "--auto-exit", "2"], stdin=s.fileno())
s.close()
sys.exit(p.wait())
PY
activator=$!
for _ in $(seq 1 50); do [ -S "$act" ] && break; sleep 0.1; done
out=$(PCSCLITE_CSOCK_NAME=$act timeout 30 pcsc_scan -r 2>&1)
expect "socket activation: first client served through the inherited socket" "$out" "^0: $R0\$"
t0=$(date +%s)
if timeout 30 tail --pid="$activator" -f /dev/null && wait "$activator"; then
    ok "socket activation: --auto-exit after the last client ($(( $(date +%s) - t0 )) s), exit status 0"
else ko "socket activation: --auto-exit" "$(cat "$work/act.log")"; fi
if [ -S "$act" ]; then ok "socket activation: the socket file stays (systemd owns it)"
else ko "socket activation: the socket file stays"; fi

echo "serve-native-clients: $(( $(date +%s) - start )) s"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
