#!/usr/bin/env bash
# JMH: a 4 KiB extended APDU round trip over TPDU-level T=1 (the driver's T=1 engine) versus extended APDU
# level, both through the CCID driver on the same virtual reader. Prints JMH's table and the ratio.
# Usage: bench/t1-rtt.sh [extra JMH args, e.g. -f 2 -wi 5]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/jmh-common.sh
run_jmh T1ExtendedApduBenchmark "$@"
python3 - "$JMH_JSON" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
m = {r["params"]["level"]: r["primaryMetric"] for r in rows}
a, t = m["apdu"], m["t1"]
print("4 KiB extended APDU round trip: APDU level %.1f ± %.1f us, TPDU T=1 %.1f ± %.1f us; T=1/APDU = %.2f"
      % (a["score"], a["scoreError"], t["score"], t["scoreError"], t["score"] / a["score"]))
PY
