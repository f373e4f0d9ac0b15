package dev.granitej.bench;

import dev.granitej.model.DecodeBatch;
import dev.granitej.model.GraniteModel;
import dev.granitej.model.SequenceState;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Runs llama-bench's tests on one loaded model. Token ids are random (weights are random too), drawn from a
 * seeded generator; states are built before the clock starts, as llama-bench clears its cache before timing.
 */
public final class BenchRunner {

    private final GraniteModel model;
    private final SplittableRandom random;
    private final int vocab;

    /** A runner for {@code model} drawing token ids from {@code seed}. */
    public BenchRunner(GraniteModel model, long seed) {
        this.model = model;
        this.random = new SplittableRandom(seed);
        this.vocab = model.config().vocabSize();
    }

    /** {@code ppN}: prefill {@code tokens} random tokens into a fresh state; tokens/s per repetition. */
    public Measurement prefill(int tokens, int reps) {
        double[] tps = new double[reps];
        float[] logits = new float[vocab];
        for (int r = 0; r < reps; r++) {
            int[] prompt = randomTokens(tokens);
            SequenceState state = model.newState(tokens);
            long start = System.nanoTime();
            model.forward(state, prompt, 0, tokens, logits, false);
            tps[r] = tokens / seconds(start);
        }
        return new Measurement("pp" + tokens, tps);
    }

    /**
     * {@code tgN} and {@code tgN @ dD}: {@code tokens} single-token steps after a context of {@code depth}
     * tokens (0: from an empty state, as llama-bench's tg). The context is prefilled once, untimed, and each
     * repetition decodes from a copy of it.
     */
    public Measurement decode(int tokens, int depth, int reps) {
        SequenceState context = context(depth, tokens);
        double[] tps = new double[reps];
        for (int r = 0; r < reps; r++) {
            SequenceState state = context.copy();
            int[] ids = randomTokens(tokens);
            settleHeap();
            long start = System.nanoTime();
            decodeSteps(state, ids);
            tps[r] = tokens / seconds(start);
        }
        return new Measurement(testName("tg" + tokens, depth), tps);
    }

    /**
     * {@code tgN xS}: {@code sessions} independent sequences decoding {@code tokens} steps each, stepped together
     * in batched decode steps (as the engine's scheduler runs concurrent sessions: each weight matrix is read
     * once per step for all of them), after a shared context of {@code depth} tokens; aggregate tokens/s.
     */
    public Measurement concurrentDecode(int sessions, int tokens, int depth, int reps) {
        if (sessions < 1) {
            throw new IllegalArgumentException("sessions must be at least 1, was " + sessions);
        }
        SequenceState context = context(depth, tokens);
        DecodeBatch batch = model.newDecodeBatch();
        float[] logits = new float[sessions * vocab];
        double[] tps = new double[reps];
        for (int r = 0; r < reps; r++) {
            SequenceState[] states = new SequenceState[sessions];
            int[][] ids = new int[tokens][sessions];
            for (int s = 0; s < sessions; s++) {
                states[s] = context.copy();
                for (int i = 0; i < tokens; i++) {
                    ids[i][s] = random.nextInt(vocab);
                }
            }
            settleHeap();
            long start = System.nanoTime();
            for (int i = 0; i < tokens; i++) {
                model.decode(batch, states, ids[i], sessions, logits);
            }
            tps[r] = (double) sessions * tokens / seconds(start);
        }
        String mode = model.options().batchInvariant() ? "" : " tiled";
        return new Measurement(testName("tg" + tokens + " x" + sessions + mode, depth), tps);
    }

    /** A state holding {@code depth} random tokens, with room for {@code extra} more. */
    private SequenceState context(int depth, int extra) {
        SequenceState state = model.newState(Math.max(1, depth + extra));
        if (depth > 0) {
            int[] prompt = randomTokens(depth);
            model.forward(state, prompt, 0, depth, new float[vocab], false);
        }
        return state;
    }

    private void decodeSteps(SequenceState state, int[] ids) {
        float[] logits = new float[vocab];
        for (int i = 0; i < ids.length; i++) {
            model.forward(state, ids, i, 1, logits, false);
        }
    }

    /**
     * Collects garbage before a timed run: the copy of a long context just allocated hundreds of MB of KV
     * cache in the young generation, and the collection that promotes it (a pause of up to a second) belongs
     * to making the copy, not to the decode steps being timed.
     */
    private static void settleHeap() {
        System.gc();
    }

    private int[] randomTokens(int n) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = random.nextInt(vocab);
        }
        return ids;
    }

    private static String testName(String base, int depth) {
        return depth > 0 ? base + " @ d" + depth : base;
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
