package dev.granitej.bench.model;

import dev.granitej.model.GraniteModel;
import dev.granitej.model.SequenceState;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Prefill throughput, llama-bench's {@code pp512}: a 512-token random prompt into a fresh state. The score
 * is tokens per second (one operation = one prompt token).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xmx8g"})
@Warmup(iterations = 1, time = 10)
@Measurement(iterations = 3, time = 10)
public class PrefillBenchmark {

    /** Tokens per prompt (llama-bench's default {@code -p 512}). */
    static final int PROMPT = 512;

    /** Checkpoint directory; empty means {@link BenchCheckpoint#resolve}'s default. */
    @Param("")
    public String checkpoint;

    /** Engine threads (reported only until the engine takes a thread count). */
    @Param("1")
    public int threads;

    private GraniteModel model;
    private int[] prompt;
    private float[] logits;

    @Setup
    public void setUp() {
        model = BenchCheckpoint.load(checkpoint, threads);
        prompt = BenchCheckpoint.randomTokens(model, PROMPT, new SplittableRandom(42));
        logits = new float[model.config().vocabSize()];
    }

    @TearDown
    public void tearDown() {
        model.close();
    }

    @Benchmark
    @OperationsPerInvocation(PROMPT)
    public float prefill512() {
        SequenceState state = model.newState(PROMPT);
        model.forward(state, prompt, 0, PROMPT, logits, false);
        return logits[0];
    }
}
