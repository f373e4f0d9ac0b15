package dev.granitej.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Stepping several sequences together gives each exactly what stepping it alone gives; with batch invariance
 * off, the same within float rounding.
 */
class BatchedDecodeTest {

    static String[] checkpoints() {
        return GoldenCase.CHECKPOINTS;
    }

    /** {@code n} sequences, each after one of the golden prompts, with room for 8 more tokens. */
    private static SequenceState[] prompted(GoldenCase g, GraniteModel model, int n) {
        SequenceState[] states = new SequenceState[n];
        for (int i = 0; i < n; i++) {
            int[] prompt = g.ids("p" + (i % 3 + 1) + ".input_ids");
            states[i] = model.newState(prompt.length + 8);
            model.forward(states[i], prompt);
        }
        return states;
    }

    private static SequenceState[] copies(SequenceState[] states) {
        SequenceState[] out = new SequenceState[states.length];
        for (int i = 0; i < states.length; i++) {
            out[i] = states[i].copy();
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("checkpoints")
    void batchEqualsAlone(String name) {
        assertBatchEqualsAlone(name, KvCacheFormat.F32);
    }

    @ParameterizedTest
    @MethodSource("checkpoints")
    void batchEqualsAloneWithHalfKvCache(String name) {
        assertBatchEqualsAlone(name, KvCacheFormat.F16);
    }

    @ParameterizedTest
    @MethodSource("checkpoints")
    void batchEqualsAloneWithQ8KvCache(String name) {
        assertBatchEqualsAlone(name, KvCacheFormat.Q8_0);
    }

    private static void assertBatchEqualsAlone(String name, KvCacheFormat kvCache) {
        try (GoldenCase g = new GoldenCase(name);
             GraniteModel model = GraniteModel.load(g.dir, ModelOptions.defaults().withKvCache(kvCache))) {
            int vocab = model.config().vocabSize();
            int n = 6; // more than one 4-token register tile of the matmul
            SequenceState[] alone = prompted(g, model, n);
            SequenceState[] batched = copies(alone);
            DecodeBatch batch = model.newDecodeBatch();
            float[] logits = new float[n * vocab];
            int[] tokens = {7, 11, 13, 17, 19, 23};
            for (int step = 0; step < 4; step++) {
                model.decode(batch, batched, tokens, n, logits);
                for (int i = 0; i < n; i++) {
                    float[] single = model.forward(alone[i], new int[] {tokens[i]});
                    assertArrayEquals(single, Arrays.copyOfRange(logits, i * vocab, (i + 1) * vocab),
                            name + " " + kvCache + " sequence " + i + " step " + step);
                    tokens[i] = GoldenCase.argmax(single, 0, vocab);
                }
            }
            assertThrows(IllegalArgumentException.class,
                    () -> model.decode(batch, new SequenceState[] {batched[0], batched[0]}, new int[] {1, 2}, 2,
                            new float[2 * vocab]));
        }
    }

    @ParameterizedTest
    @MethodSource("checkpoints")
    void tiledBatchesMatchAloneWithinRounding(String name) {
        try (GoldenCase g = new GoldenCase(name);
             GraniteModel model = GraniteModel.load(g.dir, ModelOptions.defaults().withBatchInvariant(false))) {
            int vocab = model.config().vocabSize();
            int n = 9; // two full 4-token tiles and a leftover row
            SequenceState[] alone = prompted(g, model, n);
            SequenceState[] batched = copies(alone);
            DecodeBatch batch = model.newDecodeBatch();
            float[] logits = new float[n * vocab];
            int[] tokens = new int[n];
            for (int i = 0; i < n; i++) {
                tokens[i] = 7 + 4 * i;
            }
            double worst = 0;
            for (int step = 0; step < 4; step++) {
                model.decode(batch, batched, tokens, n, logits);
                for (int i = 0; i < n; i++) {
                    float[] single = model.forward(alone[i], new int[] {tokens[i]});
                    for (int v = 0; v < vocab; v++) {
                        worst = Math.max(worst, Math.abs(single[v] - logits[i * vocab + v]));
                    }
                    assertEquals(GoldenCase.argmax(single, 0, vocab), GoldenCase.argmax(logits, i * vocab, vocab),
                            name + " sequence " + i + " step " + step);
                    tokens[i] = GoldenCase.argmax(single, 0, vocab);
                }
            }
            // the golden bar for the whole forward pass against HF
            assertTrue(worst < 2e-4, name + ": tiled batch differs from alone by " + worst);
        }
    }
}
