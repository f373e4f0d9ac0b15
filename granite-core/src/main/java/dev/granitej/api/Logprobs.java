package dev.granitej.api;

import java.util.ArrayList;
import java.util.List;

/** Log-probabilities from raw logits: a log-softmax, and the top alternatives by partial selection. */
final class Logprobs {

    private Logprobs() {
    }

    static TokenLogprob of(float[] logits, int token, int top) {
        float max = Float.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - max);
        }
        float logZ = (float) (max + Math.log(sum));
        List<TokenLogprob.Alternative> alternatives = new ArrayList<>(top);
        if (top > 0) {
            int[] best = new int[top];
            int n = 0;
            for (int i = 0; i < logits.length; i++) {
                if (n < top || logits[i] > logits[best[n - 1]]) {
                    int j = n < top ? n++ : n - 1;
                    while (j > 0 && logits[best[j - 1]] < logits[i]) {
                        best[j] = best[j - 1];
                        j--;
                    }
                    best[j] = i;
                }
            }
            for (int j = 0; j < n; j++) {
                alternatives.add(new TokenLogprob.Alternative(best[j], logits[best[j]] - logZ));
            }
        }
        return new TokenLogprob(token, logits[token] - logZ, alternatives);
    }
}
