package dev.granitej.model;

import dev.granitej.kernels.AttentionKernel;
import dev.granitej.kernels.HalfFloats;
import dev.granitej.kernels.Q8KvBlocks;

/**
 * Keys and values of one attention layer for one sequence, in fp32, float16 or 8-bit blocks
 * ({@link KvCacheFormat}). Each KV head has a region of {@code capacity · head_dim} keys and as many values of
 * its own (head h's from {@code h · capacity · head_dim}), so a decode step reads each head's keys, then its
 * values, front to back. Keys are in the kernels' blocked layout ({@link AttentionKernel#KEY_BLOCK} positions
 * dimension-major), so scoring a long context needs no horizontal sum per position; values are rows of
 * {@code head_dim}. Grows by doubling up to the session's context limit (each head's region moves); only
 * attention layers have one. Exactly one pair of arrays is in use: {@code keys}/{@code values} for fp32,
 * {@code halfKeys}/{@code halfValues} for float16, {@code q8Keys}/{@code q8Values} with their
 * {@code keyScales}/{@code valueScales} for 8-bit blocks (laid out as {@link Q8KvBlocks} says: a head's scales
 * are its codes' region divided by the block width).
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
    private byte[] q8Keys;
    private byte[] q8Values;
    private float[] keyScales;
    private float[] valueScales;
    /** Dimensions per scale of an 8-bit cache ({@link Q8KvBlocks#blockDims}). */
    private final int blockDims;
    int length;

    KvCache(int kvHeads, int headDim, int maxPositions, KvCacheFormat format) {
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.rowFloats = kvHeads * headDim;
        this.maxPositions = maxPositions;
        this.format = format;
        this.blockDims = Q8KvBlocks.blockDims(headDim);
        allocate(roundUp(Math.min(maxPositions, 64)));
    }

    private KvCache(KvCache other) {
        this.kvHeads = other.kvHeads;
        this.headDim = other.headDim;
        this.rowFloats = other.rowFloats;
        this.maxPositions = other.maxPositions;
        this.format = other.format;
        this.blockDims = other.blockDims;
        this.length = other.length;
        this.capacity = other.capacity;
        // Same capacity as the original: a fork that goes on decoding should not regrow (copy everything
        // again) at its very first token.
        switch (format) {
            case F32 -> {
                this.keys = other.keys.clone();
                this.values = other.values.clone();
            }
            case F16 -> {
                this.halfKeys = other.halfKeys.clone();
                this.halfValues = other.halfValues.clone();
            }
            case Q8_0 -> {
                this.q8Keys = other.q8Keys.clone();
                this.q8Values = other.q8Values.clone();
                this.keyScales = other.keyScales.clone();
                this.valueScales = other.valueScales.clone();
            }
        }
    }

    /**
     * Makes the arrays in use hold {@code positions} positions per head, keeping the cached ones: each head's
     * region moves to its place in the larger arrays.
     */
    private void allocate(int positions) {
        int n = positions * rowFloats;
        switch (format) {
            case F32 -> {
                keys = moved(keys, new float[n], positions, 1);
                values = moved(values, new float[n], positions, 1);
            }
            case F16 -> {
                halfKeys = moved(halfKeys, new short[n], positions, 1);
                halfValues = moved(halfValues, new short[n], positions, 1);
            }
            case Q8_0 -> {
                q8Keys = moved(q8Keys, new byte[n], positions, 1);
                q8Values = moved(q8Values, new byte[n], positions, 1);
                keyScales = moved(keyScales, new float[n / blockDims], positions, blockDims);
                valueScales = moved(valueScales, new float[n / blockDims], positions, blockDims);
            }
        }
        capacity = positions;
    }

    /** {@code to}, a cache array of {@code positions} per head, with the cached positions of {@code from} copied in. */
    private <T> T moved(T from, T to, int positions, int per) {
        copyRegions(from, capacity, to, positions, per);
        return to;
    }

    /**
     * Copies the first {@link #length} positions (whole key blocks) of each head's region of {@code from}, a
     * cache array of {@code fromCapacity} positions per head, to its region of {@code to} ({@code toCapacity}),
     * where a position of a head takes {@code headDim / per} elements ({@code per} 1 for keys and values, the
     * block width for an 8-bit cache's scales).
     */
    private void copyRegions(Object from, int fromCapacity, Object to, int toCapacity, int per) {
        int width = headDim / per;
        int used = roundUp(length) * width;
        for (int h = 0; h < kvHeads && used > 0; h++) {
            System.arraycopy(from, h * fromCapacity * width, to, h * toCapacity * width, used);
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
        switch (format) {
            case F32 -> {
                copyRegions(other.keys, other.capacity, keys, capacity, 1);
                copyRegions(other.values, other.capacity, values, capacity, 1);
            }
            case F16 -> {
                copyRegions(other.halfKeys, other.capacity, halfKeys, capacity, 1);
                copyRegions(other.halfValues, other.capacity, halfValues, capacity, 1);
            }
            case Q8_0 -> {
                copyRegions(other.q8Keys, other.capacity, q8Keys, capacity, 1);
                copyRegions(other.q8Values, other.capacity, q8Values, capacity, 1);
                copyRegions(other.keyScales, other.capacity, keyScales, capacity, blockDims);
                copyRegions(other.valueScales, other.capacity, valueScales, capacity, blockDims);
            }
        }
    }

    /** Appends one position: a row of keys and of values read at {@code offset} of {@code k} and {@code v}. */
    void append(float[] k, float[] v, int offset) {
        ensureCapacity(length + 1);
        for (int h = 0; h < kvHeads; h++) {
            int region = h * capacity * headDim;
            int key = region + AttentionKernel.blockedKeyIndex(length, headDim);
            int row = region + length * headDim;
            int from = offset + h * headDim;
            switch (format) {
                case F32 -> {
                    for (int d = 0; d < headDim; d++) {
                        keys[key + d * AttentionKernel.KEY_BLOCK] = k[from + d];
                    }
                    System.arraycopy(v, from, values, row, headDim);
                }
                case F16 -> {
                    for (int d = 0; d < headDim; d++) {
                        halfKeys[key + d * AttentionKernel.KEY_BLOCK] = Float.floatToFloat16(k[from + d]);
                    }
                    HalfFloats.narrow(v, from, halfValues, row, headDim);
                }
                case Q8_0 -> {
                    Q8KvBlocks.narrowKey(k, from, q8Keys, keyScales, region, length, headDim);
                    Q8KvBlocks.narrowRow(v, from, q8Values, row, valueScales, headDim);
                }
            }
        }
        length++;
    }

    /**
     * The query rows of {@code qOffs} attend to KV head {@code head} of this cache (see
     * {@link AttentionKernel#attendRows}); {@code widened} is scratch of
     * {@link AttentionKernel#widenedScratchFloats} floats for a float16 or 8-bit cache.
     */
    void attend(float[] q, int[] qOffs, int[] lens, int[] outOffs, int n, int head, float scale, float[] scores,
                int scoreStride, float[] out, float[] widened) {
        int region = head * capacity * headDim;
        switch (format) {
            case F32 -> AttentionKernel.attendRows(q, qOffs, lens, outOffs, n, keys, region, values, headDim, region,
                    headDim, scale, scores, scoreStride, out);
            case F16 -> AttentionKernel.attendRows(q, qOffs, lens, outOffs, n, halfKeys, region, halfValues, region,
                    headDim, scale, scores, scoreStride, out, widened);
            case Q8_0 -> AttentionKernel.attendRows(q, qOffs, lens, outOffs, n, q8Keys, keyScales, region, q8Values,
                    valueScales, region, headDim, scale, scores, scoreStride, out, widened);
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
        return format.bytesPerPosition(kvHeads, headDim) * length;
    }
}
