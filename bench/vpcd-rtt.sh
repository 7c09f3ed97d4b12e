#!/usr/bin/env bash
# vpcd-rtt.sh: APDU round trip from a native libpcsclite client (vpcd-rtt.c), the same Java Card applet
# (examples/counter-applet, READ 80 20 00 00 00) hosted three ways, measured in ONE run:
#
#   A  cardstack serve --applet-classpath counter.jar --simulate ...    applet in-process (virtual CCID reader)
#   B  cardstack serve --vpcd 127.0.0.1:PORT  + jCardSim's VSmartCard connector holding the applet
#   C  Debian's pcscd 1.9.9 + vsmartcard-vpcd on 127.0.0.1:PORT + the same VSmartCard card
#
#   bench/vpcd-rtt.sh [ROUNDS] [WARMUP]     (default 1000 and 200; C takes ~45 ms a round: ~2 min)
#
# Passes in the order A B C C B A; each side's figure is the mean of its two pass medians (p90 alike).
# pcscd runs in a private mount namespace (unshare -m, a tmpfs on /run/pcscd), so it neither meets nor
# disturbs another pcscd on the machine; the client runs in that namespace for C and points at cardstack
# with PCSCLITE_CSOCK_NAME for A and B. Needs root (unshare), gcc, libpcsclite1, pcscd, vsmartcard-vpcd
# (installed when missing) and the shaded jar. Last line: the summary.
set -uo pipefail
rounds=${1:-1000}
warm=${2:-200}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
jar=$root/cli/target/cardstack.jar
aid=F0000000C0FFEE
applet=com.example.counter.CounterApplet

missing() { command -v gcc >/dev/null && [ -x /usr/sbin/pcscd ] && [ -f /usr/lib/pcsc/drivers/serial/libifdvpcd.so ] \
            && ls /usr/lib/*/libpcsclite.so.1 >/dev/null 2>&1 && command -v unshare >/dev/null && return 1 || return 0; }
if missing && [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    pk="gcc libc6-dev libpcsclite1 pcscd vsmartcard-vpcd util-linux"
    apt-get install -y -q --no-install-recommends $pk </dev/null >/dev/null 2>&1 \
        || { apt-get update -q </dev/null >/dev/null 2>&1 && apt-get install -y -q --no-install-recommends $pk </dev/null >/dev/null 2>&1; }
fi
if missing; then echo "vpcd-rtt: needs gcc libpcsclite1 pcscd vsmartcard-vpcd unshare" >&2; exit 2; fi
[ "$(id -u)" = 0 ] || { echo "vpcd-rtt: needs root (pcscd in a private mount namespace)" >&2; exit 2; }
[ -f "$jar" ] || (cd "$root" && { mvn -q -B -o install -DskipTests || mvn -q -B install -DskipTests; }) </dev/null || exit 2

work=$(mktemp -d /tmp/vpcd-rtt.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
gcc -O2 -o "$work/rtt" "$root/bench/vpcd-rtt.c" "$(ls /usr/lib/*/libpcsclite.so.1 | head -1)" || exit 2
bash "$root/examples/counter-applet/build.sh" "$jar" "$work/counter.jar" >/dev/null || exit 2
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pb=$(free_port); pc=$(free_port)
wait_for() { local i; for ((i = 0; i < $2 * 10; i++)); do grep -q -- "$1" "$3" 2>/dev/null && return 0; sleep 0.1; done
             echo "vpcd-rtt: not seen within $2 s in $3: $1" >&2; tail -5 "$3" >&2; return 1; }
vsmartcard() {  # vsmartcard PORT LOG: jCardSim's connector with the applet (CREATE APPLET makes the instance)
    printf 'com.licel.jcardsim.card.applet.0.AID=%s\ncom.licel.jcardsim.card.applet.0.Class=%s\ncom.licel.jcardsim.card.ATR=3B8A80014A434F503331563233327A\ncom.licel.jcardsim.vsmartcard.host=127.0.0.1\ncom.licel.jcardsim.vsmartcard.port=%s\n' \
        "$aid" "$applet" "$1" > "$work/vsc-$1.cfg"
    java -cp "$jar:$work/counter.jar" com.licel.jcardsim.remote.VSmartCard "$work/vsc-$1.cfg" >"$2" 2>&1 </dev/null &
    pids+=($!)
}

