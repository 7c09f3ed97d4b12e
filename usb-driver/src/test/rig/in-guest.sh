#!/bin/sh
# in-guest.sh CLASSPATH HAS_DRIVER MODE ROUNDS: runs inside the usb-rig guest (started by
# run-rig-tests.sh or bench/rig-rtt.sh). MODE "tests": the full rig tests; "rtt": round trips only.
cp=$1; has_driver=$2; mode=$3; rounds=$4
# C1 only: C2 compiling in the emulated guest takes longer than the warm-up and would land in the timings
java_opts="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Dorg.slf4j.simpleLogger.showDateTime=true -Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS"
rc=0
if [ "$mode" = tests ]; then
    echo "== UsbRigTest (LibUsbSession, raw CCID)"
    java $java_opts -cp "$cp" org.cardstack.rig.UsbRigTest full "$rounds" || rc=1
    if [ "$has_driver" = 1 ]; then
        echo "== DriverRigTest (CcidDriver on LibUsbSession)"
        java $java_opts -cp "$cp" org.cardstack.rig.DriverRigTest full "$rounds" || rc=1
    else
        echo "== DriverRigTest skipped: org.cardstack.reader.ccid.CcidDriver not built"
    fi
else
    echo "== raw CCID round trips (LibUsbSession + CcidCodec)"
    java $java_opts -cp "$cp" org.cardstack.rig.UsbRigTest rtt "$rounds" || rc=1
    if [ "$has_driver" = 1 ]; then
        echo "== Reader.transmit round trips (CcidDriver)"
        java $java_opts -cp "$cp" org.cardstack.rig.DriverRigTest rtt "$rounds" || rc=1
    fi
fi
exit $rc
