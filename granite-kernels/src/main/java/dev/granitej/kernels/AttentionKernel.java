package dev.granitej.kernels;

import jdk.incubator.vector.FloatVector;

/**
 * Query heads attending to the cached positions of one KV head: {@code out = Σ_j softmax_j(scale·q·k_j)·v_j}.
 * The head's keys are in the blocked layout of {@link #KEY_BLOCK} from {@code keyOff}; its values are rows of
 * {@code valueStride} floats per position from {@code valueOff}. A cache keeps each head's keys and values in
 * one run of memory of their own, so a decode step streams them front to back (heads interleaved block by block
 * made the hardware prefetcher restart at every block: 1.3–1.45× slower at 32K positions).
 */
public final class AttentionKernel {

    private AttentionKernel() {
    }

    /**
     * Positions per key block: one vector of floats. One head's keys in blocked layout hold, for each block of
     * this many positions, the keys dimension-major: {@code keys[(block·headDim + d)·KEY_BLOCK + lane]} is
     * dimension d of position {@code block·KEY_BLOCK + lane}, so a block scores {@code KEY_BLOCK} positions with
     * no horizontal sum.
     */
    public static final int KEY_BLOCK = Simd.LANES;

    /** Index of dimension 0 of position {@code pos} in one head's blocked keys (the head's keys from index 0). */
    public static int blockedKeyIndex(int pos, int headDim) {
        return pos / KEY_BLOCK * KEY_BLOCK * headDim + pos % KEY_BLOCK;
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
                                  int keyOff, float[] values, int valueStride, int valueOff, int headDim,
                                  float scale, float[] scores, int scoreStride, float[] out) {
        if (!Kernels.VECTOR) {
            for (int r = 0; r < n; r++) {
                attendBlockedScalar(q, qOffs[r], keys, keyOff, values, valueStride, valueOff, lens[r], headDim,
                        scale, scores, out, outOffs[r]);
            }
            return;
        }
        attendVector(q, qOffs, lens, outOffs, n, keys, null, keyOff, values, null, valueStride, valueOff,
                headDim, scale, scores, scoreStride, out, null);
    }

    /**
     * Floats per tile of the value pass over a float16 or 8-bit cache (16 KiB): the tile is widened into the
     * caller's scratch ({@link #widenedScratchFloats}), which should stay in L1 beside the rows' outputs and
     * scores. For a 128-wide head (h-tiny, h-1b) that is 32 positions, which read h-tiny's float16 cache at 32K
     * 1.08–1.15× as fast as 64 positions (32 KiB of a 48 KiB L1); 16 positions were no better and 8 slower.
     */
    private static final int WIDENED_VALUE_FLOATS = 4096;

    /** Positions per tile of the value pass over a widened cache with heads of {@code headDim}. */
    private static int widenedValueTile(int headDim) {
        return Math.max(1, WIDENED_VALUE_FLOATS / headDim);
    }

    /** Floats of the scratch that {@code attendRows} over a float16 or 8-bit cache widens into. */
    public static int widenedScratchFloats(int headDim) {
        return Math.max(2 * headDim * KEY_BLOCK, widenedValueTile(headDim) * headDim);
    }

    /**
     * {@link #attendRows(float[], int[], int[], int[], int, float[], int, float[], int, int, int, float,
     * float[], int, float[]) attendRows} over a float16 cache ({@link HalfFloats} bits; keys blocked as there from
     * {@code keyOff}, values rows of {@code headDim} from {@code valueOff}): each pair of key blocks and tile of
     * value rows is widened into {@code widened} ({@link #widenedScratchFloats} floats) and run through the float
     * kernel, so every row gets bit for bit what the float kernel gives on the widened cache, while memory
     * traffic, what attention over a long context is bound by, is halved.
     */
    public static void attendRows(float[] q, int[] qOffs, int[] lens, int[] outOffs, int n, short[] keys,
                                  int keyOff, short[] values, int valueOff, int headDim, float scale,
                                  float[] scores, int scoreStride, float[] out, float[] widened) {
        if (!Kernels.VECTOR) {
            for (int r = 0; r < n; r++) {
                attendHalfScalar(q, qOffs[r], keys, keyOff, values, valueOff, lens[r], headDim, scale, scores, out,
                        outOffs[r]);
            }
            return;
        }
        attendVector(q, qOffs, lens, outOffs, n, keys, null, keyOff, values, null, headDim, valueOff, headDim,
                scale, scores, scoreStride, out, widened);
    }

