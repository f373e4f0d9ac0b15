package dev.granitej.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

class ParallelTest {

    @Test
    void coversEveryIndexExactlyOnce() {
        for (int threads = 1; threads <= 4; threads++) {
            try (Parallel pool = new Parallel(threads)) {
                for (int n = 0; n < 70; n++) {
                    for (int minChunk : new int[]{1, 3, 16}) {
                        AtomicIntegerArray hits = new AtomicIntegerArray(n + 10);
                        pool.forRange(5, 5 + n, minChunk, (from, to) -> {
                            for (int i = from; i < to; i++) {
                                hits.incrementAndGet(i);
                            }
                        });
                        for (int i = 0; i < n + 10; i++) {
                            assertEquals(i >= 5 && i < 5 + n ? 1 : 0, hits.get(i),
                                    "index " + i + " threads=" + threads + " n=" + n + " minChunk=" + minChunk);
                        }
                    }
                }
            }
        }
    }

    @Test
    void splitsIntoContiguousChunksAndUsesTheCaller() {
        try (Parallel pool = new Parallel(3)) {
            Set<String> names = java.util.Collections.synchronizedSet(new HashSet<>());
            for (int call = 0; call < 50; call++) {
                int[] owner = new int[30];
                pool.forRange(0, 30, 1, (from, to) -> {
                    names.add(Thread.currentThread().getName());
                    LockSupport.parkNanos(200_000); // long enough that the workers claim chunks
                    for (int i = from; i < to; i++) {
                        owner[i] = from;
                    }
                });
                assertEquals(0, owner[9]);
                assertEquals(10, owner[10]);
                assertEquals(20, owner[29]);
            }
            // Chunks are claimed, so which thread runs which varies; over many calls workers take part.
            assertTrue(names.size() >= 2, names.toString());
            for (String name : names) {
                assertTrue(name.equals(Thread.currentThread().getName()) || name.startsWith("granitej-worker-"), name);
            }
        }
    }

    @Test
    void chunksOfACallHaveDistinctIndicesBelowTheThreadCount() {
        for (int threads = 1; threads <= 4; threads++) {
            try (Parallel pool = new Parallel(threads)) {
                for (int length : new int[]{0, 1, 3, 7, 100}) {
                    AtomicIntegerArray starts = new AtomicIntegerArray(threads);
                    AtomicIntegerArray seen = new AtomicIntegerArray(threads);
                    AtomicIntegerArray covered = new AtomicIntegerArray(Math.max(1, length));
                    for (int i = 0; i < threads; i++) {
                        starts.set(i, -1);
                    }
                    pool.forChunks(0, length, 1, (chunk, from, to) -> {
                        assertTrue(chunk >= 0 && chunk < pool.threads(), "chunk index " + chunk);
                        seen.incrementAndGet(chunk);
                        starts.set(chunk, from);
                        for (int i = from; i < to; i++) {
                            covered.incrementAndGet(i);
                        }
                    });
                    for (int c = 0; c < threads; c++) {
                        assertTrue(seen.get(c) <= 1, "chunk " + c + " ran " + seen.get(c) + " times");
                    }
                    for (int c = 1; c < threads; c++) {
                        if (seen.get(c) == 1) {
                            assertTrue(starts.get(c) > starts.get(c - 1), "chunks are numbered in range order");
                        }
                    }
                    for (int i = 0; i < length; i++) {
                        assertEquals(1, covered.get(i), "index " + i);
                    }
                }
            }
        }
    }

    @Test
    void exceptionsPropagateFromWorkersAndCaller() {
        try (Parallel pool = new Parallel(2)) {
            IllegalStateException boom = new IllegalStateException("boom");
            IllegalStateException thrown = assertThrows(IllegalStateException.class,
                    () -> pool.forRange(0, 100, 1, (from, to) -> {
                        if (from > 0) {
                            throw boom; // the second chunk, whichever thread claims it
                        }
                    }));
            assertSame(boom, thrown);
            assertThrows(ArithmeticException.class, () -> pool.forRange(0, 100, 1, (from, to) -> {
                if (from == 0) {
                    throw new ArithmeticException("caller chunk");
                }
            }));
            // The pool stays usable after a failure.
            int[] sum = new int[1];
            pool.forRange(0, 2, 1, (from, to) -> {
                synchronized (sum) {
                    sum[0] += to - from;
                }
            });
            assertEquals(2, sum[0]);
        }
    }

