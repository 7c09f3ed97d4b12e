# Shared by the bench/*-rtt.sh JMH scripts: builds the test classpath of simulator-tests once and runs
# one benchmark class with JSON output into bench/out/. Source it, then: run_jmh CLASS [JMH args].
BENCH_OUT=bench/out
mkdir -p "$BENCH_OUT"
run_jmh() {
  local class=$1; shift
  if [ ! -f simulator-tests/target/test-classes/META-INF/BenchmarkList ] || [ -z "${BENCH_NO_BUILD:-}" ]; then
    mvn -B -q -ntp install -DskipTests >/dev/null
    mvn -B -q -ntp -pl simulator-tests test-compile dependency:build-classpath \
        -Dmdep.outputFile="$PWD/$BENCH_OUT/cp.txt" -Dmdep.includeScope=test >/dev/null
  fi
  JMH_JSON="$BENCH_OUT/$class.json"
  java -cp "simulator-tests/target/test-classes:simulator-tests/target/classes:$(cat "$BENCH_OUT/cp.txt")" \
      org.openjdk.jmh.Main "$class" -rf json -rff "$JMH_JSON" "$@"
}
