package dev.granitej.tokenizer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The byte strings that BPE turns into exactly one token, keyed by their bytes: most pre-tokenized pieces
 * (words, numbers, punctuation) are such strings, and one hash lookup replaces the whole merge loop for them.
 *
 * <p>Entries are only ever added by running the model's own merging on a token's bytes (see
 * {@link BpeModel}), so a hit gives what merging would give. Open addressing over flat arrays, allocation
 * free: strings of up to {@value #SHORT} bytes (nearly all pieces) are packed into two longs and found by
 * comparing those; longer ones are hashed and compared byte by byte.
 */
final class WholeTokens {

    /** Longest byte string kept in the packed table: 8 bytes in one long, 7 and the length in the other. */
    static final int SHORT = 15;

    /** The least array length {@link #find} reads from. */
    static final int MIN_BUFFER = 16;

    private static final VarHandle LITTLE_ENDIAN_LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** Packed table: slot i holds its two key longs at 3i, 3i+1 and its id at 3i+2; an empty slot has id -1. */
    private final long[] shortSlots;
    private final int shortMask;

    private final int[] hashes;
    private final int[] ids;
    private final int[] offsets;
    private final short[] lengths;
    private final byte[] pool;
    private final int mask;
    private final int maxLength;

    private WholeTokens(long[] shortSlots, int[] hashes, int[] ids, int[] offsets, short[] lengths, byte[] pool,
                        int maxLength) {
        this.shortSlots = shortSlots;
        this.shortMask = shortSlots.length / 3 - 1;
        this.hashes = hashes;
        this.ids = ids;
        this.offsets = offsets;
        this.lengths = lengths;
        this.pool = pool;
        this.mask = hashes.length - 1;
        this.maxLength = maxLength;
    }

    /**
     * The token {@code bytes[0, n)} merges into, or -1 when it is not a single token (or unknown). The array
     * must hold at least {@value #MIN_BUFFER} bytes whatever {@code n} is: short strings are read a long at a time.
     */
    int find(byte[] bytes, int n) {
        if (n <= SHORT) {
            long k0 = low(bytes, n);
            long k1 = high(bytes, n);
            for (int i = shortSlot(k0, k1, shortMask); ; i = (i + 1) & shortMask) {
                long id = shortSlots[3 * i + 2];
                if (id < 0 || (shortSlots[3 * i] == k0 && shortSlots[3 * i + 1] == k1)) {
                    return (int) id;
                }
            }
        }
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

    /** Bytes 0..7 of a short string, little-endian, zero-padded. */
    private static long low(byte[] bytes, int n) {
        long word = (long) LITTLE_ENDIAN_LONG.get(bytes, 0);
        return n >= 8 ? word : word & ~(-1L << (8 * n));
    }

    /** Bytes 8..14 of a short string and, in the top byte, its length (so that zero bytes cannot collide). */
    private static long high(byte[] bytes, int n) {
        long word = n > 8 ? (long) LITTLE_ENDIAN_LONG.get(bytes, 8) & ~(-1L << (8 * (n - 8))) : 0;
        return word | ((long) n << 56);
    }

    private static int shortSlot(long k0, long k1, int mask) {
        long h = (k0 * 0x9E3779B97F4A7C15L) ^ (k1 * 0xC2B2AE3D27D4EB4FL);
        return (int) (h ^ (h >>> 32) ^ (h >>> 17)) & mask;
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
            int shortCount = 0;
            int poolSize = 0;
            int maxLength = 0;
            for (int k = 0; k < size; k++) {
                if (keys[k].length <= SHORT) {
                    shortCount++;
                } else {
                    poolSize += keys[k].length;
                    maxLength = Math.max(maxLength, keys[k].length);
                }
            }
            int shortCapacity = capacityFor(shortCount);
            long[] shortSlots = new long[3 * shortCapacity];
            for (int i = 0; i < shortCapacity; i++) {
                shortSlots[3 * i + 2] = -1;
            }
            int capacity = capacityFor(size - shortCount);
            int[] hashes = new int[capacity];
            int[] ids = new int[capacity];
            int[] offsets = new int[capacity];
            short[] lengths = new short[capacity];
            Arrays.fill(ids, -1);
            byte[] pool = new byte[poolSize];
            WholeTokens table = new WholeTokens(shortSlots, hashes, ids, offsets, lengths, pool, maxLength);
            int used = 0;
            for (int k = 0; k < size; k++) {
                byte[] key = keys[k];
                byte[] padded = Arrays.copyOf(key, Math.max(MIN_BUFFER, key.length));
                if (table.find(padded, key.length) >= 0) {
                    continue;
                }
                if (key.length <= SHORT) {
                    long k0 = low(padded, key.length);
                    long k1 = high(padded, key.length);
                    int i = shortSlot(k0, k1, table.shortMask);
                    while (shortSlots[3 * i + 2] >= 0) {
                        i = (i + 1) & table.shortMask;
                    }
                    shortSlots[3 * i] = k0;
                    shortSlots[3 * i + 1] = k1;
                    shortSlots[3 * i + 2] = values[k];
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

        /** A power of two at least twice the entry count, so that probe runs stay short. */
        private static int capacityFor(int entries) {
            return Integer.highestOneBit(Math.max(8, entries * 2)) << 1;
        }
    }
}
