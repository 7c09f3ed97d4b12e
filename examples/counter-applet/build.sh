#!/usr/bin/env bash
# Builds counter.jar from src/ against the Java Card API inside cardstack.jar (jCardSim's copy), as a
# user would build their own applet. Usage: build.sh [CARDSTACK_JAR] [OUT_JAR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
jar_in="${1:-$here/../../cli/target/cardstack.jar}"
out="${2:-$here/target/counter.jar}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
javac -nowarn -cp "$jar_in" -d "$work" "$here"/src/com/example/counter/*.java
mkdir -p "$(dirname "$out")"
jar cf "$out" -C "$work" .
echo "$out"
