#!/usr/bin/env bash
# rig-rtt.sh: APDU round trip on a real USB CCID reader, cardstack vs Debian's pcscd + libccid, measured
# in ONE usb-rig guest run (same emulated machine, same reader, same card, same SELECT).
#
#   bench/rig-rtt.sh [ROUNDS] [AID_HEX]          (defaults 1000, F000000001)
#
# Host: compiles usb-driver and the rig programs (usb-driver/src/test/rig/rig-build.sh), then boots the
# rig's guest once (--udev). Guest, each alone on the reader, in two passes (ABBA order: cardstack,
# pcscd, pcscd, cardstack; the summary gives the mean of each side's two medians):
#   1. UsbRigTest rtt      LibUsbSession + CcidCodec, raw XfrBlock round trips        (RESULT rtt raw-libusb)
#                          and again with a thread reading interrupt-in, as a driver's slot watcher does
#   2. DriverRigTest rtt   CcidDriver -> Reader.transmit (when the driver is built)    (RESULT rtt driver)
#   3. pcscd + libccid     the rig's examples/pcsc_rtt.py, SCardTransmit round trips   (median ... us)
#                          and examples/pcsc_hotplug.py (card remove/insert latency seen by pcscd)
# and prints one summary line:
#   rig-rtt: median SELECT round trip over N: cardstack driver X us, raw LibUsbSession Y us (W us with
#            an interrupt-in reader thread), pcscd+libccid Z us; driver/pcscd = R, raw/pcscd = R2 (ok|FAILED)
# Needs on the host: JDK 17, Maven (~/.m2 filled, or MVN_OPTS= to go online), the usb-rig next to the
# checkout (../shared/usb-rig, or $USB_RIG), and pcscd libccid pcsc-tools opensc python3-pyscard (the guest
# uses the host's /; installed with apt-get when missing and running as root). Exit status non-zero when
# any part fails (2: build or setup). Works as root with no stdin.
set -uo pipefail

if [ "${1:-}" = --in-guest ]; then
    # ---- inside the guest: --in-guest CLASSPATH HAS_DRIVER ROUNDS AID RIG_EXAMPLES ----
    cp=$2 has_driver=$3 rounds=$4 aid=$5 examples=$6
    here=$(cd "$(dirname "$0")" && pwd -P)
    out=/tmp/rig-rtt.out
    : > "$out"
    rc=0
    cardstack() {
        echo "== pass $1: cardstack (raw LibUsbSession, then CcidDriver)"
        "$here/../usb-driver/src/test/rig/in-guest.sh" "$cp" "$has_driver" rtt "$rounds" 2>&1 | tee -a "$out"
        [ "${PIPESTATUS[0]}" = 0 ] || rc=1
    }
    pcscd_pass() {
        echo "== pass $1: pcscd + libccid (Debian) on the same reader"
        mkdir -p /tmp/pcscd-usb-only   # an empty reader.conf.d: USB readers only
        /usr/sbin/pcscd --foreground --config /tmp/pcscd-usb-only >/tmp/pcscd.log 2>&1 &
        pcscd_pid=$!
        i=0
        until /usr/bin/pcsc_scan -r 2>/dev/null | grep -q CCID; do
            i=$((i + 1))
            if [ $i -gt 150 ]; then echo "pcscd found no reader in 30 s"; cat /tmp/pcscd.log; rc=1; break; fi
            sleep 0.2
        done
        /usr/bin/python3 "$examples/pcsc_rtt.py" "$aid" "$rounds" 2>&1 | tee -a "$out"
        [ "${PIPESTATUS[0]}" = 0 ] || rc=1
        if [ "${2:-}" = hotplug ]; then
            /usr/bin/python3 "$examples/pcsc_hotplug.py" "$aid" 2>&1 | tee -a "$out"
            [ "${PIPESTATUS[0]}" = 0 ] || rc=1
        fi
        kill "$pcscd_pid" 2>/dev/null; wait "$pcscd_pid" 2>/dev/null
        sleep 1   # let the reader settle after pcscd let go of it
    }
    # ABBA order: a drift in the (shared, emulated) machine's speed hits both sides alike
    cardstack 1; pcscd_pass 2 hotplug; pcscd_pass 3; cardstack 4

    medians() { sed -n "s/$1/\\1/p" "$out" | paste -sd' ' -; }
    mean() { awk '{ s = 0; for (i = 1; i <= NF; i++) s += $i; if (NF) printf "%.1f", s / NF }' <<< "$1"; }
    raw_all=$(medians '^RESULT rtt raw-libusb median_us=\([0-9.]*\).*')
    raww_all=$(medians '^RESULT rtt raw-libusb+interrupt-watcher median_us=\([0-9.]*\).*')
    drv_all=$(medians '^RESULT rtt driver median_us=\([0-9.]*\).*')
    pcsc_all=$(medians '.*SCardTransmit round trips via pcscd+libccid.*: median \([0-9.]*\) us.*')
    raw=$(mean "$raw_all") raww=$(mean "$raww_all") drv=$(mean "$drv_all") pcsc=$(mean "$pcsc_all")
    ratio() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }' || echo n/a; }
    [ -n "$raw" ] && [ -n "$pcsc" ] || rc=1
    [ "$has_driver" = 1 ] && [ -z "$drv" ] && rc=1
    echo "rig-rtt: pass medians (us): raw [$raw_all], raw+interrupt-thread [$raww_all], driver [${drv_all}]," \
         "pcscd+libccid [$pcsc_all]"
    echo "rig-rtt: median SELECT round trip over $rounds (mean of 2 passes): cardstack driver ${drv:-n/a} us," \
         "raw LibUsbSession ${raw:-n/a} us (${raww:-n/a} us with an interrupt-in reader thread)," \
         "pcscd+libccid ${pcsc:-n/a} us; driver/pcscd = $(ratio "$drv" "$pcsc"), raw/pcscd = $(ratio "$raw" "$pcsc")" \
         "($([ $rc = 0 ] && echo ok || echo FAILED))"
    exit $rc
fi

# ---- on the host ----
rounds=${1:-1000}
aid=${2:-F000000001}
missing() { [ -x /usr/sbin/pcscd ] && [ -x /usr/bin/pcsc_scan ] && [ -x /usr/bin/opensc-tool ] \
            && /usr/bin/python3 -c 'import smartcard' 2>/dev/null && return 1 || return 0; }
if missing && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "rig-rtt: installing pcscd libccid pcsc-tools opensc python3-pyscard" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q pcscd libccid pcsc-tools opensc python3-pyscard \
        </dev/null >/dev/null || { apt-get update -q </dev/null >/dev/null && DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q pcscd libccid pcsc-tools opensc python3-pyscard </dev/null >/dev/null; }
fi
if missing; then
    echo "rig-rtt: needs pcscd libccid pcsc-tools opensc python3-pyscard (apt-get install them)" >&2
    exit 2
fi
set -e
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)/../usb-driver/src/test/rig/rig-build.sh"
set +e
examples=$(dirname "$rig_run")/examples
cd "$rig_root"
start=$(date +%s)
"$rig_run" --udev --timeout "${RIG_TIMEOUT:-900}" -- \
    "$rig_root/bench/rig-rtt.sh" --in-guest "$rig_cp" "$rig_has_driver" "$rounds" "$aid" "$examples" </dev/null
rc=$?
echo "rig-rtt: exit $rc after $(( $(date +%s) - start )) s"
exit $rc
