#!/usr/bin/env bash
# Runs the JMH benchmarks from the repository root: compiles this module and what it needs (in the reactor, so the classes of
# this work tree are measured, not a jar some other build installed), then runs JMH on them. Arguments go to JMH, e.g.
#   benchmarks/run.sh -f 1 -wi 5 -i 5 PipelineBenchmark
# MVN="mvn -o" runs Maven offline.
set -euo pipefail
cd "$(dirname "$0")/.."
${MVN:-mvn} -B -q -pl benchmarks -am compile dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
exec java -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" org.openjdk.jmh.Main "$@"
