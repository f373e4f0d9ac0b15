package dev.granitej.model;

import java.util.Arrays;

/**
 * Keys and values of one attention layer for one sequence, one row of {@code kv_heads × head_dim} floats per
 * position. Grows by doubling up to the session's context limit; only attention layers have one.
 */
final class KvCache {

    private final int rowFloats;
    private final int maxPositions;
    float[] keys;
    float[] values;
    int length;

    KvCache(int rowFloats, int maxPositions) {
        this.rowFloats = rowFloats;
        this.maxPositions = maxPositions;
        int initial = Math.min(maxPositions, 64);
        this.keys = new float[initial * rowFloats];
        this.values = new float[initial * rowFloats];
    }

    private KvCache(KvCache other) {
        this.rowFloats = other.rowFloats;
        this.maxPositions = other.maxPositions;
        this.length = other.length;
        this.keys = Arrays.copyOf(other.keys, Math.max(other.length, 1) * rowFloats);
        this.values = Arrays.copyOf(other.values, Math.max(other.length, 1) * rowFloats);
    }

    KvCache copy() {
        return new KvCache(this);
    }

    void copyFrom(KvCache other) {
        ensureCapacity(other.length);
        System.arraycopy(other.keys, 0, keys, 0, other.length * rowFloats);
        System.arraycopy(other.values, 0, values, 0, other.length * rowFloats);
        length = other.length;
    }

    /** Appends one position: a row of keys and of values read at {@code offset} of {@code k} and {@code v}. */
    void append(float[] k, float[] v, int offset) {
        ensureCapacity(length + 1);
        System.arraycopy(k, offset, keys, length * rowFloats, rowFloats);
        System.arraycopy(v, offset, values, length * rowFloats, rowFloats);
        length++;
    }

    private void ensureCapacity(int positions) {
        if (positions > maxPositions) {
            throw new IllegalStateException("KV cache limit of " + maxPositions + " positions exceeded");
        }
        int capacity = keys.length / rowFloats;
        if (positions <= capacity) {
            return;
        }
        int grown = (int) Math.min(maxPositions, Math.max(positions, 2L * capacity));
        keys = Arrays.copyOf(keys, grown * rowFloats);
        values = Arrays.copyOf(values, grown * rowFloats);
    }

    long bytes() {
        return 8L * length * rowFloats;
    }
}
