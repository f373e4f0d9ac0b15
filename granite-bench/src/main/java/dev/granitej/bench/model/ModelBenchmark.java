package dev.granitej.bench.model;

import dev.granitej.model.GraniteModel;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import java.util.concurrent.TimeUnit;

/**
 * What every model benchmark shares: the checkpoint, format, thread and KV cache parameters, loading through
 * {@link BenchCheckpoint}, and the run shape (one fork with the Vector API module, 1 × 10 s warm-up,
 * 3 × 10 s measurement, tokens per second). Subclasses prepare their inputs in {@link #prepare()}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xmx8g"})
@Warmup(iterations = 1, time = 10)
@Measurement(iterations = 3, time = 10)
public abstract class ModelBenchmark {

    /** Checkpoint directory; empty means {@link BenchCheckpoint#resolve}'s default. */
    @Param("")
    public String checkpoint;

    /** Weight format: {@code bf16}, {@code q8_0} or {@code q4_0}. */
    @Param("bf16")
    public String format;

    /** Engine threads (reported only until the engine takes a thread count). */
    @Param("1")
    public int threads;

    /** KV cache type: {@code f16} (llama-bench's default, as {@code granite bench}), {@code f32} or {@code q8_0}. */
    @Param("f16")
    public String kvCache;

    /** The model under test, loaded once per trial. */
    protected GraniteModel model;

    @Setup
    public void setUp() {
        model = BenchCheckpoint.load(checkpoint, format, threads, kvCache);
        prepare();
    }

    /** Builds the benchmark's inputs and states once {@link #model} is loaded. */
    protected abstract void prepare();

    @TearDown
    public void tearDown() {
        model.close();
    }
}
