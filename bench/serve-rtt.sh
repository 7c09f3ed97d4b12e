#!/usr/bin/env bash
# serve-rtt.sh: median SCardTransmit round trip from a native libpcsclite client (serve-rtt.c, C), and the
# daemons' resident memory, cardstack's daemon versus Debian's pcscd with the vsmartcard-vpcd virtual
# reader, both serving the same jCardSim applet (cardstack's test applet, F043415244535441434B01), measured in ONE run.
#
#   bench/serve-rtt.sh [ROUNDS]            (default 500; 200 warm-up rounds before each pass)
#
#   A  cardstack serve --no-usb --simulate applet=test      (virtual CCID reader, jCardSim card in-process)
#   B  pcscd 1.9.9 --foreground + libifdvpcd (vsmartcard-vpcd) on 127.0.0.1:PORT, the card being jCardSim's
#      own VSmartCard connector (com.licel.jcardsim.remote.VSmartCard) with the same applet class and ATR
#      (jCardSim's HelloWorldApplet cannot be used: VSmartCard installs applets with CREATE APPLET, whose
#      install data the sample refuses, SW 6444; the test applet takes the JCRE layout)
# Passes in ABBA order (A, B, B, A); each side's result is the mean of its two pass medians. RSS (VmRSS)
# at idle (readers up, one client session done, 2 s settled) and the peak under the load of the pass.
# The client is the same binary, pointed at A with PCSCLITE_CSOCK_NAME and at B with pcscd's compiled-in
# /run/pcscd/pcscd.comm (no other pcscd may run). Needs gcc, libpcsclite1, pcscd, vsmartcard-vpcd
# (apt-get installs them as root when missing), the shaded jar and jCardSim in ~/.m2 (Maven fetches them).
# Last line: the summary; exit status 0 when both sides ran (the target, cardstack lower, is reported).
set -uo pipefail
rounds=${1:-500}
aid=F043415244535441434B01
port=${SERVE_RTT_VPCD_PORT:-35999}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
jar=$root/cli/target/cardstack.jar
jcardsim=$HOME/.m2/repository/com/klinec/jcardsim/3.0.5.11/jcardsim-3.0.5.11.jar

missing() { command -v gcc >/dev/null && [ -x /usr/sbin/pcscd ] && [ -f /usr/lib/pcsc/drivers/serial/libifdvpcd.so ] \
            && ls /usr/lib/*/libpcsclite.so.1 >/dev/null 2>&1 && return 1 || return 0; }
if missing && [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    pk="gcc libc6-dev libpcsclite1 pcscd vsmartcard-vpcd"
    apt-get install -y -q --no-install-recommends $pk </dev/null >/dev/null \
        || { apt-get update -q </dev/null >/dev/null && apt-get install -y -q --no-install-recommends $pk </dev/null >/dev/null; }
fi
if missing; then echo "serve-rtt: needs gcc libpcsclite1 pcscd vsmartcard-vpcd" >&2; exit 2; fi
if pgrep -x pcscd >/dev/null; then echo "serve-rtt: a pcscd is already running; stop it first" >&2; exit 2; fi
{ [ -f "$jar" ] && [ -d "$root/simulator-tests/target/classes/org/cardstack/sim/applets" ]; } || (cd "$root" && { mvn -q -B -o install -DskipTests || mvn -q -B install -DskipTests; }) </dev/null || exit 2
[ -f "$jcardsim" ] || mvn -q -B dependency:get -Dartifact=com.klinec:jcardsim:3.0.5.11 </dev/null >/dev/null || exit 2

work=$(mktemp -d /tmp/serve-rtt.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
gcc -O2 -o "$work/rtt" "$root/bench/serve-rtt.c" "$(ls /usr/lib/*/libpcsclite.so.1 | head -1)" || exit 2
mkdir "$work/conf"
printf 'FRIENDLYNAME "Virtual PCD"\nDEVICENAME   /dev/null:%d\nLIBPATH      /usr/lib/pcsc/drivers/serial/libifdvpcd.so\nCHANNELID    %d\n' \
    "$port" "$port" > "$work/conf/vpcd"
cat > "$work/card.properties" <<PROPS
com.licel.jcardsim.card.applet.0.AID=$aid
com.licel.jcardsim.card.applet.0.Class=org.cardstack.sim.applets.TestApplet
com.licel.jcardsim.card.ATR=3B8A80014A434F503331563233327A
com.licel.jcardsim.vsmartcard.host=localhost
com.licel.jcardsim.vsmartcard.port=$port
PROPS