    /**
     * {@link #attendRows(float[], int[], int[], int[], int, short[], int, short[], int, int, float, float[], int,
     * float[], float[]) attendRows} over an 8-bit cache ({@link Q8KvBlocks}: codes and scales, keys blocked from
     * {@code keyOff}, values rows of {@code headDim} from {@code valueOff}): every row gets bit for bit what the
     * float kernel gives on the dequantized cache, from 9/32 of its bytes.
     */
    public static void attendRows(float[] q, int[] qOffs, int[] lens, int[] outOffs, int n, byte[] keys,
                                  float[] keyScales, int keyOff, byte[] values, float[] valueScales, int valueOff,
                                  int headDim, float scale, float[] scores, int scoreStride, float[] out,
                                  float[] widened) {
        if (!Kernels.VECTOR) {
            for (int r = 0; r < n; r++) {
                attendQ8Scalar(q, qOffs[r], keys, keyScales, keyOff, values, valueScales, valueOff, lens[r],
                        headDim, scale, scores, out, outOffs[r]);
            }
            return;
        }
        attendVector(q, qOffs, lens, outOffs, n, keys, keyScales, keyOff, values, valueScales, headDim, valueOff,
                headDim, scale, scores, scoreStride, out, widened);
    }

    /**
     * Every cache's vector kernel: float keys and values ({@code float[]}) are read in place; float16 ones
     * ({@code short[]}) and 8-bit ones ({@code byte[]} codes with their {@code keyScales}, {@code valueScales})
     * are widened block by block and tile by tile into {@code widened} first.
     */
    private static void attendVector(float[] q, int[] qOffs, int[] lens, int[] outOffs, int n, Object keys,
                                     float[] keyScales, int keyOff, Object values, float[] valueScales,
                                     int valueStride, int valueOff, int headDim, float scale, float[] scores,
                                     int scoreStride, float[] out, float[] widened) {
        int maxLen = 0;
        for (int r = 0; r < n; r++) {
            maxLen = Math.max(maxLen, lens[r]);
        }
        int blocks = (maxLen + KEY_BLOCK - 1) / KEY_BLOCK;
        int blockFloats = headDim * KEY_BLOCK;
        // two blocks at a time: four rows' fma chains over headDim alone would wait on the fma latency
        for (int b = 0; b < blocks; b += 2) {
            boolean pair = b + 1 < blocks;
            int base = keyOff + b * blockFloats;
            int next = pair ? base + blockFloats : base;
            float[] k;
            if (keys instanceof float[] f) {
                k = f;
            } else {
                if (keys instanceof short[] h) {
                    HalfFloats.widen(h, base, widened, 0, pair ? 2 * blockFloats : blockFloats);
                } else {
                    Q8KvBlocks.widenKeyBlocks((byte[]) keys, base, keyScales, pair ? 2 : 1, headDim, widened);
                }
                k = widened;
                next -= base;
                base = 0;
            }
            for (int r = 0; r < n; r += 4) {
                if (n - r <= 3) {
                    // a group of three query heads per KV head (every Granite 4.0 model) lands here at decode
                    scoreBlocks3(q, qOffs, lens, n, r, k, base, next, pair, headDim, scale, scores, scoreStride, b);
                } else {
                    scoreBlocks(q, qOffs, lens, r, k, base, next, pair, headDim, scale, scores, scoreStride, b);
                }
            }
        }
        for (int r = 0; r < n; r++) {
            VectorVec.softmax(scores, r * scoreStride, lens[r]);
            java.util.Arrays.fill(out, outOffs[r], outOffs[r] + headDim, 0f);
        }
        int tile = values instanceof float[] ? VALUE_TILE : widenedValueTile(headDim);
        for (int j0 = 0; j0 < maxLen; j0 += tile) {
            int j1 = Math.min(maxLen, j0 + tile);
            float[] v;
            int vStride = valueStride;
            int vOff = valueOff;
            if (values instanceof float[] f) {
                v = f;
            } else {
                // the tile's rows: position j at (j - j0)·headDim
                int from = valueOff + j0 * headDim;
                if (values instanceof short[] h) {
                    HalfFloats.widen(h, from, widened, 0, (j1 - j0) * headDim);
                } else {
                    Q8KvBlocks.widenRows((byte[]) values, from, valueScales, j1 - j0, headDim, widened);
                }
                v = widened;
                vStride = headDim;
                vOff = -j0 * headDim;
            }
            for (int r = 0; r < n; r += 4) {
                int last = n - 1;
                if (r == last) {
                    accumulate1(v, vStride, vOff, headDim, scores, r * scoreStride, out, outOffs[r], j0,
                            Math.min(j1, lens[r]));
                    break;
                }
                int r1 = Math.min(r + 1, last);
                int r2 = Math.min(r + 2, last);
                int r3 = Math.min(r + 3, last);
                int common = Math.min(Math.min(lens[r], lens[r1]), Math.min(lens[r2], lens[r3]));
                int shared = Math.max(j0, Math.min(j1, common));
                if (n - r <= 3) {
                    accumulate3(v, vStride, vOff, headDim, scores, scoreStride, r, r1, r2, out, outOffs, j0,
                            shared);
                } else {
                    accumulate4(v, vStride, vOff, headDim, scores, scoreStride, r, r1, r2, r3, out, outOffs, j0,
                            shared);
                }
                for (int i = r; i <= r3; i++) {
                    accumulate1(v, vStride, vOff, headDim, scores, i * scoreStride, out, outOffs[i], shared,
                            Math.min(j1, lens[i]));
                }
            }
        }
    }

