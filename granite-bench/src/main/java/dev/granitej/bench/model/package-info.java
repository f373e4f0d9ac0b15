/**
 * JMH benchmarks of the model: prefill and decode tokens/s and per-session memory. They read a checkpoint
 * from the {@code checkpoint} parameter, else the system property {@code granitej.bench.checkpoint}, else a
 * random-weight h-350m generated once under {@code java.io.tmpdir/granitej-bench} (see {@link
 * dev.granitej.bench.model.BenchCheckpoint}). CI compiles them; they are run by hand.
 */
package dev.granitej.bench.model;
