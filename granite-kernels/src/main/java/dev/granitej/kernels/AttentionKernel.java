package dev.granitej.kernels;

import jdk.incubator.vector.FloatVector;

/**
 * Query heads attending to the cached positions of one KV head: {@code out = Σ_j softmax_j(scale·q·k_j)·v_j}.
 * Keys are in the blocked layout of {@link #KEY_BLOCK}; values are rows of {@code valueStride} floats per
 * position, this head's slice at {@code valueOff}.
 */
public final class AttentionKernel {

    private AttentionKernel() {
    }

    /**
     * Positions per key block: one vector of floats. A key cache in blocked layout holds,
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
     * Index of dimension 0 of position {@code pos}, KV head {@code head}, in a blocked value cache (the layout of
     * a float16 cache's values): per block of {@link #KEY_BLOCK} positions and KV head, the positions' rows of
     * {@code headDim} values one after another, so a tile of one head's values is widened in whole blocks.
     */
    public static int blockedValueIndex(int pos, int head, int kvHeads, int headDim) {
        return ((pos / KEY_BLOCK * kvHeads + head) * KEY_BLOCK + pos % KEY_BLOCK) * headDim;
    }

    /**
     * Positions per tile of the value pass of {@link #attendRows}: the values of a tile stay in cache while every
     * row of the call accumulates them.
     */
    private static final int VALUE_TILE = 256;

    /**
     * {@code n} query rows that share one KV head (the query heads of a group, and in a prompt several tokens):
     * row {@code r} has its query at {@code qOffs[r]}, sees the first {@code lens[r]} positions and writes
     * {@code out[outOffs[r] .. + headDim)}. Each key block and value row is read from memory once for all rows
     * instead of once per row, which is what grouped-query attention over a long context is bound by. Every row
     * gets bit for bit what it gets in a call of its own: scores by {@code headDim} fused multiply-adds per key
     * block (no horizontal sum per position), softmax, then values accumulated in position order.
     * {@code scores} holds row r's scores at {@code r·scoreStride}; {@code scoreStride} must be at least the
     * longest {@code lens[r]} rounded up to a whole block.
     */
    public static void attendRows(float[] q, int[] qOffs, int[] lens, int[] outOffs, int n, float[] keys,
                                  int kvHeads, int head, float[] values, int valueStride, int valueOff,
                                  int headDim, float scale, float[] scores, int scoreStride, float[] out) {
        if (!Kernels.VECTOR) {
            for (int r = 0; r < n; r++) {
                attendBlockedScalar(q, qOffs[r], keys, kvHeads, head, values, valueStride, valueOff, lens[r],
                        headDim, scale, scores, out, outOffs[r]);
            }
            return;
        }
        attendVector(q, qOffs, lens, outOffs, n, keys, null, kvHeads, head, values, null, valueStride, valueOff,
                headDim, scale, scores, scoreStride, out, null);
    }

    /**
     * Positions per tile of the value pass over a float16 cache: the tile is widened into the caller's scratch
     * ({@link #halfScratchFloats}), which should stay in the core's caches.
     */
    private static final int HALF_VALUE_TILE = 64;

    /** Floats of the scratch that {@link #attendRows(float[], int[], int[], int[], int, short[], int, int, short[],
     * int, int, int, float, float[], int, float[], float[]) attendRows} over a float16 cache widens into. */
    public static int halfScratchFloats(int headDim) {
        return Math.max(headDim * KEY_BLOCK, HALF_VALUE_TILE * headDim);
    }

    /**
     * {@link #attendRows(float[], int[], int[], int[], int, float[], int, int, float[], int, int, int, float,
     * float[], int, float[]) attendRows} over a float16 cache ({@link HalfFloats} bits; keys blocked as there,
     * values in the blocked layout of {@link #blockedValueIndex}): each key block and tile of value rows is widened
     * into {@code widened} ({@link #halfScratchFloats} floats) and run through the float kernel, so every row gets
     * bit for bit what the float kernel gives on the widened cache, while memory traffic, what attention over a
     * long context is bound by, is halved.
     */
    public static void attendRows(float[] q, int[] qOffs, int[] lens, int[] outOffs, int n, short[] keys,
                                  int kvHeads, int head, short[] values, int headDim, float scale, float[] scores,
                                  int scoreStride, float[] out, float[] widened) {
        if (!Kernels.VECTOR) {
            for (int r = 0; r < n; r++) {
                attendHalfScalar(q, qOffs[r], keys, kvHeads, head, values, lens[r], headDim, scale, scores, out,
                        outOffs[r]);
            }
            return;
        }
        attendVector(q, qOffs, lens, outOffs, n, null, keys, kvHeads, head, null, values, 0, 0, headDim, scale,
                scores, scoreStride, out, widened);
    }

