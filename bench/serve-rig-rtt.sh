#!/usr/bin/env bash
# serve-rig-rtt.sh: the native libpcsclite client of serve-rtt.c inside the usb-rig guest (QEMU's USB
# CCID reader, real usb4java/libusb path), `cardstack serve` driving the reader versus Debian's pcscd +
# libccid on the same reader, in ONE guest run. The emulated guest shares the host's two cores with QEMU's
# I/O thread and the card's JVM, and on a shared host the time stolen from those cores drifts over
# minutes, so single passes swing by half and now and then double. Hence SERVE_PASSES (default 16) short
# passes, the reader handed between the daemons by USB hotplug (no restart), in the order ABBA BAAB ...
# (cardstack, pcscd, pcscd, cardstack, pcscd, cardstack, cardstack, pcscd), which puts both sides at the
# same mean position in time; each side's figure is the MEDIAN of its pass medians, so one disturbed pass
# moves neither. Same approach as bench/rig-rtt.sh (guest-run
# --udev, classes and tools built on the host, the guest seeing the host's / read-only).
#
#   bench/serve-rig-rtt.sh [ROUNDS] [AID_HEX]        (defaults 500, F000000001: the rig's HelloWorld card)
#
# Needs the usb-rig next to the checkout (../shared/usb-rig or $USB_RIG), gcc, libpcsclite1, pcscd, libccid
# (apt-get installs them as root when missing), the shaded jar (built with Maven if missing).
# Last line: "serve-rig-rtt: median ... cardstack X us, pcscd+libccid Y us; cardstack/libccid = R (...)".
set -uo pipefail