    @Test
    void pairCallsPassTheirArgumentsToEveryChunk() {
        // split over the threads, one chunk inline, nested inside a split call (inline, with its own arguments),
        // and a failure: each chunk sees the call's own a and b
        PairRangeBody<AtomicIntegerArray, int[]> mark = (hits, add, from, to) -> {
            for (int i = from; i < to; i++) {
                hits.addAndGet(i, add[0]);
            }
        };
        try (Parallel pool = new Parallel(3)) {
            AtomicIntegerArray hits = new AtomicIntegerArray(40);
            pool.forRange(0, 30, 1, hits, new int[]{2}, mark);
            pool.forRange(30, 40, 100, hits, new int[]{5}, mark);
            for (int i = 0; i < 40; i++) {
                assertEquals(i < 30 ? 2 : 5, hits.get(i), "index " + i);
            }
            AtomicIntegerArray nested = new AtomicIntegerArray(100);
            pool.forRange(0, 10, 1, nested, new int[]{1}, (outer, one, from, to) -> {
                for (int i = from; i < to; i++) {
                    pool.forRange(i * 10, i * 10 + 10, 1, outer, new int[]{i + one[0]}, mark);
                }
            });
            for (int i = 0; i < 100; i++) {
                assertEquals(i / 10 + 1, nested.get(i), "nested index " + i);
            }
            IllegalStateException boom = new IllegalStateException("boom");
            assertSame(boom, assertThrows(IllegalStateException.class,
                    () -> pool.forRange(0, 30, 1, hits, boom, (h, e, from, to) -> {
                        if (from > 0) {
                            throw e;
                        }
                    })));
            pool.forRange(0, 30, 1, hits, new int[]{1}, mark);
            assertEquals(3, hits.get(29), "the pool stays usable after a failure");
        }
    }

    @Test
    void nestedCallsRunInline() {
        try (Parallel pool = new Parallel(2)) {
            AtomicIntegerArray hits = new AtomicIntegerArray(100);
            pool.forRange(0, 10, 1, (from, to) -> {
                for (int i = from; i < to; i++) {
                    int base = i * 10;
                    pool.forRange(base, base + 10, 1, (a, b) -> {
                        for (int j = a; j < b; j++) {
                            hits.incrementAndGet(j);
                        }
                    });
                }
            });
            for (int i = 0; i < 100; i++) {
                assertEquals(1, hits.get(i));
            }
        }
    }

    @Test
    void closeStopsTheWorkerThreads() throws InterruptedException {
        Set<Thread> before = workerThreads();
        Parallel pool = new Parallel(3);
        Set<Thread> started = workerThreads();
        started.removeAll(before);
        assertEquals(2, started.size());
        for (Thread t : started) {
            assertTrue(t.isDaemon());
            assertTrue(t.getName().matches("granitej-worker-\\d+"), t.getName());
        }
        pool.forRange(0, 10, 1, (from, to) -> { });
        pool.close();
        for (Thread t : started) {
            t.join(5000);
            assertFalse(t.isAlive(), t.getName() + " still alive after close()");
        }
        assertThrows(IllegalStateException.class, () -> pool.forRange(0, 10, 1, (from, to) -> { }));
        pool.close(); // idempotent
    }

    @Test
    void singleThreadPoolStartsNoThreads() {
        Set<Thread> before = workerThreads();
        try (Parallel pool = new Parallel(1)) {
            Set<Thread> after = workerThreads();
            after.removeAll(before);
            assertTrue(after.isEmpty());
            String[] name = new String[1];
            pool.forRange(0, 100, 1, (from, to) -> name[0] = Thread.currentThread().getName());
            assertEquals(Thread.currentThread().getName(), name[0]);
        }
        assertThrows(IllegalArgumentException.class, () -> new Parallel(0));
    }

    private static Set<Thread> workerThreads() {
        Set<Thread> out = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("granitej-worker-") && t.isAlive()) {
                out.add(t);
            }
        }
        return out;
    }
}
