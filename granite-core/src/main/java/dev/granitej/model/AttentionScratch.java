package dev.granitej.model;

import dev.granitej.kernels.AttentionKernel;

/**
 * Scratch for the query rows that attend to one KV head in one kernel call: the query heads of its group for a
 * block of tokens. Each KV head has its own, so KV heads can run in parallel. Owned by a {@link Workspace}.
 */
final class AttentionScratch {

    /**
     * Scores one call may hold (floats). A prompt chunk groups as many tokens as fit, so a long context is read
     * once per block of tokens instead of once per token, without the buffer growing with context × chunk.
     */
    private static final int SCORE_BUDGET = 1 << 20;
    /** Most tokens grouped in one call (beyond this the keys of a short context already stay in cache). */
    static final int MAX_TOKENS = 16;

    private final int group;
    int[] qOffs;
    int[] lens;
    int[] outOffs;
    float[] scores = new float[0];
    /**
     * Where a float16 or 8-bit cache's key blocks and value tiles are widened
     * ({@link AttentionKernel#widenedScratchFloats}).
     */
    final float[] widened;

    AttentionScratch(int group, int headDim) {
        this.group = group;
        this.widened = new float[AttentionKernel.widenedScratchFloats(headDim)];
        this.qOffs = new int[MAX_TOKENS * group];
        this.lens = new int[MAX_TOKENS * group];
        this.outOffs = new int[MAX_TOKENS * group];
    }

    /** Score row stride for a context of {@code contextLength} positions: whole key blocks. */
    static int scoreStride(int contextLength) {
        int b = AttentionKernel.KEY_BLOCK;
        return (contextLength + b - 1) / b * b;
    }

    /** Tokens of one sequence grouped per call in a pass of {@code tokens} rows at this context length. */
    int tokensPerCall(int tokens, int contextLength) {
        int rows = SCORE_BUDGET / scoreStride(Math.max(contextLength, 1));
        return Math.max(1, Math.min(Math.min(MAX_TOKENS, tokens), rows / group));
    }

    /**
     * Makes the score buffer hold a full call of a pass of {@code tokens} rows at {@code contextLength}. A
     * decode step (one row) gives back what a prompt chunk grew: the buffer belongs to a session, and idle
     * sessions should hold their state, not a prompt's scratch.
     */
    void ensure(int tokens, int contextLength) {
        int need = tokensPerCall(tokens, contextLength) * group * scoreStride(contextLength);
        // slack for a few hundred more positions, so decode does not reallocate every key block
        int roomy = need + group * 512;
        if (scores.length < need || (tokens == 1 && scores.length > 2 * roomy)) {
            scores = new float[tokens == 1 ? roomy : Math.max(need, Math.min(2 * scores.length, SCORE_BUDGET))];
        }
    }
}
