package dev.granitej.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The shipped demo model's held-out per-token NLL against transformers' (models/granite-4.0-h-demo/README.md). */
class DemoModelEvalTest {

    @Test
    void tokenNllMatchesReference() {
        try (GoldenCase g = new GoldenCase("granite-4.0-h-demo"); GraniteModel model = GraniteModel.load(g.dir)) {
            int[] ids = g.ids("eval.input_ids");
            float[] expected = g.floats("eval.token_nll");
            int vocab = model.config().vocabSize();
            float[] logits = model.forwardAll(model.newState(ids.length), ids);
            double sum = 0;
            double expectedSum = 0;
            double worst = 0;
            for (int t = 0; t < expected.length; t++) {
                double nll = nll(logits, t * vocab, vocab, ids[t + 1]);
                worst = Math.max(worst, Math.abs(nll - expected[t]));
                assertEquals(expected[t], nll, 1e-3, "token " + t);
                sum += nll;
                expectedSum += expected[t];
            }
            double mean = sum / expected.length;
            double expectedMean = expectedSum / expected.length;
            assertTrue(Math.abs(mean - expectedMean) <= 1e-4, "mean NLL " + mean + " vs " + expectedMean);
            System.out.printf("demo eval: mean NLL %.6f vs golden %.6f (|diff| %.1e), worst token |diff| %.1e%n",
                    mean, expectedMean, Math.abs(mean - expectedMean), worst);
        }
    }

    static double nll(float[] logits, int off, int n, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, logits[off + i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp(logits[off + i] - max);
        }
        return Math.log(sum) + max - logits[off + target];
    }
}
