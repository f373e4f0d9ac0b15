package dev.granitej.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A prompt fed in several chunks leaves the same state as feeding it at once: same logits, same decode. */
class ChunkedPrefillTest {

    static String[] checkpoints() {
        return GoldenCase.CHECKPOINTS;
    }

    @ParameterizedTest
    @MethodSource("checkpoints")
    void fortyTokensAs25Plus15(String name) {
        check(name, new int[] {25, 15});
    }

    @ParameterizedTest
    @MethodSource("checkpoints")
    void hundredFiftyTokensAsSevenChunks(String name) {
        check(name, new int[] {1, 30, 2, 50, 17, 40, 10});
    }

    /** Longer than a pass (256 tokens; 512 for MoE models), so both sides are split, at different places. */
    @ParameterizedTest
    @MethodSource("checkpoints")
    void fiveHundredFiftySevenTokensAs300Plus257(String name) {
        check(name, new int[] {300, 257});
    }

    private static void check(String name, int[] chunks) {
        try (GoldenCase g = new GoldenCase(name); GraniteModel model = GraniteModel.load(g.dir)) {
            int[] ids = java.util.Arrays.copyOf(longestPrompt(g), java.util.Arrays.stream(chunks).sum());
            int vocab = model.config().vocabSize();
            SequenceState whole = model.newState(ids.length + 4);
            float[] expected = model.forwardAll(whole, ids);

            SequenceState chunked = model.newState(ids.length + 4);
            float[] actual = new float[ids.length * vocab];
            int done = 0;
            for (int n : chunks) {
                float[] part = new float[n * vocab];
                model.forward(chunked, ids, done, n, part, true);
                System.arraycopy(part, 0, actual, done * vocab, n * vocab);
                done += n;
            }
            assertTrue(done == ids.length, "chunks must cover the prompt");
            float diff = GoldenCase.maxAbsDiff(actual, 0, expected, 0, actual.length);
            assertTrue(diff <= 1e-5f, name + ": chunked vs one-shot max |diff| " + diff);
            // the states must continue identically too
            int next = GoldenCase.argmax(expected, (ids.length - 1) * vocab, vocab);
            float[] a = model.forward(whole, new int[] {next});
            float[] b = model.forward(chunked, new int[] {next});
            float stepDiff = GoldenCase.maxAbsDiff(a, 0, b, 0, vocab);
            assertTrue(stepDiff <= 1e-5f, name + ": decode after chunked prefill differs by " + stepDiff);
            assertArrayEquals(new int[] {whole.position()}, new int[] {chunked.position()});
        }
    }

    /** The longest golden prompt of the checkpoint (the demo's held-out window, else the 150-token prompt). */
    private static int[] longestPrompt(GoldenCase g) {
        if (g.find("eval.input_ids").isPresent()) {
            return g.ids("eval.input_ids");
        }
        int[] best = new int[0];
        for (int p = 0; g.find("p" + p + ".input_ids").isPresent(); p++) {
            int[] ids = g.ids("p" + p + ".input_ids");
            if (ids.length > best.length) {
                best = ids;
            }
        }
        return best;
    }
}
