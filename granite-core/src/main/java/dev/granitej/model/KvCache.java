package dev.granitej.model;

import dev.granitej.kernels.AttentionKernel;
import dev.granitej.kernels.HalfFloats;

/**
 * Keys and values of one attention layer for one sequence, in fp32 or float16 ({@link KvCacheFormat}). Each KV
 * head has a region of {@code capacity · head_dim} keys and as many values of its own (head h's from
 * {@code h · capacity · head_dim}), so a decode step reads each head's keys, then its values, front to back.
 * Keys are in the kernels' blocked layout ({@link AttentionKernel#KEY_BLOCK} positions dimension-major), so
 * scoring a long context needs no horizontal sum per position; values are rows of {@code head_dim}. Grows by
 * doubling up to the session's context limit (each head's region moves); only attention layers have one.
 * Exactly one pair of arrays is in use: {@code keys}/{@code values} for fp32, {@code halfKeys}/{@code halfValues}
 * for float16.
 */
final class KvCache {

    private final int kvHeads;
    private final int headDim;
    private final int rowFloats;
    private final int maxPositions;
    /** Positions each head's region holds (a whole number of key blocks). */
    private int capacity;
    private final KvCacheFormat format;
    private float[] keys;
    private float[] values;
    private short[] halfKeys;
    private short[] halfValues;
    int length;

    KvCache(int kvHeads, int headDim, int maxPositions, KvCacheFormat format) {
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.rowFloats = kvHeads * headDim;
        this.maxPositions = maxPositions;
        this.format = format;
        allocate(roundUp(Math.min(maxPositions, 64)));
    }

    private KvCache(KvCache other) {
        this.kvHeads = other.kvHeads;
        this.headDim = other.headDim;
        this.rowFloats = other.rowFloats;
        this.maxPositions = other.maxPositions;
        this.format = other.format;
        this.length = other.length;
        this.capacity = other.capacity;
        // Same capacity as the original: a fork that goes on decoding should not regrow (copy everything
        // again) at its very first token.
        if (format == KvCacheFormat.F16) {
            this.halfKeys = other.halfKeys.clone();
            this.halfValues = other.halfValues.clone();
        } else {
            this.keys = other.keys.clone();
            this.values = other.values.clone();
        }
    }

    /**
     * Makes the arrays in use hold {@code positions} positions per head, keeping the cached ones: each head's
     * region moves to its place in the larger arrays.
     */
    private void allocate(int positions) {
        int n = positions * rowFloats;
        if (format == KvCacheFormat.F16) {
            short[] k = new short[n];
            short[] v = new short[n];
            copyRegions(halfKeys, capacity, k, positions);
            copyRegions(halfValues, capacity, v, positions);
            halfKeys = k;
            halfValues = v;
        } else {
            float[] k = new float[n];
            float[] v = new float[n];
            copyRegions(keys, capacity, k, positions);
            copyRegions(values, capacity, v, positions);
            keys = k;
            values = v;
        }
        capacity = positions;
    }

    /**
     * Copies the first {@link #length} positions (whole key blocks) of each head's region of {@code from}, a
     * cache array of {@code fromCapacity} positions per head, to its region of {@code to} ({@code toCapacity}).
     */
    private void copyRegions(Object from, int fromCapacity, Object to, int toCapacity) {
        int used = roundUp(length) * headDim;
        for (int h = 0; h < kvHeads && used > 0; h++) {
            System.arraycopy(from, h * fromCapacity * headDim, to, h * toCapacity * headDim, used);
        }
    }

    private static int roundUp(int positions) {
        int b = AttentionKernel.KEY_BLOCK;
        return (positions + b - 1) / b * b;
    }

    KvCache copy() {
        return new KvCache(this);
    }

    void copyFrom(KvCache other) {
        if (other.format != format) {
            throw new IllegalArgumentException("KV cache formats differ: " + other.format + " into " + format);
        }
        checkLimit(other.length);
        if (other.length > capacity) {
            // what this cache holds is about to be overwritten: grow it without copying that over
            length = 0;
            ensureCapacity(other.length);
        }
        length = other.length;
        // the other cache's capacity, and so where its heads' regions start, may differ from this one's
        if (format == KvCacheFormat.F16) {
            copyRegions(other.halfKeys, other.capacity, halfKeys, capacity);
            copyRegions(other.halfValues, other.capacity, halfValues, capacity);
        } else {
            copyRegions(other.keys, other.capacity, keys, capacity);
            copyRegions(other.values, other.capacity, values, capacity);
        }
    }

    /** Appends one position: a row of keys and of values read at {@code offset} of {@code k} and {@code v}. */
    void append(float[] k, float[] v, int offset) {
        ensureCapacity(length + 1);
        boolean half = format == KvCacheFormat.F16;
        for (int h = 0; h < kvHeads; h++) {
            int region = h * capacity * headDim;
            int base = region + AttentionKernel.blockedKeyIndex(length, headDim);
            int from = offset + h * headDim;
            for (int d = 0; d < headDim; d++) {
                float x = k[from + d];
                if (half) {
                    halfKeys[base + d * AttentionKernel.KEY_BLOCK] = Float.floatToFloat16(x);
                } else {
                    keys[base + d * AttentionKernel.KEY_BLOCK] = x;
                }
            }
            int row = region + length * headDim;
            if (half) {
                HalfFloats.narrow(v, from, halfValues, row, headDim);
            } else {
                System.arraycopy(v, from, values, row, headDim);
            }
        }
        length++;
    }

    /**
     * The query rows of {@code qOffs} attend to KV head {@code head} of this cache (see
     * {@link AttentionKernel#attendRows}); {@code widened} is scratch of
     * {@link AttentionKernel#halfScratchFloats} floats for a float16 cache.
     */
    void attend(float[] q, int[] qOffs, int[] lens, int[] outOffs, int n, int head, float scale, float[] scores,
                int scoreStride, float[] out, float[] widened) {
        int region = head * capacity * headDim;
        if (format == KvCacheFormat.F16) {
            AttentionKernel.attendRows(q, qOffs, lens, outOffs, n, halfKeys, region, halfValues, region, headDim,
                    scale, scores, scoreStride, out, widened);
        } else {
            AttentionKernel.attendRows(q, qOffs, lens, outOffs, n, keys, region, values, headDim, region, headDim,
                    scale, scores, scoreStride, out);
        }
    }

    private void ensureCapacity(int positions) {
        checkLimit(positions);
        if (positions <= capacity) {
            return;
        }
        allocate(roundUp((int) Math.min(maxPositions, Math.max(positions, 2L * capacity))));
    }

    private void checkLimit(int positions) {
        if (positions > maxPositions) {
            throw new IllegalStateException("KV cache limit of " + maxPositions + " positions exceeded");
        }
    }

    /** Bytes of the keys and values of the cached positions. */
    long bytes() {
        return 2L * format.bytes() * length * rowFloats;
    }
}
