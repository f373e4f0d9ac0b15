package dev.granitej.tokenizer;

import java.util.Arrays;

/**
 * The BPE merge rules as an open-addressing hash map from a pair of token ids to (rank, merged id), both
 * packed into longs. Keys and values are interleaved in one array so that a lookup usually touches a single
 * cache line (the table is megabytes, and BPE does one lookup per adjacent pair); it allocates nothing.
 */
final class MergeTable {
    private static final long EMPTY = -1L;
    static final int NO_RANK = Integer.MAX_VALUE;

    /** Slot i holds its key at 2i and its value at 2i+1. */
    private final long[] slots;
    private final int mask;
    private final int size;

    private MergeTable(long[] keys, long[] values, int size) {
        this.slots = new long[keys.length * 2];
        for (int i = 0; i < keys.length; i++) {
            slots[2 * i] = keys[i];
            slots[2 * i + 1] = values[i];
        }
        this.mask = keys.length - 1;
        this.size = size;
    }

    static long pairKey(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private static int slot(long key, int mask) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 29)) & mask;
    }

    /** Rank of merging {@code left,right}, or {@link #NO_RANK}. */
    int rank(int left, int right) {
        long v = lookup(pairKey(left, right));
        return v == EMPTY ? NO_RANK : (int) (v >>> 32);
    }

    /** Packed {@code rank << 32 | mergedId}, or -1 when the pair does not merge. */
    long lookup(long key) {
        int i = slot(key, mask);
        while (true) {
            long k = slots[2 * i];
            if (k == key) {
                return slots[2 * i + 1];
            }
            if (k == EMPTY) {
                return EMPTY;
            }
            i = (i + 1) & mask;
        }
    }

    int size() {
        return size;
    }

    /** Collects merges; a later rule for the same pair replaces the earlier one, as in HF tokenizers. */
    static final class Builder {
        private long[] keys;
        private long[] values;
        private int size;

        Builder(int expected) {
            int cap = Integer.highestOneBit(Math.max(16, expected * 2 + 1)) << 1;
            keys = new long[cap];
            values = new long[cap];
            Arrays.fill(keys, EMPTY);
        }

        void put(int left, int right, int rank, int mergedId) {
            if ((size + 1) * 2 > keys.length) {
                grow();
            }
            if (insert(keys, values, pairKey(left, right), ((long) rank << 32) | (mergedId & 0xFFFFFFFFL))) {
                size++;
            }
        }

        private boolean insert(long[] ks, long[] vs, long key, long value) {
            int mask = ks.length - 1;
            int i = slot(key, mask);
            while (ks[i] != EMPTY && ks[i] != key) {
                i = (i + 1) & mask;
            }
            boolean added = ks[i] == EMPTY;
            ks[i] = key;
            vs[i] = value;
            return added;
        }

        private void grow() {
            long[] oldKeys = keys;
            long[] oldValues = values;
            keys = new long[oldKeys.length * 2];
            values = new long[oldKeys.length * 2];
            Arrays.fill(keys, EMPTY);
            for (int i = 0; i < oldKeys.length; i++) {
                if (oldKeys[i] != EMPTY) {
                    insert(keys, values, oldKeys[i], oldValues[i]);
                }
            }
        }

        MergeTable build() {
            return new MergeTable(keys, values, size);
        }
    }
}