rss() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null; }
ready() { for _ in $(seq 1 300); do "$work/rtt" 1 "$aid" >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }
# run the client while sampling the peak RSS of the given pids; prints "MEDIAN PEAK1 [PEAK2]"
measure() {
    "$work/rtt" "$rounds" "$aid" > "$work/out" 2>&1 &
    local c=$! peaks=() i
    for p in "$@"; do peaks+=(0); done
    while kill -0 "$c" 2>/dev/null; do
        i=0; for p in "$@"; do r=$(rss "$p"); awk -v a="$r" -v b="${peaks[$i]}" 'BEGIN{exit !(a>b)}' && peaks[$i]=$r; i=$((i+1)); done
        sleep 0.05
    done
    wait "$c" || { cat "$work/out" >&2; return 1; }
    cat "$work/out" >&2
    echo "$(sed -n 's/.* median \([0-9.]*\) us.*/\1/p' "$work/out") ${peaks[*]}"
}

declare -a a_med b_med a_idle a_load b_idle b_load c_idle c_load
pass_cardstack() {
    echo "== pass $1: cardstack serve --simulate applet=test" >&2
    java -jar "$jar" serve --no-usb --simulate applet=test --socket "$work/cs.comm" >"$work/cs.log" 2>&1 </dev/null &
    local d=$!; pids+=("$d")
    export PCSCLITE_CSOCK_NAME=$work/cs.comm
    ready || { echo "cardstack serve did not come up" >&2; cat "$work/cs.log" >&2; kill "$d"; wait "$d"; return 1; }
    sleep 2; a_idle+=("$(rss "$d")")
    read -r med peak <<< "$(measure "$d")" || return 1
    a_med+=("$med"); a_load+=("$peak")
    unset PCSCLITE_CSOCK_NAME
    kill "$d"; wait "$d" 2>/dev/null
}
pass_pcscd() {
    echo "== pass $1: pcscd + vsmartcard-vpcd + jCardSim VSmartCard" >&2
    /usr/sbin/pcscd --foreground --config "$work/conf" >"$work/pcscd.log" 2>&1 </dev/null &
    local d=$!; pids+=("$d")
    sleep 1
    java -cp "$jcardsim:$root/simulator-tests/target/classes" com.licel.jcardsim.remote.VSmartCard "$work/card.properties" >"$work/card.log" 2>&1 </dev/null &
    local c=$!; pids+=("$c")
    unset PCSCLITE_CSOCK_NAME
    ready || { echo "pcscd + vpcd did not come up" >&2; cat "$work/pcscd.log" "$work/card.log" >&2; kill "$c" "$d"; wait "$c" "$d"; return 1; }
    sleep 2; b_idle+=("$(rss "$d")"); c_idle+=("$(rss "$c")")
    read -r med peak cpeak <<< "$(measure "$d" "$c")" || return 1
    b_med+=("$med"); b_load+=("$peak"); c_load+=("$cpeak")
    kill "$c" "$d"; wait "$c" "$d" 2>/dev/null
    sleep 0.5
}
rc=0
pass_cardstack 1 || rc=1; pass_pcscd 2 || rc=1; pass_pcscd 3 || rc=1; pass_cardstack 4 || rc=1
mean() { awk '{ s = 0; for (i = 1; i <= NF; i++) s += $i; if (NF) printf "%.1f", s / NF }' <<< "$*"; }
A=$(mean "${a_med[@]}") B=$(mean "${b_med[@]}")
[ -n "$A" ] && [ -n "$B" ] || rc=1
ratio=$(awk -v a="$A" -v b="$B" 'BEGIN { if (b > 0) printf "%.4f", a / b; else print "n/a" }')
verdict=$(awk -v r="$ratio" 'BEGIN { print (r + 0 < 1 && r != "n/a") ? "target met: cardstack lower" : "target MISSED" }')
echo "serve-rtt: pass medians (us): cardstack [${a_med[*]}], pcscd+vpcd [${b_med[*]}]"
echo "serve-rtt: RSS MiB idle/peak-under-load per pass: cardstack serve (daemon + simulated card) [${a_idle[*]}]/[${a_load[*]}];" \
     "pcscd [${b_idle[*]}]/[${b_load[*]}] + VSmartCard card JVM [${c_idle[*]}]/[${c_load[*]}]"
echo "serve-rtt: median SCardTransmit (SELECT, native libpcsclite client) over $rounds: cardstack serve $A us," \
     "pcscd+vpcd+jCardSim $B us; cardstack/pcscd = $ratio ($verdict)"
exit $rc