    /**
     * Scores key blocks {@code b} (at {@code base}) and, when {@code pair}, {@code b + 1} (at {@code next}) for
     * rows {@code r .. r+3} (all four present: fewer left over go to {@link #scoreBlocks3}), each key vector
     * loaded once for the four rows: eight independent fma chains keep the multiply-add units busy where four
     * would wait on each other. Rows that cannot see block {@code b} are skipped. Without {@code pair}
     * ({@code next} then repeats {@code base}) only block {@code b}'s scores are stored.
     */
    private static void scoreBlocks(float[] q, int[] qOffs, int[] lens, int r, float[] keys, int base, int next,
                                    boolean pair, int headDim, float scale, float[] scores, int scoreStride, int b) {
        int first = b * KEY_BLOCK;
        if (lens[r] <= first && lens[r + 1] <= first && lens[r + 2] <= first && lens[r + 3] <= first) {
            return;
        }
        int q0 = qOffs[r];
        int q1 = qOffs[r + 1];
        int q2 = qOffs[r + 2];
        int q3 = qOffs[r + 3];
        FloatVector a0 = FloatVector.zero(Simd.F);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        FloatVector c0 = a0;
        FloatVector c1 = a0;
        FloatVector c2 = a0;
        FloatVector c3 = a0;
        for (int d = 0; d < headDim; d++) {
            FloatVector k = FloatVector.fromArray(Simd.F, keys, base + d * KEY_BLOCK);
            FloatVector l = FloatVector.fromArray(Simd.F, keys, next + d * KEY_BLOCK);
            FloatVector x = FloatVector.broadcast(Simd.F, q[q0 + d]);
            a0 = k.fma(x, a0);
            c0 = l.fma(x, c0);
            x = FloatVector.broadcast(Simd.F, q[q1 + d]);
            a1 = k.fma(x, a1);
            c1 = l.fma(x, c1);
            x = FloatVector.broadcast(Simd.F, q[q2 + d]);
            a2 = k.fma(x, a2);
            c2 = l.fma(x, c2);
            x = FloatVector.broadcast(Simd.F, q[q3 + d]);
            a3 = k.fma(x, a3);
            c3 = l.fma(x, c3);
        }
        int s = r * scoreStride + first;
        a0.mul(scale).intoArray(scores, s);
        a1.mul(scale).intoArray(scores, s + scoreStride);
        a2.mul(scale).intoArray(scores, s + 2 * scoreStride);
        a3.mul(scale).intoArray(scores, s + 3 * scoreStride);
        if (pair) {
            c0.mul(scale).intoArray(scores, s + KEY_BLOCK);
            c1.mul(scale).intoArray(scores, s + scoreStride + KEY_BLOCK);
            c2.mul(scale).intoArray(scores, s + 2 * scoreStride + KEY_BLOCK);
            c3.mul(scale).intoArray(scores, s + 3 * scoreStride + KEY_BLOCK);
        }
    }

