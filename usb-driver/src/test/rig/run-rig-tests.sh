#!/usr/bin/env bash
# run-rig-tests.sh: cardstack's real-USB tests on the usb-rig (QEMU usb-ccid reader in a guest; see
# ../shared/usb-rig/README.md and usb-driver/src/test/rig/README.md).
#
#   usb-driver/src/test/rig/run-rig-tests.sh [GUEST_RUN_OPTION...] [-- ROUNDS]
#
# Compiles on the host (rig-build.sh), then ONE guest run with udevd (--udev) runs in-guest.sh:
# UsbRigTest (LibUsbSession + CcidCodec, raw CCID) and, once the CCID reader driver is in the tree,
# DriverRigTest (CcidDriver -> ReaderSession -> Reader). Exit status: 0 all checks passed, 1 a check
# failed, 2 build problem, 124 guest timed out, 125 the rig itself failed. Runs as root, no stdin.
set -euo pipefail
rig_opts=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do rig_opts+=("$1"); shift; done
[ $# -gt 0 ] && shift
rounds=${1:-1000}
source "$(dirname "${BASH_SOURCE[0]}")/rig-build.sh"
cd "$rig_root"
start=$(date +%s)
set +e
"$rig_run" --udev --timeout "${RIG_TIMEOUT:-900}" ${rig_opts[@]+"${rig_opts[@]}"} -- \
    "$rig_root/usb-driver/src/test/rig/in-guest.sh" "$rig_cp" "$rig_has_driver" tests "$rounds" </dev/null
rc=$?
set -e
echo "run-rig-tests: exit $rc after $(( $(date +%s) - start )) s"
exit $rc
