#!/usr/bin/env bash
# JMH: one APDU round trip through the CCID driver over the virtual reader versus straight into
# jCardSim's CardSimulator, in the same run. Prints JMH's table and the per-APDU overhead.
# Usage: bench/driver-rtt.sh [extra JMH args, e.g. -f 2 -wi 5]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/jmh-common.sh
run_jmh DriverRoundTripBenchmark "$@"
python3 - "$JMH_JSON" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
by = {}
for r in rows:
    level = r["params"]["level"]
    by.setdefault(level, {})[r["benchmark"].rsplit(".", 1)[1]] = r["primaryMetric"]
for level, m in sorted(by.items()):
    d, s = m["cardSimulatorDirect"], m["throughDriver"]
    print("%-6s CardSimulator %.2f ± %.2f us, through driver %.2f ± %.2f us: driver adds %.2f us per APDU (ratio %.2f)"
          % (level, d["score"], d["scoreError"], s["score"], s["scoreError"], s["score"] - d["score"], s["score"] / d["score"]))
PY