    /**
     * Both caches' vector kernel: float keys and values are read in place; float16 ones ({@code halfKeys},
     * {@code halfValues} non-null) are widened block by block and tile by tile into {@code widened} first.
     */
    private static void attendVector(float[] q, int[] qOffs, int[] lens, int[] outOffs, int n, float[] keys,
                                     short[] halfKeys, int kvHeads, int head, float[] values, short[] halfValues,
                                     int valueStride, int valueOff, int headDim, float scale, float[] scores,
                                     int scoreStride, float[] out, float[] widened) {
        int maxLen = 0;
        for (int r = 0; r < n; r++) {
            maxLen = Math.max(maxLen, lens[r]);
        }
        int blocks = (maxLen + KEY_BLOCK - 1) / KEY_BLOCK;
        int blockFloats = headDim * KEY_BLOCK;
        for (int b = 0; b < blocks; b++) {
            int base = (b * kvHeads + head) * blockFloats;
            float[] k = keys;
            if (halfKeys != null) {
                HalfFloats.widen(halfKeys, base, widened, 0, blockFloats);
                k = widened;
                base = 0;
            }
            for (int r = 0; r < n; r += 4) {
                scoreBlock(q, qOffs, lens, n, r, k, base, headDim, scale, scores, scoreStride, b);
            }
        }
        for (int r = 0; r < n; r++) {
            VectorVec.softmax(scores, r * scoreStride, lens[r]);
            java.util.Arrays.fill(out, outOffs[r], outOffs[r] + headDim, 0f);
        }
        int tile = halfValues != null ? HALF_VALUE_TILE : VALUE_TILE;
        for (int j0 = 0; j0 < maxLen; j0 += tile) {
            int j1 = Math.min(maxLen, j0 + tile);
            float[] v = values;
            int vStride = valueStride;
            int vOff = valueOff;
            if (halfValues != null) {
                // the tile's rows of this head, block by block: position j at (j - j0)·headDim
                for (int b0 = j0; b0 < j1; b0 += KEY_BLOCK) {
                    HalfFloats.widen(halfValues, blockedValueIndex(b0, head, kvHeads, headDim), widened,
                            (b0 - j0) * headDim, Math.min(KEY_BLOCK, j1 - b0) * headDim);
                }
                v = widened;
                vStride = headDim;
                vOff = -j0 * headDim;
            }
            int r = 0;
            for (; r + 4 <= n; r += 4) {
                int common = Math.min(Math.min(lens[r], lens[r + 1]), Math.min(lens[r + 2], lens[r + 3]));
                int shared = Math.max(j0, Math.min(j1, common));
                accumulate4(v, vStride, vOff, headDim, scores, scoreStride, r, out, outOffs, j0, shared);
                for (int i = r; i < r + 4; i++) {
                    accumulate1(v, vStride, vOff, headDim, scores, i * scoreStride, out, outOffs[i], shared,
                            Math.min(j1, lens[i]));
                }
            }
            for (; r < n; r++) {
                accumulate1(v, vStride, vOff, headDim, scores, r * scoreStride, out, outOffs[r], j0,
                        Math.min(j1, lens[r]));
            }
        }
    }

    /**
     * Scores key block {@code b} for rows {@code r .. r+3} (fewer at the end: the missing rows repeat the last
     * one and are not stored), each key vector loaded once for the four rows. Rows that cannot see the block
     * are skipped.
     */
    private static void scoreBlock(float[] q, int[] qOffs, int[] lens, int n, int r, float[] keys, int base,
                                   int headDim, float scale, float[] scores, int scoreStride, int b) {
        int last = n - 1;
        int r1 = Math.min(r + 1, last);
        int r2 = Math.min(r + 2, last);
        int r3 = Math.min(r + 3, last);
        int first = b * KEY_BLOCK;
        if (lens[r] <= first && lens[r1] <= first && lens[r2] <= first && lens[r3] <= first) {
            return;
        }
        int q0 = qOffs[r];
        int q1 = qOffs[r1];
        int q2 = qOffs[r2];
        int q3 = qOffs[r3];
        FloatVector a0 = FloatVector.zero(Simd.F);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (int d = 0; d < headDim; d++) {
            FloatVector k = FloatVector.fromArray(Simd.F, keys, base + d * KEY_BLOCK);
            a0 = k.fma(FloatVector.broadcast(Simd.F, q[q0 + d]), a0);
            a1 = k.fma(FloatVector.broadcast(Simd.F, q[q1 + d]), a1);
            a2 = k.fma(FloatVector.broadcast(Simd.F, q[q2 + d]), a2);
            a3 = k.fma(FloatVector.broadcast(Simd.F, q[q3 + d]), a3);
        }
        a0.mul(scale).intoArray(scores, r * scoreStride + first);
        if (r + 1 <= last) {
            a1.mul(scale).intoArray(scores, (r + 1) * scoreStride + first);
        }
        if (r + 2 <= last) {
            a2.mul(scale).intoArray(scores, (r + 2) * scoreStride + first);
        }
        if (r + 3 <= last) {
            a3.mul(scale).intoArray(scores, (r + 3) * scoreStride + first);
        }
    }

