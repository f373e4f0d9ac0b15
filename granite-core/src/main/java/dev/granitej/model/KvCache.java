package dev.granitej.model;

import dev.granitej.kernels.AttentionKernel;
import java.util.Arrays;

/**
 * Keys and values of one attention layer for one sequence. Values are rows of {@code kv_heads × head_dim}
 * floats per position; keys are kept in the kernels' blocked layout ({@link AttentionKernel#KEY_BLOCK} positions
 * dimension-major per head), so scoring a long context needs no horizontal sum per position. Grows by doubling up
 * to the session's context limit; only attention layers have one.
 */
final class KvCache {

    private final int kvHeads;
    private final int headDim;
    private final int rowFloats;
    private final int maxPositions;
    float[] keys;
    float[] values;
    int length;

    KvCache(int kvHeads, int headDim, int maxPositions) {
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.rowFloats = kvHeads * headDim;
        this.maxPositions = maxPositions;
        int initial = roundUp(Math.min(maxPositions, 64));
        this.keys = new float[initial * rowFloats];
        this.values = new float[initial * rowFloats];
    }

    private KvCache(KvCache other) {
        this.kvHeads = other.kvHeads;
        this.headDim = other.headDim;
        this.rowFloats = other.rowFloats;
        this.maxPositions = other.maxPositions;
        this.length = other.length;
        // Same capacity as the original: a fork that goes on decoding should not regrow (copy everything
        // again) at its very first token.
        this.keys = other.keys.clone();
        this.values = other.values.clone();
    }

    private static int roundUp(int positions) {
        int b = AttentionKernel.KEY_BLOCK;
        return (positions + b - 1) / b * b;
    }

    KvCache copy() {
        return new KvCache(this);
    }

    void copyFrom(KvCache other) {
        ensureCapacity(other.length);
        int floats = roundUp(other.length) * rowFloats;
        System.arraycopy(other.keys, 0, keys, 0, Math.min(floats, other.keys.length));
        System.arraycopy(other.values, 0, values, 0, other.length * rowFloats);
        length = other.length;
    }

    /** Appends one position: a row of keys and of values read at {@code offset} of {@code k} and {@code v}. */
    void append(float[] k, float[] v, int offset) {
        ensureCapacity(length + 1);
        for (int h = 0; h < kvHeads; h++) {
            int base = AttentionKernel.blockedKeyIndex(length, h, kvHeads, headDim);
            for (int d = 0; d < headDim; d++) {
                keys[base + d * AttentionKernel.KEY_BLOCK] = k[offset + h * headDim + d];
            }
        }
        System.arraycopy(v, offset, values, length * rowFloats, rowFloats);
        length++;
    }

    private void ensureCapacity(int positions) {
        if (positions > maxPositions) {
            throw new IllegalStateException("KV cache limit of " + maxPositions + " positions exceeded");
        }
        int capacity = values.length / rowFloats;
        if (positions <= capacity) {
            return;
        }
        int grown = roundUp((int) Math.min(maxPositions, Math.max(positions, 2L * capacity)));
        keys = Arrays.copyOf(keys, grown * rowFloats);
        values = Arrays.copyOf(values, grown * rowFloats);
    }

    long bytes() {
        return 8L * length * rowFloats;
    }
}
