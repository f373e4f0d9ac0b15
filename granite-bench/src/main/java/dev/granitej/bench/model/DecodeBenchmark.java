package dev.granitej.bench.model;

import dev.granitej.model.SequenceState;
import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Decode throughput: one single-token forward pass per operation, so the score is tokens per second. With
 * {@code depth} 0 it is llama-bench's {@code tg128} (short context); with {@code depth} 4096 its
 * {@code tg128 @ d4096}. The context is prefilled once per trial (slow with scalar kernels: a 4,096-token
 * prefill of h-350m takes tens of minutes at today's few tokens/s), then decoding runs over a window of
 * {@value #WINDOW} positions after it and restarts from a copy of the context when the window is used up
 * (one copy per {@value #WINDOW} tokens: its cost is amortised into the score).
 */
@State(Scope.Benchmark)
public class DecodeBenchmark extends ModelBenchmark {

    /** Decode positions after the context before the state is reset to it. */
    static final int WINDOW = 256;

    /** Tokens of context before decoding (0 = llama-bench's tg; 4096 = tg @ d4096). */
    @Param({"0", "4096"})
    public int depth;

    private SequenceState context;
    private SequenceState state;
    private final SplittableRandom random = new SplittableRandom(42);
    private final int[] token = new int[1];
    private float[] logits;

    @Override
    protected void prepare() {
        context = BenchCheckpoint.prefilled(model, depth, WINDOW, random);
        state = context.copy();
        logits = new float[model.config().vocabSize()];
    }

    @Benchmark
    public float decode() {
        if (state.position() == depth + WINDOW) {
            state.copyFrom(context);
        }
        token[0] = random.nextInt(logits.length);
        model.forward(state, token, 0, 1, logits, false);
        return logits[0];
    }
}
