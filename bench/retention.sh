#!/usr/bin/env bash
# Expiring one day of a 10 M-runs-per-month org (issue 17): dropping its partition against
# batched DELETEs of the same rows, in a fresh durable local stack. Time, WAL and the
# tables' size before and after. See BENCHMARKS.md, "Retention".
# Usage: bench/retention.sh [--runs-per-day 333333] [--calls 8] [--tools 5] [--batch 5000]
set -euo pipefail
cd "$(dirname "$0")/.."
# One reactor build (-am): from a fresh clone, this project's own artifacts are in no
# repository yet, only in the reactor.
./mvnw -q -B -pl ingest-projector -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=test
exec java -Xmx1g ${BENCH_JAVA_OPTS:-} \
  -cp "ingest-projector/target/test-classes:ingest-projector/target/classes:$(cat ingest-projector/target/classpath.txt)" \
  run.trakr.bench.RetentionBenchmark "$@"
