# rig-build.sh: sourced by run-rig-tests.sh and bench/rig-rtt.sh (bash). On the host: compiles
# usb-driver's main classes with Maven and the rig programs (src/test/rig, not part of any Maven build)
# with javac, then sets
#   rig_root  the checkout (guest-run must run from there: the guest sees it read-write)
#   rig_cp    the classpath for the guest's java (absolute paths; the guest sees the host's / read-only)
#   rig_run   the usb-rig's guest-run ($USB_RIG, default: ../shared/usb-rig next to the checkout)
#   rig_has_driver  1 when org.cardstack.reader.ccid.CcidDriver is built (the driver phase is compiled)
# MVN_OPTS: Maven options (default: offline "-o", and online again if that fails).
rig_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd -P)
rig_run=${USB_RIG:-$(cd "$rig_root/.." && pwd -P)/shared/usb-rig}/guest-run
[ -x "$rig_run" ] || { echo "rig-build: no usb-rig guest-run at $rig_run (set USB_RIG)" >&2; exit 2; }
command -v mvn >/dev/null && command -v javac >/dev/null || { echo "rig-build: needs mvn and a JDK 17+" >&2; exit 2; }
(
    cd "$rig_root"
    build() {
        # shellcheck disable=SC2086
        mvn -q -B "$@" -pl usb-driver compile dependency:build-classpath \
            -Dmdep.outputFile=target/rig-classpath.txt -Dmdep.includeScope=test </dev/null
    }
    if [ -n "${MVN_OPTS+set}" ]; then
        build $MVN_OPTS
    else # offline first; online (for a plugin missing from ~/.m2, e.g. on a fresh CI machine) if that fails
        build -o >/dev/null 2>&1 || build -ntp
    fi
) || { echo "rig-build: mvn failed" >&2; exit 2; }
# Snapshot the classes outside target/ (another build in the same tree may clean or rewrite target/
# while the guest runs): ${XDG_CACHE_HOME:-~/.cache}/cardstack-rig/CHECKOUT-HASH, visible in the guest.
rig_out=${XDG_CACHE_HOME:-$HOME/.cache}/cardstack-rig/$(printf %s "$rig_root" | sha256sum | cut -c1-12)
case $rig_out/ in /tmp/*|/run/*|/var/tmp/*) echo "rig-build: $rig_out is not visible in the guest" >&2; exit 2 ;; esac
rm -rf "$rig_out" && mkdir -p "$rig_out/main" "$rig_out/rig"
cp -r "$rig_root/usb-driver/target/classes/." "$rig_out/main/"
[ -f "$rig_out/main/org/cardstack/usb/libusb/LibUsbSession.class" ] \
    || { echo "rig-build: usb-driver classes incomplete (a concurrent clean?); run again" >&2; exit 2; }
rig_sources=("$rig_root"/usb-driver/src/test/rig/org/cardstack/rig/*.java)
rig_has_driver=0
if [ -f "$rig_out/main/org/cardstack/reader/ccid/CcidDriver.class" ]; then
    rig_has_driver=1
else
    rig_sources=("${rig_sources[@]/*DriverRigTest.java/}")
fi
rig_cp=$rig_out/main:$(cat "$rig_root/usb-driver/target/rig-classpath.txt")
javac -nowarn -d "$rig_out/rig" -cp "$rig_cp" $(printf '%s\n' "${rig_sources[@]}" | grep .) \
    || { echo "rig-build: javac failed" >&2; exit 2; }
rig_cp=$rig_out/rig:$rig_cp
