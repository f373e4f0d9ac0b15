package dev.granitej.kernels;

import jdk.incubator.vector.FloatVector;

/**
 * One query head attending to {@code len} cached positions of one KV head:
 * {@code out = Σ_j softmax_j(scale·q·k_j)·v_j}. Keys and values are rows of a cache with
 * {@code stride} floats between positions, this head's slice starting at {@code kvOff}.
 */
public final class AttentionKernel {

    private AttentionKernel() {
    }

    /** Writes {@code out[outOff .. outOff+headDim)}; {@code scores} (at least {@code len}) is caller scratch. */
    public static void attend(float[] q, int qOff, float[] keys, float[] values, int kvOff, int stride, int len,
                              int headDim, float scale, float[] scores, float[] out, int outOff) {
        if (Kernels.VECTOR) {
            attendVector(q, qOff, keys, values, kvOff, stride, len, headDim, scale, scores, out, outOff);
        } else {
            attendScalar(q, qOff, keys, values, kvOff, stride, len, headDim, scale, scores, out, outOff);
        }
    }

    /** The Vector API kernel: the same three passes with vectorised dot, softmax and axpy. */
    static void attendVector(float[] q, int qOff, float[] keys, float[] values, int kvOff, int stride, int len,
                             int headDim, float scale, float[] scores, float[] out, int outOff) {
        for (int j = 0; j < len; j++) {
            scores[j] = VectorVec.dot(q, qOff, keys, j * stride + kvOff, headDim) * scale;
        }
        VectorVec.softmax(scores, 0, len);
        java.util.Arrays.fill(out, outOff, outOff + headDim, 0f);
        for (int j = 0; j < len; j++) {
            VectorVec.axpy(out, outOff, scores[j], values, j * stride + kvOff, headDim);
        }
    }

    /**
     * Positions per key block of {@link #attendBlocked}: one vector of floats. A key cache in blocked layout holds,
     * for each block of this many positions and each KV head, the keys dimension-major:
     * {@code keys[((block·kvHeads + head)·headDim + d)·KEY_BLOCK + lane]} is dimension d of position
     * {@code block·KEY_BLOCK + lane}. Blocks are appended at the end, so the cache grows by copying a prefix.
     */
    public static final int KEY_BLOCK = Simd.LANES;

    /** Index of dimension 0 of position {@code pos}, KV head {@code head}, in a blocked key cache. */
    public static int blockedKeyIndex(int pos, int head, int kvHeads, int headDim) {
        return ((pos / KEY_BLOCK * kvHeads + head) * headDim) * KEY_BLOCK + pos % KEY_BLOCK;
    }

    /**
     * {@link #attend} over keys in the blocked layout (see {@link #KEY_BLOCK}): the scores of a whole block of
     * positions come from {@code headDim} vector FMAs, with no horizontal sum per position, which is what makes
     * long contexts cheap. Every position is computed alike (fused multiply-add over d in order, then times
     * {@code scale}), in the vector kernel and in its scalar twin, so the two agree bit for bit on the scores.
     * {@code scores} must hold {@code len} rounded up to a whole block; values are rows of {@code valueStride}
     * floats with this head's slice at {@code valueOff}.
     */
    public static void attendBlocked(float[] q, int qOff, float[] keys, int kvHeads, int head, float[] values,
                                     int valueStride, int valueOff, int len, int headDim, float scale,
                                     float[] scores, float[] out, int outOff) {
        int blocks = (len + KEY_BLOCK - 1) / KEY_BLOCK;
        if (Kernels.VECTOR) {
            for (int b = 0; b < blocks; b++) {
                int base = (b * kvHeads + head) * headDim * KEY_BLOCK;
                FloatVector acc = FloatVector.zero(Simd.F);
                for (int d = 0; d < headDim; d++) {
                    acc = FloatVector.fromArray(Simd.F, keys, base + d * KEY_BLOCK)
                            .fma(FloatVector.broadcast(Simd.F, q[qOff + d]), acc);
                }
                acc.mul(scale).intoArray(scores, b * KEY_BLOCK);
            }
            VectorVec.softmax(scores, 0, len);
            java.util.Arrays.fill(out, outOff, outOff + headDim, 0f);
            for (int j = 0; j < len; j++) {
                VectorVec.axpy(out, outOff, scores[j], values, j * valueStride + valueOff, headDim);
            }
        } else {
            attendBlockedScalar(q, qOff, keys, kvHeads, head, values, valueStride, valueOff, len, headDim, scale,
                    scores, out, outOff);
        }
    }

    /** The scalar twin of {@link #attendBlocked}. */
    public static void attendBlockedScalar(float[] q, int qOff, float[] keys, int kvHeads, int head, float[] values,
                                           int valueStride, int valueOff, int len, int headDim, float scale,
                                           float[] scores, float[] out, int outOff) {
        for (int j = 0; j < len; j++) {
            int base = blockedKeyIndex(j, head, kvHeads, headDim);
            float s = 0f;
            for (int d = 0; d < headDim; d++) {
                s = Math.fma(keys[base + d * KEY_BLOCK], q[qOff + d], s);
            }
            scores[j] = s * scale;
        }
        ScalarVec.softmax(scores, 0, len);
        java.util.Arrays.fill(out, outOff, outOff + headDim, 0f);
        for (int j = 0; j < len; j++) {
            ScalarVec.axpy(out, outOff, scores[j], values, j * valueStride + valueOff, headDim);
        }
    }

    /** The scalar twin of {@link #attend}. */
    public static void attendScalar(float[] q, int qOff, float[] keys, float[] values, int kvOff, int stride,
                                    int len, int headDim, float scale, float[] scores, float[] out, int outOff) {
        for (int j = 0; j < len; j++) {
            scores[j] = ScalarVec.dot(q, qOff, keys, j * stride + kvOff, headDim) * scale;
        }
        ScalarVec.softmax(scores, 0, len);
        java.util.Arrays.fill(out, outOff, outOff + headDim, 0f);
        for (int j = 0; j < len; j++) {
            ScalarVec.axpy(out, outOff, scores[j], values, j * stride + kvOff, headDim);
        }
    }
}
