package dev.granitej.tokenizer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Byte-level BPE: turns the UTF-8 bytes of one pre-tokenized piece into token ids by repeatedly merging
 * the adjacent pair with the lowest merge rank, leftmost first (HF {@code models/bpe/word.rs}).
 *
 * <p>Short pieces use a simple scan (cheaper than a heap for a handful of symbols); long pieces use a
 * min-heap keyed by (rank, position) over a linked list of symbols, so a 1 MB piece stays O(n log n).
 * Both give identical ids. Results for short pieces are kept in a bounded concurrent cache.
 */
final class BpeModel {

    /** Pieces up to this many bytes use the quadratic scan; longer ones the heap. */
    static final int SCAN_LIMIT = 24;
    private static final int CACHE_MAX_CHARS = 256;
    private static final int CACHE_MIN_BYTES = 15;
    private static final int CACHE_CAPACITY = 65_536;

    private final Map<String, Integer> vocab;
    private final MergeTable merges;
    private final int[] byteToId;
    private final boolean ignoreMerges;
    private final int unkId;
    private final boolean fuseUnk;
    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();
    private final AtomicInteger cacheSize = new AtomicInteger();
    private final boolean cacheEnabled;
    private final WholeTokens wholeTokens;

    BpeModel(Map<String, Integer> vocab, MergeTable merges, boolean ignoreMerges, int unkId, boolean fuseUnk,
             boolean cacheEnabled) {
        this.vocab = vocab;
        this.merges = merges;
        this.ignoreMerges = ignoreMerges;
        this.unkId = unkId;
        this.fuseUnk = fuseUnk;
        this.cacheEnabled = cacheEnabled;
        this.byteToId = new int[256];
        for (int b = 0; b < 256; b++) {
            Integer id = vocab.get(String.valueOf(ByteLevelAlphabet.charOf(b)));
            byteToId[b] = id == null ? -1 : id;
        }
        this.wholeTokens = wholeTokensOf(vocab);
    }

    private BpeModel(BpeModel model, boolean cacheEnabled) {
        this.vocab = model.vocab;
        this.merges = model.merges;
        this.ignoreMerges = model.ignoreMerges;
        this.unkId = model.unkId;
        this.fuseUnk = model.fuseUnk;
        this.byteToId = model.byteToId;
        this.wholeTokens = model.wholeTokens;
        this.cacheEnabled = cacheEnabled;
    }

    BpeModel withoutCache() {
        return new BpeModel(this, false);
    }

    /**
     * Runs the merging on every token's bytes and keeps those that come out as one token. (Not every vocab
     * entry does: a token the merges cannot build is never produced, so a plain vocab lookup would be wrong.)
     */
    private WholeTokens wholeTokensOf(Map<String, Integer> vocab) {
        WholeTokens.Builder builder = new WholeTokens.Builder();
        Scratch scratch = new Scratch();
        IntList out = new IntList(16);
        for (String token : vocab.keySet()) {
            byte[] bytes = ByteLevelAlphabet.decodeToken(token);
            if (bytes.length == 0) {
                continue;
            }
            out.clear();
            encodeBytes(bytes, bytes.length, scratch, out);
            if (out.size() == 1) {
                builder.add(bytes, out.get(0));
            }
        }
        return builder.build();
    }

    /** Encodes {@code text[start, end)} and appends its ids to {@code out}. */
    void encode(String text, int start, int end, Scratch scratch, IntList out) {
        int len = end - start;
        if (len == 0) {
            return;
        }
        byte[] bytes = scratch.bytes(Utf8.maxBytes(len));
        int n = Utf8.encode(text, start, end, bytes);
        int whole = wholeTokens.find(bytes, n);
        if (whole >= 0) {
            out.add(whole);
            return;
        }
        String key = null;
        // Short pieces merge faster than a cache lookup (which copies the piece into a String key).
        if (cacheEnabled && n > CACHE_MIN_BYTES && len <= CACHE_MAX_CHARS) {
            key = text.substring(start, end);
            int[] hit = cache.get(key);
            if (hit != null) {
                out.addAll(hit, 0, hit.length);
                return;
            }
        }
        int before = out.size();
        encodeBytes(bytes, n, scratch, out);
        if (key != null) {
            remember(key, out, before);
        }
    }

    private void remember(String key, IntList out, int from) {
        // Bounded without eviction bookkeeping: when full, start over (the working set refills it quickly).
        if (cacheSize.incrementAndGet() > CACHE_CAPACITY) {
            cache.clear();
            cacheSize.set(0);
        }
        cache.put(key, out.copyRange(from, out.size()));
    }

    void encodeBytes(byte[] bytes, int n, Scratch scratch, IntList out) {
        if (ignoreMerges) {
            Integer whole = vocab.get(ByteLevelAlphabet.encodeBytes(bytes, 0, n));
            if (whole != null) {
                out.add(whole);
                return;
            }
        }
        int[] ids = scratch.ids(n);
        int count = 0;
        boolean lastWasUnk = false;
        for (int i = 0; i < n; i++) {
            int id = byteToId[bytes[i] & 0xFF];
            if (id < 0) {
                // HF: an unknown symbol becomes unk (fused with a preceding unk if asked) or is dropped.
                if (unkId < 0 || (fuseUnk && lastWasUnk)) {
                    continue;
                }
                id = unkId;
                lastWasUnk = true;
            } else {
                lastWasUnk = false;
            }
            ids[count++] = id;
        }
        if (count <= SCAN_LIMIT) {
            count = mergeByScan(ids, count, scratch);
            out.addAll(ids, 0, count);
        } else {
            mergeByHeap(ids, count, scratch, out);
        }
    }