    /**
     * {@link #scoreBlocks} for the last one to three rows from {@code r} (missing rows repeat the last one and are
     * not stored):
     * six fma chains instead of eight, none of them a copy. Each row's chain is the one {@link #scoreBlocks}
     * builds, so its scores are the same bit for bit.
     */
    private static void scoreBlocks3(float[] q, int[] qOffs, int[] lens, int n, int r, float[] keys, int base,
                                     int next, boolean pair, int headDim, float scale, float[] scores,
                                     int scoreStride, int b) {
        int last = n - 1;
        int r1 = Math.min(r + 1, last);
        int r2 = Math.min(r + 2, last);
        int first = b * KEY_BLOCK;
        if (lens[r] <= first && lens[r1] <= first && lens[r2] <= first) {
            return;
        }
        int q0 = qOffs[r];
        int q1 = qOffs[r1];
        int q2 = qOffs[r2];
        FloatVector a0 = FloatVector.zero(Simd.F);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector c0 = a0;
        FloatVector c1 = a0;
        FloatVector c2 = a0;
        for (int d = 0; d < headDim; d++) {
            FloatVector k = FloatVector.fromArray(Simd.F, keys, base + d * KEY_BLOCK);
            FloatVector l = FloatVector.fromArray(Simd.F, keys, next + d * KEY_BLOCK);
            FloatVector x = FloatVector.broadcast(Simd.F, q[q0 + d]);
            a0 = k.fma(x, a0);
            c0 = l.fma(x, c0);
            x = FloatVector.broadcast(Simd.F, q[q1 + d]);
            a1 = k.fma(x, a1);
            c1 = l.fma(x, c1);
            x = FloatVector.broadcast(Simd.F, q[q2 + d]);
            a2 = k.fma(x, a2);
            c2 = l.fma(x, c2);
        }
        int s = r * scoreStride + first;
        a0.mul(scale).intoArray(scores, s);
        if (pair) {
            c0.mul(scale).intoArray(scores, s + KEY_BLOCK);
        }
        if (r + 1 <= last) {
            s += scoreStride;
            a1.mul(scale).intoArray(scores, s);
            if (pair) {
                c1.mul(scale).intoArray(scores, s + KEY_BLOCK);
            }
        }
        if (r + 2 <= last) {
            s += scoreStride;
            a2.mul(scale).intoArray(scores, s);
            if (pair) {
                c2.mul(scale).intoArray(scores, s + KEY_BLOCK);
            }
        }
    }

    /**
     * Rows {@code r0 .. r3} (four distinct rows: fewer left over go to {@link #accumulate3}) accumulate positions
     * {@code j0 .. j1}. Per pair of {@code LANES}-wide slices of dimensions, the eight outputs stay in registers
     * while the value slices stream past, each loaded once: eight independent fma chains, enough to keep the
     * multiply-add units busy. The per-lane sequence of fused multiply-adds is that of
     * {@code VectorVec.axpy}, the tail dimensions that of its scalar tail.
     */
    private static void accumulate4(float[] values, int valueStride, int valueOff, int headDim, float[] scores,
                                    int scoreStride, int r0, int r1, int r2, int r3, float[] out, int[] outOffs,
                                    int j0, int j1) {
        if (j1 <= j0) {
            return;
        }
        int s0 = r0 * scoreStride;
        int s1 = r1 * scoreStride;
        int s2 = r2 * scoreStride;
        int s3 = r3 * scoreStride;
        int o0 = outOffs[r0];
        int o1 = outOffs[r1];
        int o2 = outOffs[r2];
        int o3 = outOffs[r3];
        int lanes = Simd.LANES;
        int d = 0;
        for (; d <= headDim - 2 * lanes; d += 2 * lanes) {
            int e = d + lanes;
            FloatVector a0 = FloatVector.fromArray(Simd.F, out, o0 + d);
            FloatVector a1 = FloatVector.fromArray(Simd.F, out, o1 + d);
            FloatVector a2 = FloatVector.fromArray(Simd.F, out, o2 + d);
            FloatVector a3 = FloatVector.fromArray(Simd.F, out, o3 + d);
            FloatVector c0 = FloatVector.fromArray(Simd.F, out, o0 + e);
            FloatVector c1 = FloatVector.fromArray(Simd.F, out, o1 + e);
            FloatVector c2 = FloatVector.fromArray(Simd.F, out, o2 + e);
            FloatVector c3 = FloatVector.fromArray(Simd.F, out, o3 + e);
            for (int j = j0; j < j1; j++) {
                int at = j * valueStride + valueOff;
                FloatVector v = FloatVector.fromArray(Simd.F, values, at + d);
                FloatVector w = FloatVector.fromArray(Simd.F, values, at + e);
                FloatVector p = FloatVector.broadcast(Simd.F, scores[s0 + j]);
                a0 = v.fma(p, a0);
                c0 = w.fma(p, c0);
                p = FloatVector.broadcast(Simd.F, scores[s1 + j]);
                a1 = v.fma(p, a1);
                c1 = w.fma(p, c1);
                p = FloatVector.broadcast(Simd.F, scores[s2 + j]);
                a2 = v.fma(p, a2);
                c2 = w.fma(p, c2);
                p = FloatVector.broadcast(Simd.F, scores[s3 + j]);
                a3 = v.fma(p, a3);
                c3 = w.fma(p, c3);
            }
            a0.intoArray(out, o0 + d);
            c0.intoArray(out, o0 + e);
            a1.intoArray(out, o1 + d);
            c1.intoArray(out, o1 + e);
            a2.intoArray(out, o2 + d);
            c2.intoArray(out, o2 + e);
            a3.intoArray(out, o3 + d);
            c3.intoArray(out, o3 + e);
        }
        for (; d <= headDim - lanes; d += lanes) {
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
            // row by row: the tail accumulates in place
            for (int r = r0; r <= r3; r++) {
                accumulateTail(values, valueStride, valueOff + d, headDim - d, scores, r * scoreStride, out,
                        outOffs[r] + d, j0, j1);
            }
        }
    }

