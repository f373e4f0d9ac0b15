package dev.granitej.bench.model;

import dev.granitej.model.SequenceState;
import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Prefill throughput, llama-bench's {@code pp512}: a 512-token random prompt into a fresh state. The score
 * is tokens per second (one operation = one prompt token).
 */
@State(Scope.Benchmark)
public class PrefillBenchmark extends ModelBenchmark {

    /** Tokens per prompt (llama-bench's default {@code -p 512}). */
    static final int PROMPT = 512;

    private int[] prompt;
    private float[] logits;

    @Override
    protected void prepare() {
        prompt = BenchCheckpoint.randomTokens(model, PROMPT, new SplittableRandom(42));
        logits = new float[model.config().vocabSize()];
    }

    @Benchmark
    @OperationsPerInvocation(PROMPT)
    public float prefill512() {
        SequenceState state = model.newState(PROMPT);
        model.forward(state, prompt, 0, PROMPT, logits, false);
        return logits[0];
    }
}