# A and B: two cardstack daemons on their own sockets
java -jar "$jar" serve --no-usb --socket "$work/a.comm" --applet-classpath "$work/counter.jar" \
    --simulate "applet=$applet,aid=$aid,params=0005" >"$work/a.log" 2>&1 </dev/null &
pids+=($!)
java -jar "$jar" serve --no-usb --socket "$work/b.comm" --vpcd "127.0.0.1:$pb" -v >"$work/b.log" 2>&1 </dev/null &
pids+=($!)
wait_for "listening on" 60 "$work/a.log" && wait_for "listening on" 60 "$work/b.log" || exit 1
vsmartcard "$pb" "$work/vsc-b.log"
wait_for "card inserted" 30 "$work/b.log" || exit 1

# C: pcscd + vpcd in a private mount namespace; the namespace's holder process runs pcscd in the foreground
mkdir "$work/conf"
printf 'FRIENDLYNAME "Virtual PCD"\nDEVICENAME   /dev/null:%d\nLIBPATH      /usr/lib/pcsc/drivers/serial/libifdvpcd.so\nCHANNELID    %d\n' \
    "$pc" "$pc" > "$work/conf/vpcd"
unshare -m --propagation private bash -c "mount -t tmpfs tmpfs /run/pcscd && exec /usr/sbin/pcscd --foreground --config '$work/conf'" \
    >"$work/c.log" 2>&1 </dev/null &
ns=$!; pids+=($ns)
for ((i = 0; i < 100; i++)); do python3 -c "import socket; socket.create_connection(('127.0.0.1',$pc),0.2)" 2>/dev/null && break; sleep 0.1; done
pcscd_pid=$(pgrep -P "$ns" pcscd || echo "$ns")
vsmartcard "$pc" "$work/vsc-c.log"

run() {  # run A|B|C: one pass; prints "median p90 min rounds"
    case $1 in
        A) PCSCLITE_CSOCK_NAME=$work/a.comm "$work/rtt" "Virtual CCID" "$rounds" "$warm" 8020000000 00A4040007$aid ;;
        B) PCSCLITE_CSOCK_NAME=$work/b.comm "$work/rtt" "Virtual PCD 127.0.0.1:$pb" "$rounds" "$warm" 8020000000 \
               80B800000C07${aid}00020005 00A4040007$aid ;;
        C) nsenter -t "$pcscd_pid" -m env -u PCSCLITE_CSOCK_NAME "$work/rtt" "Virtual PCD" "$rounds" "$warm" 8020000000 \
               80B800000C07${aid}00020005 00A4040007$aid ;;
    esac 2>>"$work/client.log"
}
declare -A med p90
echo "vpcd-rtt: $rounds rounds (+$warm warm-up) of READ 80 20 00 00 00 per pass, order A B C C B A"
for side in A B C C B A; do
    r=$(run $side) || { echo "vpcd-rtt: pass $side failed"; cat "$work/client.log" >&2; tail -5 "$work"/*.log >&2; exit 1; }
    set -- $r
    echo "  pass $side: median $1 us, p90 $2 us, min $3 us"
    med[$side]="${med[$side]:-} $1"; p90[$side]="${p90[$side]:-} $2"
done
mean() { echo "$@" | awk '{ s = 0; for (i = 1; i <= NF; i++) s += $i; printf "%.1f", s / NF }'; }
A=$(mean ${med[A]}); B=$(mean ${med[B]}); C=$(mean ${med[C]})
echo "  A cardstack serve, applet in-process:          median $A us, p90 $(mean ${p90[A]}) us"
echo "  B cardstack serve --vpcd + jCardSim VSmartCard: median $B us, p90 $(mean ${p90[B]}) us"
echo "  C pcscd + vpcd + jCardSim VSmartCard:           median $C us, p90 $(mean ${p90[C]}) us"
echo "vpcd-rtt summary: A in-process $A us, B cardstack vpcd $B us, C pcscd+vpcd $C us (median round trip, $rounds rounds x2)"