    /**
     * {@link #accumulate4} for three rows ({@code r2} may repeat {@code r1}): six fma chains, the same per-lane
     * sequence of fused multiply-adds per row, so the same outputs bit for bit.
     */
    private static void accumulate3(float[] values, int valueStride, int valueOff, int headDim, float[] scores,
                                    int scoreStride, int r0, int r1, int r2, float[] out, int[] outOffs,
                                    int j0, int j1) {
        if (j1 <= j0) {
            return;
        }
        int s0 = r0 * scoreStride;
        int s1 = r1 * scoreStride;
        int s2 = r2 * scoreStride;
        int o0 = outOffs[r0];
        int o1 = outOffs[r1];
        int o2 = outOffs[r2];
        int lanes = Simd.LANES;
        int d = 0;
        for (; d <= headDim - 2 * lanes; d += 2 * lanes) {
            int e = d + lanes;
            FloatVector a0 = FloatVector.fromArray(Simd.F, out, o0 + d);
            FloatVector a1 = FloatVector.fromArray(Simd.F, out, o1 + d);
            FloatVector a2 = FloatVector.fromArray(Simd.F, out, o2 + d);
            FloatVector c0 = FloatVector.fromArray(Simd.F, out, o0 + e);
            FloatVector c1 = FloatVector.fromArray(Simd.F, out, o1 + e);
            FloatVector c2 = FloatVector.fromArray(Simd.F, out, o2 + e);
            for (int j = j0; j < j1; j++) {
                int at = j * valueStride + valueOff;
                FloatVector v = FloatVector.fromArray(Simd.F, values, at + d);
                FloatVector w = FloatVector.fromArray(Simd.F, values, at + e);
                FloatVector p = FloatVector.broadcast(Simd.F, scores[s0 + j]);
                a0 = v.fma(p, a0);
                c0 = w.fma(p, c0);
                p = FloatVector.broadcast(Simd.F, scores[s1 + j]);
                a1 = v.fma(p, a1);
                c1 = w.fma(p, c1);
                p = FloatVector.broadcast(Simd.F, scores[s2 + j]);
                a2 = v.fma(p, a2);
                c2 = w.fma(p, c2);
            }
            a0.intoArray(out, o0 + d);
            c0.intoArray(out, o0 + e);
            a1.intoArray(out, o1 + d);
            c1.intoArray(out, o1 + e);
            a2.intoArray(out, o2 + d);
            c2.intoArray(out, o2 + e);
        }
        for (; d <= headDim - lanes; d += lanes) {
            FloatVector a0 = FloatVector.fromArray(Simd.F, out, o0 + d);
            FloatVector a1 = FloatVector.fromArray(Simd.F, out, o1 + d);
            FloatVector a2 = FloatVector.fromArray(Simd.F, out, o2 + d);
            for (int j = j0; j < j1; j++) {
                FloatVector v = FloatVector.fromArray(Simd.F, values, j * valueStride + valueOff + d);
                a0 = v.fma(FloatVector.broadcast(Simd.F, scores[s0 + j]), a0);
                a1 = v.fma(FloatVector.broadcast(Simd.F, scores[s1 + j]), a1);
                a2 = v.fma(FloatVector.broadcast(Simd.F, scores[s2 + j]), a2);
            }
            a0.intoArray(out, o0 + d);
            a1.intoArray(out, o1 + d);
            a2.intoArray(out, o2 + d);
        }
        if (d < headDim) {
            // each distinct row once: the tail accumulates in place
            for (int r = r0; r <= r2; r++) {
                accumulateTail(values, valueStride, valueOff + d, headDim - d, scores, r * scoreStride, out,
                        outOffs[r] + d, j0, j1);
            }
        }
    }