    /**
     * Rows {@code r .. r+3} accumulate positions {@code j0 .. j1}: per slice of {@code LANES} dimensions, the
     * four outputs stay in registers while the value slices stream past, each loaded once. The per-lane sequence
     * of fused multiply-adds is that of {@code VectorVec.axpy}, the tail dimensions that of its scalar tail.
     */
    private static void accumulate4(float[] values, int valueStride, int valueOff, int headDim, float[] scores,
                                    int scoreStride, int r, float[] out, int[] outOffs, int j0, int j1) {
        if (j1 <= j0) {
            return;
        }
        int s0 = r * scoreStride;
        int s1 = s0 + scoreStride;
        int s2 = s1 + scoreStride;
        int s3 = s2 + scoreStride;
        int o0 = outOffs[r];
        int o1 = outOffs[r + 1];
        int o2 = outOffs[r + 2];
        int o3 = outOffs[r + 3];
        int d = 0;
        for (; d <= headDim - Simd.LANES; d += Simd.LANES) {
            FloatVector a0 = FloatVector.fromArray(Simd.F, out, o0 + d);
            FloatVector a1 = FloatVector.fromArray(Simd.F, out, o1 + d);
            FloatVector a2 = FloatVector.fromArray(Simd.F, out, o2 + d);
            FloatVector a3 = FloatVector.fromArray(Simd.F, out, o3 + d);
            for (int j = j0; j < j1; j++) {
                FloatVector v = FloatVector.fromArray(Simd.F, values, j * valueStride + valueOff + d);
                a0 = v.fma(FloatVector.broadcast(Simd.F, scores[s0 + j]), a0);
                a1 = v.fma(FloatVector.broadcast(Simd.F, scores[s1 + j]), a1);
                a2 = v.fma(FloatVector.broadcast(Simd.F, scores[s2 + j]), a2);
                a3 = v.fma(FloatVector.broadcast(Simd.F, scores[s3 + j]), a3);
            }
            a0.intoArray(out, o0 + d);
            a1.intoArray(out, o1 + d);
            a2.intoArray(out, o2 + d);
            a3.intoArray(out, o3 + d);
        }
        if (d < headDim) {
            for (int i = 0; i < 4; i++) {
                accumulateTail(values, valueStride, valueOff + d, headDim - d, scores, (r + i) * scoreStride, out,
                        outOffs[r + i] + d, j0, j1);
            }
        }
    }

    /** One row accumulates positions {@code j0 .. j1}, as {@code VectorVec.axpy} would. */
    private static void accumulate1(float[] values, int valueStride, int valueOff, int headDim, float[] scores,
                                    int s, float[] out, int o, int j0, int j1) {
        if (j1 <= j0) {
            return;
        }
        int d = 0;
        for (; d <= headDim - Simd.LANES; d += Simd.LANES) {
            FloatVector a = FloatVector.fromArray(Simd.F, out, o + d);
            for (int j = j0; j < j1; j++) {
                a = FloatVector.fromArray(Simd.F, values, j * valueStride + valueOff + d)
                        .fma(FloatVector.broadcast(Simd.F, scores[s + j]), a);
            }
            a.intoArray(out, o + d);
        }
        if (d < headDim) {
            accumulateTail(values, valueStride, valueOff + d, headDim - d, scores, s, out, o + d, j0, j1);
        }
    }

    private static void accumulateTail(float[] values, int valueStride, int valueOff, int width, float[] scores,
                                       int s, float[] out, int o, int j0, int j1) {
        for (int j = j0; j < j1; j++) {
            float p = scores[s + j];
            int v = j * valueStride + valueOff;
            for (int i = 0; i < width; i++) {
                out[o + i] += p * values[v + i];
            }
        }
    }

    /**
     * The scalar twin of {@link #attendRows} for one row (the same fused multiply-add order for the scores, so
     * the two agree bit for bit on them); {@code scores} holds at least {@code len} floats.
     */
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

    /**
     * {@link #attendBlockedScalar} over a float16 cache (values in the layout of {@link #blockedValueIndex}): each
     * key and value widened as it is read.
     */
    public static void attendHalfScalar(float[] q, int qOff, short[] keys, int kvHeads, int head, short[] values,
                                        int len, int headDim, float scale, float[] scores, float[] out, int outOff) {
        for (int j = 0; j < len; j++) {
            int base = blockedKeyIndex(j, head, kvHeads, headDim);
            float s = 0f;
            for (int d = 0; d < headDim; d++) {
                s = Math.fma(Float.float16ToFloat(keys[base + d * KEY_BLOCK]), q[qOff + d], s);
            }
            scores[j] = s * scale;
        }
        ScalarVec.softmax(scores, 0, len);
        java.util.Arrays.fill(out, outOff, outOff + headDim, 0f);
        for (int j = 0; j < len; j++) {
            float p = scores[j];
            int v = blockedValueIndex(j, head, kvHeads, headDim);
            for (int i = 0; i < headDim; i++) {
                out[outOff + i] += p * Float.float16ToFloat(values[v + i]);
            }
        }
    }
}