if [ "${1:-}" = --in-guest ]; then
    tools=$2 rounds=$3 aid=$4
    out=/tmp/serve-rig.out; : > "$out"; rc=0
    cs_sock=/tmp/cs.comm
    [ -n "${RIG_CONTROL:-}" ] && [ -n "${RIG_READER_STATE:-}" ] || { echo "serve-rig-rtt: needs the rig's reader hotplug"; exit 1; }
    ready() { for _ in $(seq 1 600); do "$tools/rtt" 1 "$aid" >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }
    # pulls or puts back the whole reader (QEMU device_del / device_add) and waits until the guest has seen it
    reader() {
        local want=absent; [ "$1" = plug ] && want=present
        echo "$1" >> "$RIG_CONTROL"
        for _ in $(seq 1 200); do [ "$(cat "$RIG_READER_STATE" 2>/dev/null)" = "$want" ] && break; sleep 0.05; done
        sleep 1
    }
    measure() { "$tools/rtt" "$rounds" "$aid" 2>&1 | sed "s/^serve-rtt:/RESULT $1:/" | tee -a "$out"; }
    # cardstack serve starts once, with the JVM options of cli/systemd/cardstack-pcscd.service (the daemon
    # measured as it is shipped), and stays up: a long-running daemon is measured warm, after
    # ${SERVE_WARMUP:-3000} untimed round trips, which also warm what both daemons share (the host's card
    # JVM, QEMU's emulation, the guest's USB stack). SERVE_ARGS adds serve options (e.g. --debug);
    # SERVE_LOG keeps the daemon's log somewhere the host can read it.
    # shellcheck disable=SC2086
    java ${SERVE_JAVA_OPTS:--XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k} -jar "$tools/cardstack.jar" serve \
        --socket "$cs_sock" ${SERVE_ARGS:-} >"${SERVE_LOG:-/tmp/cs.log}" 2>&1 </dev/null &
    cs=$!
    if ! PCSCLITE_CSOCK_NAME=$cs_sock ready || ! PCSCLITE_CSOCK_NAME=$cs_sock "$tools/rtt" "${SERVE_WARMUP:-3000}" "$aid" >/dev/null 2>&1; then
        echo "cardstack serve found no card"; cat "${SERVE_LOG:-/tmp/cs.log}"; kill "$cs"; exit 1
    fi
    # The reader changes hands without a restart, so passes can be short and many: to pcscd, cardstack is
    # stopped (SIGSTOP), the reader pulled, pcscd started, the reader put back, and pcscd claims it; back,
    # pcscd ends, the reader is pulled, cardstack continues and claims it when it is put back.
    holder=cardstack pd=""
    to_pcscd() {
        kill -STOP "$cs"; reader unplug
        mkdir -p /tmp/pcscd-usb-only
        /usr/sbin/pcscd --foreground --config /tmp/pcscd-usb-only >/tmp/pcscd.log 2>&1 </dev/null &
        pd=$!
        reader plug
        ready || { echo "pcscd found no card"; cat /tmp/pcscd.log; rc=1; }
        holder=pcscd
    }
    to_cardstack() {
        kill "$pd"; wait "$pd" 2>/dev/null; reader unplug
        kill -CONT "$cs"; reader plug
        PCSCLITE_CSOCK_NAME=$cs_sock ready || { echo "cardstack serve found no card"; cat "${SERVE_LOG:-/tmp/cs.log}"; rc=1; }
        holder=cardstack
    }
    for p in $(seq 1 "${SERVE_PASSES:-16}"); do
        # ABBA in odd blocks of four, BAAB in even ones
        w=$(( (p - 1) % 4 )) block=$(( (p - 1) / 4 % 2 ))
        if [ $(( (w == 0 || w == 3) ^ block )) = 1 ]; then
            [ $holder = cardstack ] || to_cardstack
            echo "== pass $p: cardstack serve (CcidDriver on usb4java) on the rig's reader"
            PCSCLITE_CSOCK_NAME=$cs_sock measure cardstack
        else
            [ $holder = pcscd ] || to_pcscd
            echo "== pass $p: pcscd + libccid (Debian) on the same reader"
            measure pcscd
        fi
    done
    [ -n "$pd" ] && kill "$pd" 2>/dev/null
    kill -CONT "$cs"; kill "$cs"; wait "$cs" 2>/dev/null
    med() { sed -n "s/^RESULT $1:.* median \([0-9.]*\) us.*/\1/p" "$out" | paste -sd' ' -; }
    median() { tr ' ' '\n' <<< "$1" | sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "%.1f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
    a_all=$(med cardstack) b_all=$(med pcscd); a=$(median "$a_all") b=$(median "$b_all")
    [ -n "$a" ] && [ -n "$b" ] || rc=1
    r=$(awk -v a="$a" -v b="$b" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')
    v=$(awk -v r="$r" 'BEGIN { print (r != "n/a" && r + 0 <= 1) ? "target met: at or below libccid" : "target MISSED" }')
    echo "serve-rig-rtt: pass medians (us): cardstack serve [$a_all], pcscd+libccid [$b_all]"
    echo "serve-rig-rtt: median SCardTransmit (SELECT $aid, native libpcsclite client) over $rounds in the rig guest," \
         "median of the passes: cardstack serve ${a:-n/a} us, pcscd+libccid ${b:-n/a} us; cardstack/libccid = $r ($v)"
    exit $rc
fi

rounds=${1:-500}
aid=${2:-F000000001}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
rig_run=${USB_RIG:-$(cd "$root/.." && pwd -P)/shared/usb-rig}/guest-run
[ -x "$rig_run" ] || { echo "serve-rig-rtt: no usb-rig at $rig_run" >&2; exit 2; }
missing() { command -v gcc >/dev/null && [ -x /usr/sbin/pcscd ] && [ -d /usr/lib/pcsc/drivers/ifd-ccid.bundle ] \
            && ls /usr/lib/*/libpcsclite.so.1 >/dev/null 2>&1 && return 1 || return 0; }
if missing && [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    pk="gcc libc6-dev libpcsclite1 pcscd libccid"
    apt-get install -y -q --no-install-recommends $pk </dev/null >/dev/null \
        || { apt-get update -q </dev/null >/dev/null && apt-get install -y -q --no-install-recommends $pk </dev/null >/dev/null; }
fi
missing && { echo "serve-rig-rtt: needs gcc libpcsclite1 pcscd libccid" >&2; exit 2; }
[ -f "$root/cli/target/cardstack.jar" ] || (cd "$root" && { mvn -q -B -o install -DskipTests || mvn -q -B install -DskipTests; }) </dev/null || exit 2
# snapshot outside target/ (a concurrent build may rewrite it), visible in the guest
tools=${XDG_CACHE_HOME:-$HOME/.cache}/cardstack-rig/serve-$(printf %s "$root" | sha256sum | cut -c1-12)
rm -rf "$tools" && mkdir -p "$tools"
cp "$root/cli/target/cardstack.jar" "$tools/" || exit 2
gcc -O2 -o "$tools/rtt" "$root/bench/serve-rtt.c" "$(ls /usr/lib/*/libpcsclite.so.1 | head -1)" || exit 2
cd "$root"
start=$(date +%s)
"$rig_run" --udev --timeout "${RIG_TIMEOUT:-900}" -- "$root/bench/serve-rig-rtt.sh" --in-guest "$tools" "$rounds" "$aid" </dev/null
rc=$?
echo "serve-rig-rtt: exit $rc after $(( $(date +%s) - start )) s"
exit $rc
