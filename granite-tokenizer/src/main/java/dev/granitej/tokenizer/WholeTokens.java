package dev.granitej.tokenizer;

import java.util.Arrays;

/**
 * The byte strings that BPE turns into exactly one token, keyed by their bytes: most pre-tokenized pieces
 * (words, numbers, punctuation) are such strings, and one hash lookup replaces the whole merge loop for them.
 *
 * <p>Entries are only ever added by running the model's own merging on a token's bytes (see
 * {@link BpeModel}), so a hit gives what merging would give. Open addressing over flat arrays: a lookup
 * hashes the piece once, compares a stored hash, then the bytes, and allocates nothing.
 */
final class WholeTokens {

    private final int[] hashes;
    private final int[] ids;
    private final int[] offsets;
    private final short[] lengths;
    private final byte[] pool;
    private final int mask;
    private final int maxLength;

    private WholeTokens(int[] hashes, int[] ids, int[] offsets, short[] lengths, byte[] pool, int maxLength) {
        this.hashes = hashes;
        this.ids = ids;
        this.offsets = offsets;
        this.lengths = lengths;
        this.pool = pool;
        this.mask = hashes.length - 1;
        this.maxLength = maxLength;
    }

    /** The token {@code bytes[0, n)} merges into, or -1 when it is not a single token (or unknown). */
    int find(byte[] bytes, int n) {
        if (n > maxLength) {
            return -1;
        }
        int h = hash(bytes, n);
        for (int i = h & mask; ; i = (i + 1) & mask) {
            int id = ids[i];
            if (id < 0) {
                return -1;
            }
            if (hashes[i] == h && lengths[i] == n
                    && Arrays.equals(pool, offsets[i], offsets[i] + n, bytes, 0, n)) {
                return id;
            }
        }
    }

    private static int hash(byte[] bytes, int n) {
        int h = n;
        for (int i = 0; i < n; i++) {
            h = 31 * h + bytes[i];
        }
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    /** Collects (bytes, id) entries; the first entry for a byte string wins. */
    static final class Builder {
        private byte[][] keys = new byte[1024][];
        private int[] values = new int[1024];
        private int size;

        void add(byte[] bytes, int id) {
            if (bytes.length > Short.MAX_VALUE) {
                return; // never a piece worth a lookup
            }
            if (size == keys.length) {
                keys = Arrays.copyOf(keys, size * 2);
                values = Arrays.copyOf(values, size * 2);
            }
            keys[size] = bytes;
            values[size] = id;
            size++;
        }

        WholeTokens build() {
            int capacity = Integer.highestOneBit(Math.max(16, size * 2)) << 1;
            int[] hashes = new int[capacity];
            int[] ids = new int[capacity];
            int[] offsets = new int[capacity];
            short[] lengths = new short[capacity];
            Arrays.fill(ids, -1);
            int poolSize = 0;
            int maxLength = 0;
            for (int k = 0; k < size; k++) {
                poolSize += keys[k].length;
                maxLength = Math.max(maxLength, keys[k].length);
            }
            byte[] pool = new byte[poolSize];
            WholeTokens table = new WholeTokens(hashes, ids, offsets, lengths, pool, maxLength);
            int used = 0;
            for (int k = 0; k < size; k++) {
                byte[] key = keys[k];
                if (table.find(key, key.length) >= 0) {
                    continue;
                }
                int h = hash(key, key.length);
                int i = h & table.mask;
                while (ids[i] >= 0) {
                    i = (i + 1) & table.mask;
                }
                System.arraycopy(key, 0, pool, used, key.length);
                hashes[i] = h;
                offsets[i] = used;
                lengths[i] = (short) key.length;
                ids[i] = values[k];
                used += key.length;
            }
            return table;
        }
    }
}
