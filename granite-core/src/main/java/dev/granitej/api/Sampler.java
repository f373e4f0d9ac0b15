package dev.granitej.api;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Chooses tokens for one generation according to {@link SamplingParams}. Owns its random generator and
 * scratch arrays, so it belongs to one generation at a time and allocates nothing per token.
 */
final class Sampler {

    private final SamplingParams params;
    private final SplittableRandom random;
    private final int[] generatedCounts;
    private final boolean[] seenInContext;
    private final long[] order;
    private final float[] probs;

    Sampler(SamplingParams params, int vocab, long seed) {
        this.params = params;
        this.random = new SplittableRandom(seed);
        this.generatedCounts = new int[vocab];
        this.seenInContext = new boolean[vocab];
        this.order = params.isGreedy() ? new long[0] : new long[vocab];
        this.probs = params.isGreedy() ? new float[0] : new float[vocab];
        for (Integer id : params.logitBias().keySet()) {
            if (id >= vocab) {
                throw new IllegalArgumentException("logit bias names token id " + id + ", outside the vocabulary [0, "
                        + vocab + ")");
            }
        }
    }

    /** Records a token of the context (prompt or output) for the repetition penalty. */
    void seen(int token) {
        seenInContext[token] = true;
    }

    /** Records a generated token (for presence and frequency penalties, and the repetition penalty). */
    void generated(int token) {
        generatedCounts[token]++;
        seenInContext[token] = true;
    }

    /** Picks the next token from {@code logits}, which it modifies. */
    int sample(float[] logits) {
        int vocab = logits.length;
        for (var e : params.logitBias().entrySet()) {
            logits[e.getKey()] += e.getValue();
        }
        float rep = params.repetitionPenalty();
        float presence = params.presencePenalty();
        float frequency = params.frequencyPenalty();
        if (rep != 1f || presence != 0f || frequency != 0f) {
            for (int i = 0; i < vocab; i++) {
                if (seenInContext[i] && rep != 1f) {
                    logits[i] = logits[i] > 0 ? logits[i] / rep : logits[i] * rep;
                }
                int n = generatedCounts[i];
                if (n > 0) {
                    logits[i] -= presence + frequency * n;
                }
            }
        }
        if (params.isGreedy()) {
            return argmax(logits);
        }
        return draw(logits);
    }

    static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }

    private int draw(float[] logits) {
        int vocab = logits.length;
        float invT = 1f / params.temperature();
        float max = Float.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        for (int i = 0; i < vocab; i++) {
            probs[i] = (float) Math.exp((logits[i] - max) * invT);
        }
        // Candidates sorted by probability, descending; ties by ascending id (stable and reproducible).
        int n = 0;
        // unnormalised, the top probability is exp(0) = 1, so min-p keeps p >= minP
        float minKeep = params.minP();
        for (int i = 0; i < vocab; i++) {
            float p = probs[i];
            if (p > 0 && p >= minKeep) {
                order[n++] = ((long) Float.floatToIntBits(p) << 32) | (0xFFFFFFFFL & ~i);
            }
        }
        Arrays.sort(order, 0, n);
        for (int i = 0, j = n - 1; i < j; i++, j--) {
            long t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        if (params.topK() > 0) {
            n = Math.min(n, params.topK());
        }
        double kept = 0;
        for (int i = 0; i < n; i++) {
            kept += probOf(order[i]);
        }
        if (params.topP() < 1f) {
            double target = params.topP() * kept;
            double acc = 0;
            int cut = n;
            for (int i = 0; i < n; i++) {
                acc += probOf(order[i]);
                if (acc >= target) {
                    cut = i + 1;
                    break;
                }
            }
            n = cut;
            kept = acc;
        }
        double u = random.nextDouble() * kept;
        double acc = 0;
        for (int i = 0; i < n; i++) {
            acc += probOf(order[i]);
            if (u < acc) {
                return idOf(order[i]);
            }
        }
        return idOf(order[n - 1]);
    }

    private static float probOf(long key) {
        return Float.intBitsToFloat((int) (key >>> 32));
    }

    private static int idOf(long key) {
        return ~(int) key;
    }
}