    /**
     * One row accumulates positions {@code j0 .. j1}, as {@code VectorVec.axpy} would, four slices of dimensions
     * at a time so that four fma chains run side by side.
     */
    private static void accumulate1(float[] values, int valueStride, int valueOff, int headDim, float[] scores,
                                    int s, float[] out, int o, int j0, int j1) {
        if (j1 <= j0) {
            return;
        }
        int lanes = Simd.LANES;
        int d = 0;
        for (; d <= headDim - 4 * lanes; d += 4 * lanes) {
            FloatVector a0 = FloatVector.fromArray(Simd.F, out, o + d);
            FloatVector a1 = FloatVector.fromArray(Simd.F, out, o + d + lanes);
            FloatVector a2 = FloatVector.fromArray(Simd.F, out, o + d + 2 * lanes);
            FloatVector a3 = FloatVector.fromArray(Simd.F, out, o + d + 3 * lanes);
            for (int j = j0; j < j1; j++) {
                int at = j * valueStride + valueOff + d;
                FloatVector p = FloatVector.broadcast(Simd.F, scores[s + j]);
                a0 = FloatVector.fromArray(Simd.F, values, at).fma(p, a0);
                a1 = FloatVector.fromArray(Simd.F, values, at + lanes).fma(p, a1);
                a2 = FloatVector.fromArray(Simd.F, values, at + 2 * lanes).fma(p, a2);
                a3 = FloatVector.fromArray(Simd.F, values, at + 3 * lanes).fma(p, a3);
            }
            a0.intoArray(out, o + d);
            a1.intoArray(out, o + d + lanes);
            a2.intoArray(out, o + d + 2 * lanes);
            a3.intoArray(out, o + d + 3 * lanes);
        }
        for (; d <= headDim - lanes; d += lanes) {
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
    public static void attendBlockedScalar(float[] q, int qOff, float[] keys, int keyOff, float[] values,
                                           int valueStride, int valueOff, int len, int headDim, float scale,
                                           float[] scores, float[] out, int outOff) {
        for (int j = 0; j < len; j++) {
            int base = keyOff + blockedKeyIndex(j, headDim);
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
     * {@link #attendBlockedScalar} over a float16 cache (values rows of {@code headDim} from {@code valueOff}):
     * each key and value widened as it is read.
     */
    public static void attendHalfScalar(float[] q, int qOff, short[] keys, int keyOff, short[] values,
                                        int valueOff, int len, int headDim, float scale, float[] scores, float[] out,
                                        int outOff) {
        for (int j = 0; j < len; j++) {
            int base = keyOff + blockedKeyIndex(j, headDim);
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
            int v = valueOff + j * headDim;
            for (int i = 0; i < headDim; i++) {
                out[outOff + i] += p * Float.float16ToFloat(values[v + i]);
            }
        }
    }

    /**
     * {@link #attendBlockedScalar} over an 8-bit cache ({@link Q8KvBlocks}; values rows of {@code headDim} from
     * {@code valueOff}): each key and value dequantized as it is read.
     */
    public static void attendQ8Scalar(float[] q, int qOff, byte[] keys, float[] keyScales, int keyOff,
                                      byte[] values, float[] valueScales, int valueOff, int len, int headDim,
                                      float scale, float[] scores, float[] out, int outOff) {
        int bd = Q8KvBlocks.blockDims(headDim);
        for (int j = 0; j < len; j++) {
            int base = keyOff + blockedKeyIndex(j, headDim);
            int scales = Q8KvBlocks.keyScaleIndex(keyOff, j, 0, headDim);
            float s = 0f;
            for (int d = 0; d < headDim; d++) {
                float k = keys[base + d * KEY_BLOCK] * keyScales[scales + d / bd * KEY_BLOCK];
                s = Math.fma(k, q[qOff + d], s);
            }
            scores[j] = s * scale;
        }
        ScalarVec.softmax(scores, 0, len);
        java.util.Arrays.fill(out, outOff, outOff + headDim, 0f);
        for (int j = 0; j < len; j++) {
            float p = scores[j];
            int v = valueOff + j * headDim;
            for (int i = 0; i < headDim; i++) {
                out[outOff + i] += p * (values[v + i] * valueScales[(v + i) / bd]);
            }
        }
    }
}
