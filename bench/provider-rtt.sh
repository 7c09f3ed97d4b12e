#!/usr/bin/env bash
# provider-rtt.sh: JMH, one APDU round trip on the virtual CCID reader through the driver alone
# (Reader.transmit), the PC/SC manager (CardHandle.transmit) and the javax.smartcardio provider
# (CardChannel.transmit), in the same JMH run (simulator-tests, org.cardstack.bench.ProviderRttBench).
# Prints the three averages, the provider's overhead per APDU and the provider/driver ratio.
#
#   bench/provider-rtt.sh [extra JMH options]      e.g. -wi 2 -i 3 for a quick run
# Needs JDK 17 and Maven. Exit status 1 if the overhead is 2 us or more.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/jmh-common.sh
run_jmh 'org.cardstack.bench.ProviderRttBench' "$@"
json=$JMH_JSON
python3 - "$json" <<'PY'
import json, sys
runs = {r["benchmark"].rsplit(".", 1)[1]: r["primaryMetric"] for r in json.load(open(sys.argv[1]))}
d, m, p = (runs[k]["score"] for k in ("driver", "manager", "provider"))
e = {k: runs[k]["scoreError"] for k in runs}
print(f"provider-rtt: driver {d:.2f} us/op (+-{e['driver']:.2f}), manager {m:.2f} us/op (+-{e['manager']:.2f}), "
      f"provider {p:.2f} us/op (+-{e['provider']:.2f})")
print(f"provider-rtt: provider adds {p - d:.2f} us per APDU (manager {m - d:.2f} us); provider/driver = {p / d:.3f} "
      f"({'ok' if p - d < 2.0 else 'over the 2 us target'})")
sys.exit(0 if p - d < 2.0 else 1)
PY
