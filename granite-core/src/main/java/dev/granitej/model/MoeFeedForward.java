package dev.granitej.model;

import dev.granitej.kernels.PairRangeBody;
import dev.granitej.kernels.Parallel;
import dev.granitej.kernels.Vec;
import dev.granitej.kernels.WeightMatrix;
import java.util.Arrays;

/**
 * Granite's fine-grained mixture of experts with an always-on shared expert. The router picks the top-k
 * experts by logit and weights them by a softmax over those k logits only; each expert is a SwiGLU MLP
 * (gate in the first half of {@code input_linear}); expert outputs are weighted by their router probability
 * and summed in ascending expert order (as HF does), then the shared expert's output is added.
 */
final class MoeFeedForward implements FeedForward {

    private final int hidden;
    private final int width;
    private final int topK;
    private final Linear router;
    private final Linear[] expertIn;
    private final Linear[] expertOut;
    private final SwiGluMlp shared;
    private final Parallel pool;
    /** {@link #runExperts} as the pool's body, made once: the call passes the workspace and the token. */
    private final PairRangeBody<Workspace, float[]> expertTasks = this::runExperts;

    MoeFeedForward(Weights w, String prefix, int hidden, int width, int experts, int topK, SwiGluMlp shared) {
        this.hidden = hidden;
        this.width = width;
        this.topK = topK;
        this.shared = shared;
        this.pool = w.pool;
        this.router = w.exact(prefix + "router.layer.weight", experts, hidden);
        WeightMatrix in = w.matrix(w.tensor(prefix + "input_linear.weight", experts, 2L * width, hidden),
                experts * 2 * width, hidden);
        WeightMatrix out = w.matrix(w.tensor(prefix + "output_linear.weight", experts, hidden, width),
                experts * hidden, width);
        this.expertIn = new Linear[experts];
        this.expertOut = new Linear[experts];
        for (int e = 0; e < experts; e++) {
            expertIn[e] = new Linear(in.rows(e * 2 * width, 2 * width), w.pool);
            expertOut[e] = new Linear(out.rows(e * hidden, hidden), w.pool);
        }
    }

    /**
     * Routes every row, then runs each chosen expert once over all the rows that chose it (a matrix product over
     * that group, so an expert's weights are read once per pass), visiting experts in ascending id so each row
     * sums its experts in HF's order.
     */
    @Override
    public void forward(Workspace ws, float[] in, float[] out) {
        if (ws.tokens == 1) {
            forwardOne(ws, in, out);
            return;
        }
        int tokens = ws.tokens;
        ws.ensureMoe(tokens, topK, width);
        Arrays.fill(out, 0, tokens * hidden, 0f);
        for (int t = 0; t < tokens; t++) {
            route(ws, in, t * hidden);
            System.arraycopy(ws.topExperts, 0, ws.routedExperts, t * topK, topK);
            System.arraycopy(ws.topWeights, 0, ws.routedWeights, t * topK, topK);
        }
        for (int e = 0; e < expertIn.length; e++) {
            int n = 0;
            for (int t = 0; t < tokens; t++) {
                for (int j = 0; j < topK; j++) {
                    if (ws.routedExperts[t * topK + j] == e) {
                        ws.groupRows[n] = t;
                        ws.groupWeights[n] = ws.routedWeights[t * topK + j];
                        System.arraycopy(in, t * hidden, ws.groupIn, n * hidden, hidden);
                        n++;
                    }
                }
            }
            if (n == 0) {
                continue;
            }
            expertIn[e].forward(n, ws.exactRows, ws.groupIn, hidden, ws.groupHidden, 2 * width, ws.matmulScratch);
            for (int i = 0; i < n; i++) {
                Vec.swiglu(ws.groupHidden, i * 2 * width, ws.groupHidden, i * 2 * width, ws.groupHidden,
                        i * 2 * width + width, width);
            }
            expertOut[e].forward(n, ws.exactRows, ws.groupHidden, 2 * width, ws.groupOut, hidden,
                    ws.matmulScratch);
            for (int i = 0; i < n; i++) {
                Vec.axpy(out, ws.groupRows[i] * hidden, ws.groupWeights[i], ws.groupOut, i * hidden, hidden);
            }
        }
        shared.forward(ws, in, ws.sharedOut);
        Vec.add(out, 0, ws.sharedOut, 0, tokens * hidden);
    }

    /**
     * One token (a decode step): its k experts and the shared expert are the parallel tasks, each a whole
     * expert on one thread. A single token's expert matrices are too small to split by rows without the
     * threads spending much of their time meeting at barriers (two per expert). Each product is the one
     * {@link #forward} computes, and the outputs are summed in the same ascending order, so the result is
     * bit-identical to it.
     */
    private void forwardOne(Workspace ws, float[] in, float[] out) {
        ws.ensureMoe(1, topK, width);
        route(ws, in, 0);
        // The shared expert is task 0: it is the biggest (twice a routed expert in H-Tiny) and the pool cuts the
        // k + 1 tasks into chunks of equal count, so the first chunk should hold it. Placed last, it left two
        // threads three routed experts and three plus itself (three and five experts' work).
        pool.forRange(0, topK + 1, 1, ws, in, expertTasks);
        Arrays.fill(out, 0, hidden, 0f);
        for (int j = 0; j < topK; j++) {
            Vec.axpy(out, 0, ws.topWeights[j], ws.slotOut[j], 0, hidden);
        }
        Vec.add(out, 0, ws.sharedOut, 0, hidden);
    }

    /** Tasks {@code [from, to)} of {@link #forwardOne}: 0 the shared expert, j the j-th routed one. */
    private void runExperts(Workspace ws, float[] in, int from, int to) {
        for (int j = from; j < to; j++) {
            if (j == 0) {
                shared.forwardOneToken(in, ws.ffnHidden, ws.sharedOut, ws.slotScratch[0]);
            } else {
                int e = ws.topExperts[j - 1];
                SwiGluMlp.oneToken(expertIn[e].weight(), expertOut[e].weight(), hidden, width, in,
                        ws.slotHidden[j - 1], ws.slotOut[j - 1], ws.slotScratch[j]);
            }
        }
    }

    /**
     * Fills {@code ws.topExperts} with the top-k experts of the token at {@code in[row..]} in ascending id order
     * and {@code ws.topWeights} with their softmax weights. Equal logits go to the lower id.
     */
    private void route(Workspace ws, float[] in, int row) {
        float[] logits = ws.routerLogits;
        int experts = expertIn.length;
        router.matvec(in, row, logits, 0, ws.matmulScratch);
        boolean[] picked = ws.picked;
        Arrays.fill(picked, 0, experts, false);
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < topK; j++) {
            int best = -1;
            for (int e = 0; e < experts; e++) {
                if (!picked[e] && (best < 0 || logits[e] > logits[best])) {
                    best = e;
                }
            }
            picked[best] = true;
            max = Math.max(max, logits[best]);
        }
        int n = 0;
        float sum = 0f;
        for (int e = 0; e < experts; e++) {
            if (picked[e]) {
                float w = (float) Math.exp(logits[e] - max);
                ws.topExperts[n] = e;
                ws.topWeights[n++] = w;
                sum += w;
            }
        }
        for (int j = 0; j < topK; j++) {
            ws.topWeights[j] /= sum;
        }
    }
}
