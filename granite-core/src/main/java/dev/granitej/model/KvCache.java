package dev.granitej.model;

import dev.granitej.kernels.AttentionKernel;
import dev.granitej.kernels.HalfFloats;
import java.util.Arrays;

/**
 * Keys and values of one attention layer for one sequence, in fp32 or float16 ({@link KvCacheFormat}). Keys are
 * kept in the kernels' blocked layout ({@link AttentionKernel#KEY_BLOCK} positions dimension-major per head), so
 * scoring a long context needs no horizontal sum per position. fp32 values are rows of {@code kv_heads ×
 * head_dim} per position; float16 values are blocked too ({@link AttentionKernel#blockedValueIndex}), so the
 * kernel widens one head's values a block at a time. Grows by doubling up to the session's context limit; only
 * attention layers have one. Exactly one pair of arrays is in use: {@code keys}/{@code values} for fp32,
 * {@code halfKeys}/{@code halfValues} for float16.
 */
final class KvCache {

    private final int kvHeads;
    private final int headDim;
    private final int rowFloats;
    private final int maxPositions;
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

    /** Makes the arrays in use hold {@code positions} positions, keeping what they hold (blocks grow at the end). */
    private void allocate(int positions) {
        int n = positions * rowFloats;
        if (format == KvCacheFormat.F16) {
            halfKeys = halfKeys == null ? new short[n] : Arrays.copyOf(halfKeys, n);
            halfValues = halfValues == null ? new short[n] : Arrays.copyOf(halfValues, n);
        } else {
            keys = keys == null ? new float[n] : Arrays.copyOf(keys, n);
            values = values == null ? new float[n] : Arrays.copyOf(values, n);
        }
    }

    private int capacity() {
        return (format == KvCacheFormat.F16 ? halfValues.length : values.length) / rowFloats;
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
        ensureCapacity(other.length);
        int keyCount = roundUp(other.length) * rowFloats;
        int valueCount = other.length * rowFloats;
        if (format == KvCacheFormat.F16) {
            // both blocked: whole blocks
            System.arraycopy(other.halfKeys, 0, halfKeys, 0, Math.min(keyCount, other.halfKeys.length));
            System.arraycopy(other.halfValues, 0, halfValues, 0, Math.min(keyCount, other.halfValues.length));
        } else {
            System.arraycopy(other.keys, 0, keys, 0, Math.min(keyCount, other.keys.length));
            System.arraycopy(other.values, 0, values, 0, valueCount);
        }
        length = other.length;
    }

    /** Appends one position: a row of keys and of values read at {@code offset} of {@code k} and {@code v}. */
    void append(float[] k, float[] v, int offset) {
        ensureCapacity(length + 1);
        boolean half = format == KvCacheFormat.F16;
        for (int h = 0; h < kvHeads; h++) {
            int base = AttentionKernel.blockedKeyIndex(length, h, kvHeads, headDim);
            for (int d = 0; d < headDim; d++) {
                float x = k[offset + h * headDim + d];
                if (half) {
                    halfKeys[base + d * AttentionKernel.KEY_BLOCK] = Float.floatToFloat16(x);
                } else {
                    keys[base + d * AttentionKernel.KEY_BLOCK] = x;
                }
            }
        }
        if (half) {
            for (int h = 0; h < kvHeads; h++) {
                HalfFloats.narrow(v, offset + h * headDim, halfValues,
                        AttentionKernel.blockedValueIndex(length, h, kvHeads, headDim), headDim);
            }
        } else {
            System.arraycopy(v, offset, values, length * rowFloats, rowFloats);
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
        if (format == KvCacheFormat.F16) {
            AttentionKernel.attendRows(q, qOffs, lens, outOffs, n, halfKeys, kvHeads, head, halfValues, headDim,
                    scale, scores, scoreStride, out, widened);
        } else {
            AttentionKernel.attendRows(q, qOffs, lens, outOffs, n, keys, kvHeads, head, values, rowFloats,
                    head * headDim, headDim, scale, scores, scoreStride, out);
        }
    }

    private void ensureCapacity(int positions) {
        if (positions > maxPositions) {
            throw new IllegalStateException("KV cache limit of " + maxPositions + " positions exceeded");
        }
        int capacity = capacity();
        if (positions <= capacity) {
            return;
        }
        allocate(roundUp((int) Math.min(maxPositions, Math.max(positions, 2L * capacity))));
    }

    /** Bytes of the keys and values of the cached positions. */
    long bytes() {
        return 2L * format.bytes() * length * rowFloats;
    }
}
