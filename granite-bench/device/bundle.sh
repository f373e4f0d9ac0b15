#!/usr/bin/env bash
# Packs what check.sh needs to run the kernel and core test suites and a few benchmarks on a machine that has
# neither a JDK nor Maven (a lent machine with another CPU, say): a jlinked Java 25 runtime, the built classes
# and jars, JUnit's launcher with a small runner. Usage, from the repository root after `mvn -o install -DskipTests`:
#   granite-bench/device/bundle.sh DIR     (writes DIR/bundle.tar.xz, ~22 MB, and DIR/check.sh)
# then, on the other machine, from a copy of the repository with DIR inside it:
#   OUT=results-dir bash DIR/check.sh DIR
set -euo pipefail
out="${1:?usage: bundle.sh DIR}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
. "$root/scripts/jdk25.sh"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$out" "$stage/junit"
# the modules the engine, Jackson, SLF4J, JMH and JUnit load; uncompressed here, xz below packs it 4.6x
"$JAVA_HOME/bin/jlink" --add-modules java.base,jdk.incubator.vector,java.management,jdk.management,jdk.unsupported,java.logging,java.sql,java.xml,jdk.jfr,java.naming \
  --strip-debug --no-header-files --no-man-pages --output "$stage/jre" 2>/dev/null
strip --strip-unneeded "$stage/jre/lib/server/libjvm.so" 2>/dev/null || true
(cd "$root" && mvn -B -ntp -q -o dependency:build-classpath -Dmdep.outputFile="$stage/cp.txt" -Dmdep.includeScope=test \
  -pl granite-core >/dev/null)
for jar in $(tr ':' '\n' < "$stage/cp.txt" | grep -e junit -e opentest4j -e apiguardian); do cp "$jar" "$stage/junit/"; done
# the launcher is not a test dependency (surefire brings its own): take the one of the engine's version
engine=$(basename "$stage"/junit/junit-platform-engine-*.jar .jar)
version=${engine#junit-platform-engine-}
cp ~/.m2/repository/org/junit/platform/junit-platform-launcher/"$version"/junit-platform-launcher-"$version".jar \
  "$stage/junit/"
"$JAVA_HOME/bin/javac" -cp "$(ls "$stage"/junit/*.jar | paste -sd:)" -d "$stage/junit" "$root/granite-bench/device/DeviceTests.java"
# golden tensors travel with the tree (src/test/resources) and are copied back into test-classes there
(cd "$root" && tar cf "$stage/targets.tar" --exclude=granite-core/target/test-classes/golden --exclude='*jtokkit*' \
  granite-kernels/target/classes granite-kernels/target/test-classes granite-tokenizer/target/classes \
  granite-core/target/classes granite-core/target/test-classes granite-core/target/lib \
  granite-bench/target/granite-bench-*-SNAPSHOT.jar granite-bench/target/lib)
(cd "$stage" && tar cf - jre junit targets.tar | xz -9 -T2 > "$out/bundle.tar.xz")
cp "$root/granite-bench/device/check.sh" "$out/"
ls -l "$out"