    /**
     * Repeatedly merges the lowest-ranked adjacent pair (leftmost on ties); returns the new length. Each pair's
     * packed (rank, merged id) is looked up once and only the two pairs next to a merge are looked up again.
     */
    int mergeByScan(int[] ids, int count, Scratch scratch) {
        long[] pairs = scratch.pairs(count);
        for (int i = 0; i + 1 < count; i++) {
            pairs[i] = pairValue(ids[i], ids[i + 1]);
        }
        while (count > 1) {
            // Packed values order by rank (a rank names one rule, hence one merged id); NO_PAIR is the largest.
            long best = NO_PAIR;
            int bestPos = -1;
            for (int i = 0; i + 1 < count; i++) {
                if (pairs[i] < best) {
                    best = pairs[i];
                    bestPos = i;
                }
            }
            if (bestPos < 0) {
                break;
            }
            ids[bestPos] = (int) best;
            System.arraycopy(ids, bestPos + 2, ids, bestPos + 1, count - bestPos - 2);
            System.arraycopy(pairs, bestPos + 2, pairs, bestPos + 1, Math.max(0, count - bestPos - 3));
            count--;
            if (bestPos + 1 < count) {
                pairs[bestPos] = pairValue(ids[bestPos], ids[bestPos + 1]);
            }
            if (bestPos > 0) {
                pairs[bestPos - 1] = pairValue(ids[bestPos - 1], ids[bestPos]);
            }
        }
        return count;
    }

    private static final long NO_PAIR = Long.MAX_VALUE;

    private long pairValue(int left, int right) {
        long v = merges.lookup(MergeTable.pairKey(left, right));
        return v == -1L ? NO_PAIR : v;
    }

    /**
     * Heap-driven merging over a doubly linked list of symbols: O(n log n) for long pieces. As in the scan,
     * {@code pairs[i]} caches the packed merge of symbol i with its right neighbour, so a popped heap entry
     * is checked against it without another table lookup.
     */
    void mergeByHeap(int[] ids, int count, Scratch scratch, IntList out) {
        int[] prev = scratch.prev(count);
        int[] next = scratch.next(count);
        long[] pairs = scratch.pairs(count);
        LongHeap heap = scratch.heap(count);
        for (int i = 0; i < count; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < count ? i + 1 : -1;
            pairs[i] = next[i] < 0 ? NO_PAIR : pairValue(ids[i], ids[i + 1]);
            if (pairs[i] != NO_PAIR) {
                heap.push((pairs[i] >>> 32 << 32) | i);
            }
        }
        while (!heap.isEmpty()) {
            long top = heap.pop();
            int pos = (int) top;
            long pair = pairs[pos];
            if (pair == NO_PAIR || pair >>> 32 != top >>> 32) {
                continue; // stale: the symbol was merged away or a neighbour changed since this entry was pushed
            }
            int right = next[pos];
            ids[pos] = (int) pair;
            pairs[right] = NO_PAIR;
            int after = next[right];
            next[pos] = after;
            if (after >= 0) {
                prev[after] = pos;
            }
            pairs[pos] = after < 0 ? NO_PAIR : pairValue(ids[pos], ids[after]);
            if (pairs[pos] != NO_PAIR) {
                heap.push((pairs[pos] >>> 32 << 32) | pos);
            }
            int before = prev[pos];
            if (before >= 0) {
                pairs[before] = pairValue(ids[before], ids[pos]);
                if (pairs[before] != NO_PAIR) {
                    heap.push((pairs[before] >>> 32 << 32) | before);
                }
            }
        }
        for (int i = 0; i >= 0; i = next[i]) {
            out.add(ids[i]);
        }
    }

    /** Per-call scratch buffers; never shared between threads. */
    static final class Scratch {
        private byte[] bytes = new byte[256]; // never below WholeTokens.MIN_BUFFER
        private int[] ids = new int[256];
        private long[] pairs = new long[256];
        private int[] prev = new int[0];
        private int[] next = new int[0];
        private LongHeap heap;

        byte[] bytes(int n) {
            if (bytes.length < n) {
                bytes = new byte[Math.max(n, bytes.length * 2)];
            }
            return bytes;
        }

        int[] ids(int n) {
            if (ids.length < n) {
                ids = new int[Math.max(n, ids.length * 2)];
            }
            return ids;
        }

        long[] pairs(int n) {
            if (pairs.length < n) {
                pairs = new long[Math.max(n, pairs.length * 2)];
            }
            return pairs;
        }

        int[] prev(int n) {
            if (prev.length < n) {
                prev = new int[Math.max(n, prev.length * 2)];
            }
            return prev;
        }

        int[] next(int n) {
            if (next.length < n) {
                next = new int[Math.max(n, next.length * 2)];
            }
            return next;
        }

        LongHeap heap(int n) {
            if (heap == null) {
                heap = new LongHeap(Math.max(64, n));
            }
            heap.clear();
            return heap;
        }
    }

    /** A binary min-heap of longs. */
    static final class LongHeap {
        private long[] a;
        private int size;

        LongHeap(int capacity) {
            a = new long[capacity];
        }

        void clear() {
            size = 0;
        }

        boolean isEmpty() {
            return size == 0;
        }

        void push(long v) {
            if (size == a.length) {
                a = java.util.Arrays.copyOf(a, size * 2);
            }
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (a[parent] <= v) {
                    break;
                }
                a[i] = a[parent];
                i = parent;
            }
            a[i] = v;
        }

        long pop() {
            long top = a[0];
            long last = a[--size];
            int i = 0;
            int half = size >>> 1;
            while (i < half) {
                int child = 2 * i + 1;
                if (child + 1 < size && a[child + 1] < a[child]) {
                    child++;
                }
                if (a[child] >= last) {
                    break;
                }
                a[i] = a[child];
                i = child;
            }
            a[i] = last;
            return top;
        }
    }
}
