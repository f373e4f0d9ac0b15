package dev.granitej.model;

import dev.granitej.kernels.MatmulScratch;

/**
 * Scratch buffers for one forward pass, owned by a session (never by the shared model) and grown on demand,
 * so a decode step allocates nothing once the buffers have reached their size.
 */
final class Workspace {

    private final Dims d;

    Dims dims() {
        return d;
    }
    /** Rows in the current pass; row t belongs to {@code rowState[t]} at position {@code rowPos[t]}. */
    int tokens;
    /**
     * True when every row must get exactly the product a single-row pass would give it (a batch-invariant
     * decode batch); prompt chunks and non-invariant batches use the faster tiled product.
     */
    boolean exactRows;
    /** Bound on the positions any row of the current pass sees (what the attention scratch is sized for). */
    int contextLength;
    SequenceState[] rowState = new SequenceState[0];
    int[] rowPos = new int[0];
    float[] hidden = new float[0];
    float[] normed = new float[0];
    float[] branch = new float[0];
    float[] mambaProj = new float[0];
    float[] mambaGated = new float[0];
    /** The causal convolution's output (after SiLU), {@code convDim} floats per row. */
    float[] convOut;
    float[] q = new float[0];
    float[] k = new float[0];
    float[] v = new float[0];
    float[] context = new float[0];
    /** Buffers of the tiled products (activations by token group, decoded panels), reused pass after pass. */
    final MatmulScratch matmulScratch = new MatmulScratch();
    /** Attention scratch, one per KV head so KV heads can run in parallel. */
    final AttentionScratch[] attention;
    float[] ffnHidden = new float[0];
    float[] ffnAct = new float[0];
    float[] sharedOut = new float[0];
    int[] routedExperts = new int[0];
    float[] routedWeights = new float[0];
    int[] groupRows = new int[0];
    float[] groupWeights = new float[0];
    float[] groupIn = new float[0];
    float[] groupHidden = new float[0];
    float[] groupOut = new float[0];
    /** Per chosen expert of a single token (decode): its hidden activations and its output. */
    float[][] slotHidden = new float[0][];
    float[][] slotOut = new float[0][];
    /** Per task of a single token's experts (0 the shared expert, then the chosen ones): the products' buffers. */
    MatmulScratch[] slotScratch = new MatmulScratch[0];
    float[] routerLogits;
    int[] topExperts;
    float[] topWeights;
    boolean[] picked;

    record Dims(int hidden, int mambaProj, int mambaInner, int convDim, int heads, int qDim, int kvDim,
                int ffnWidth, int expertWidth, int experts, int topK) {
    }

    /** Sets the rows of a pass: {@code count} consecutive tokens of one sequence starting at its position. */
    void rowsOf(SequenceState state, int count) {
        for (int t = 0; t < count; t++) {
            rowState[t] = state;
            rowPos[t] = state.position + t;
        }
    }

    Workspace(Dims d) {
        this.d = d;
        this.convOut = new float[0];
        this.routerLogits = new float[Math.max(d.experts, 1)];
        this.topExperts = new int[Math.max(d.topK, 1)];
        this.topWeights = new float[Math.max(d.topK, 1)];
        this.picked = new boolean[Math.max(d.experts, 1)];
        int kvHeads = d.heads == 0 ? 0 : d.kvDim / (d.qDim / d.heads);
        this.attention = new AttentionScratch[kvHeads];
        for (int h = 0; h < kvHeads; h++) {
            attention[h] = new AttentionScratch(d.heads / kvHeads, d.qDim / d.heads);
        }
    }

    /** Sizes the mixture-of-experts buffers for {@code tokens} rows routed to {@code topK} experts each. */
    void ensureMoe(int tokens, int topK, int width) {
        if (slotHidden.length < topK) {
            slotHidden = new float[topK][2 * width];
            slotOut = new float[topK][d.hidden];
        }
        if (slotScratch.length < topK + 1) {
            slotScratch = new MatmulScratch[topK + 1];
            for (int j = 0; j <= topK; j++) {
                slotScratch[j] = new MatmulScratch();
            }
        }
        if (routedExperts.length < tokens * topK) {
            routedExperts = new int[tokens * topK];
            routedWeights = new float[tokens * topK];
        }
        if (groupRows.length < tokens) {
            groupRows = new int[tokens];
            groupWeights = new float[tokens];
            groupIn = new float[tokens * d.hidden];
            groupHidden = new float[tokens * 2 * width];
            groupOut = new float[tokens * d.hidden];
        }
    }

    /**
     * Makes every per-token buffer hold {@code tokens} rows and the attention scratch fit a pass whose rows see
     * at most {@code contextLength} positions.
     */
    void ensure(int tokens, int contextLength) {
        this.tokens = tokens;
        this.contextLength = contextLength;
        if (rowState.length < tokens) {
            rowState = new SequenceState[tokens];
            rowPos = new int[tokens];
        }
        if (hidden.length < tokens * d.hidden) {
            hidden = new float[tokens * d.hidden];
            normed = new float[tokens * d.hidden];
            branch = new float[tokens * d.hidden];
            sharedOut = new float[tokens * d.hidden];
            mambaProj = new float[tokens * d.mambaProj];
            mambaGated = new float[tokens * d.mambaInner];
            q = new float[tokens * d.qDim];
            context = new float[tokens * d.qDim];
            k = new float[tokens * d.kvDim];
            v = new float[tokens * d.kvDim];
            ffnHidden = new float[tokens * 2 * d.ffnWidth];
            ffnAct = new float[tokens * d.ffnWidth];
        }
        if (convOut.length < tokens * d.convDim) {
            convOut = new float[tokens * d.convDim];
        }
        for (AttentionScratch scratch : attention) {
            scratch.ensure(tokens, contextLength);
        }
    }
}
