#!/usr/bin/env bash
# Runs on the other machine, from the repository root: `OUT=DIR bash BUNDLE_DIR/check.sh BUNDLE_DIR` (see
# bundle.sh). Writes DIR/log (everything), DIR/kernels.txt and DIR/core.txt (the suites' JUnit summaries).
# The suites run side by side on all cores, then the timed runs on two cores (taskset), h-1b random weights.
set -uo pipefail
bundle="${1:?usage: check.sh BUNDLE_DIR}"
: "${OUT:?set OUT to a folder for the results}"
mkdir -p "$OUT"
exec > >(tee -a "$OUT/log") 2>&1
t0=$(date +%s); step() { echo "== [$(( $(date +%s) - t0 )) s] $*"; }
R=$(pwd); B=$(mktemp -d)
trap 'rm -rf "$B"' EXIT   # the runtime, and 5 GB of checkpoint and caches
trap 'exit 143' TERM INT    # so a timeout or ^C still runs the EXIT trap
step machine; lscpu | grep -E "Model name|Socket|Core|Thread|NUMA node\(s\)|L3|Flags" | cut -c1-400; nproc; free -g | head -2
tar xJf "$bundle/bundle.tar.xz" -C "$B" && tar xf "$B/targets.tar" -C "$R" \
  && cp -r granite-core/src/test/resources/golden granite-core/target/test-classes/ || exit 1
J=$B/jre/bin/java; VF="--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED"
$J -XX:+PrintFlagsFinal -version 2>/dev/null | grep -E " UseAVX | MaxVectorSize "
JU=$(ls "$B"/junit/*.jar | paste -sd:):$B/junit
DEPS=$(ls "$R/granite-core/target/lib/" | grep -v "^granite" | sed "s#^#$R/granite-core/target/lib/#" | paste -sd:)
BC="$(ls "$R"/granite-bench/target/granite-bench-*-SNAPSHOT.jar):$R/granite-bench/target/lib/*"
G=$B/checkpoints
step suites, and the checkpoint with its quantized caches
(cd granite-kernels && timeout 120 "$J" $VF -Xmx4g -XX:+UseParallelGC -cp "target/test-classes:target/classes:$DEPS:$JU" \
  DeviceTests target/test-classes > "$OUT/kernels.txt" 2>&1; echo "kernels rc $?" >> "$OUT/kernels.txt") & kernels=$!
(cd granite-core && timeout 300 "$J" $VF -Xmx8g -XX:+UseParallelGC -cp "target/test-classes:target/classes:../granite-kernels/target/classes:../granite-tokenizer/target/classes:$DEPS:$JU" \
  DeviceTests target/test-classes > "$OUT/core.txt" 2>&1; echo "core rc $?" >> "$OUT/core.txt") & core=$!
"$J" $VF -cp "$BC" dev.granitej.bench.RandomCheckpoint --model granite-4.0-h-1b --out "$G/granite-4.0-h-1b" 2>&1 | grep -v WARN
for f in q8_0 q4_0; do
  timeout 120 "$J" $VF -XX:+UseParallelGC -cp "$BC" dev.granitej.bench.BenchCommand --model "$G/granite-4.0-h-1b" \
    --format $f --threads 8 -p 0 -n 1 -r 1 --no-warmup > /dev/null 2>&1
done
wait $kernels $core
step suites done; grep -E "under test|tests (found|successful|failed|aborted)|rc " "$OUT/kernels.txt" "$OUT/core.txt"
grep -A25 "^Failures" "$OUT/kernels.txt" "$OUT/core.txt" | head -80
# two cores that are not hyperthreads of one another
sib=$(cat /sys/devices/system/cpu/cpu0/topology/thread_siblings_list 2>/dev/null || echo 0)
c2=$(for c in $(seq 1 $(( $(nproc) - 1 ))); do case ",$sib," in *",$c,"*) ;; *) echo $c; break;; esac; done)
case "$sib" in *-*) c2=$(( ${sib##*-} + 1 ));; esac
pin="taskset -c 0,${c2:-1}"; echo "timed runs: $pin"
bench() { timeout 150 $pin "$J" $VF -XX:+UseParallelGC -cp "$BC" dev.granitej.bench.BenchCommand --model "$G/granite-4.0-h-1b" "$@" 2>&1 | grep "|"; }
step read bandwidth
timeout 90 $pin "$J" $VF -cp "$BC" org.openjdk.jmh.Main ReadBandwidthBenchmark -f 1 -wi 1 -i 3 -w 1 -r 1 2>&1 | grep "^ReadBandwidth"
step decode
for f in bf16 q8_0 q4_0; do bench --format $f --threads 1,2 -p 0 -n 32 -r 2; done
step prefill, 16 sessions
bench --format q4_0 --threads 2 -p 256 -n 0 -r 2
bench --format bf16 --threads 2 -p 0 -n 16 -r 2 --sessions 1,16
step end
