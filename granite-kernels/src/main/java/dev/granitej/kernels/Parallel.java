package dev.granitej.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A small fixed pool of worker threads owned by one engine, built for many short fork-join calls (decode
 * runs hundreds per token). A call splits its range into at most {@link #threads()} contiguous chunks and
 * publishes them by bumping a volatile generation number; workers spin briefly on it and then park, so
 * back-to-back calls cost about a microsecond instead of a thread wake-up each. Chunks are claimed, not
 * assigned: the caller claims chunks too, so when a worker has not been scheduled yet (a busy machine) the
 * caller runs its chunk instead of waiting for it.
 *
 * <p>{@code Parallel(1)} starts no thread and runs everything inline. Calls from several threads are
 * serialized; a call made from inside a body (a nested call) runs inline in that thread. Close the pool to
 * stop its daemon threads ({@code granitej-worker-N}).
 */
public final class Parallel implements AutoCloseable {

    /** How long an idle thread spins before parking: longer than the gap between calls within a token. */
    private static final long SPIN_NANOS = 50_000;

    private final int threads;
    private final Worker[] workers;
    private final ReentrantLock callLock = new ReentrantLock();

    /** Bumped to announce a task (or shutdown); workers compare it with the last one they saw. */
    private volatile int generation;
    private volatile boolean closed;
    /**
     * The claim counter: generation (high 32 bits), next chunk (16 bits), chunk count (low 16 bits). A claim
     * is a CAS on it, so a worker that wakes late for an old generation can never take a chunk of a new one.
     */
    private final AtomicLong ticket = new AtomicLong();
    private final AtomicInteger done = new AtomicInteger();
    private volatile Thread caller;
    private volatile boolean callerParked;

    // The current task: written before the ticket is published, read only by a thread holding a claim.
    private ChunkBody body;
    private int from;
    private int length;
    private Throwable failure;
    // A pair call's body and arguments, set under callLock by the thread that splits it, and the one chunk body
    // that runs them, made once
    private Object pairA;
    private Object pairB;
    private PairRangeBody<?, ?> pairBody;
    private final ChunkBody pairChunk = (chunk, lo, hi) -> runPair(lo, hi);

    /** A pool of {@code threads} threads in all, counting the caller: {@code threads − 1} workers are started. */
    public Parallel(int threads) {
        if (threads < 1 || threads > 4096) {
            throw new IllegalArgumentException("threads must be in 1..4096, was " + threads);
        }
        this.threads = threads;
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            workers[i].start();
        }
    }

    /** Threads that share a call, the caller included. */
    public int threads() {
        return threads;
    }

    /**
     * Runs {@code body} over {@code [from, to)} split into at most {@link #threads()} contiguous chunks of at
     * least {@code minChunk} indices (fewer chunks when the range is small) and returns when all are done.
     * The first exception thrown by any chunk is rethrown here (an {@link Error} or {@link RuntimeException}
     * as is, later ones attached as suppressed), after every chunk has finished.
     */
    public void forRange(int from, int to, int minChunk, IntRangeBody body) {
        forChunks(from, to, minChunk, body);
    }

    /**
     * {@link #forRange} with {@code body} given {@code a} and {@code b} at every chunk, so the body need not capture
     * them and the call allocates nothing ({@link PairRangeBody}).
     */
    public <A, B> void forRange(int from, int to, int minChunk, A a, B b, PairRangeBody<A, B> body) {
        if (!splits(from, to, minChunk)) {
            body.run(a, b, from, to);
            return;
        }
        callLock.lock();
        try {
            pairA = a;
            pairB = b;
            pairBody = body;
            split(from, to, minChunk, pairChunk);
        } finally {
            pairA = null;
            pairB = null;
            pairBody = null;
            callLock.unlock();
        }
    }

    /**
     * {@link #forRange}, telling each chunk its index: {@code 0 <= chunk < threads()}, distinct among the chunks
     * of one call, so a body can use per-chunk scratch sized for {@link #threads()} chunks. A call that runs
     * inline (one chunk, or a nested call) runs its single chunk as chunk 0.
     */
    public void forChunks(int from, int to, int minChunk, ChunkBody body) {
        if (!splits(from, to, minChunk)) {
            body.run(0, from, to);
            return;
        }
        callLock.lock();
        try {
            split(from, to, minChunk, body);
        } finally {
            callLock.unlock();
        }
    }

    /** Runs {@code body}'s chunks over the threads; the caller holds {@link #callLock}. */
    private void split(int from, int to, int minChunk, ChunkBody body) {
        if (closed) {
            throw new IllegalStateException("Parallel pool is closed");
        }
        runSplit(from, to - from, parts(to - from, minChunk), body);
    }

    /**
     * Whether a call over {@code [from, to)} is split over the threads: not when it makes one chunk, nor when it
     * is nested (made from a body, which runs it inline). Checks the arguments.
     */
    private boolean splits(int from, int to, int minChunk) {
        if (from > to) {
            throw new IllegalArgumentException("range [from, to) needs from <= to, got from=" + from + ", to=" + to);
        }
        if (minChunk < 1) {
            throw new IllegalArgumentException("minChunk must be >= 1, was " + minChunk);
        }
        return parts(to - from, minChunk) > 1 && !(Thread.currentThread() instanceof Worker)
                && !callLock.isHeldByCurrentThread();
    }

    private int parts(int length, int minChunk) {
        return (int) Math.min(threads, Math.max(1, length / minChunk));
    }

    private void runSplit(int from, int length, int parts, ChunkBody body) {
        this.body = body;
        this.from = from;
        this.length = length;
        this.failure = null;
        this.caller = Thread.currentThread();
        done.set(0);
        int gen = generation + 1;
        ticket.set(((long) gen << 32) | parts); // publishes the fields above to whoever claims
        generation = gen;
        for (int i = 0; i < parts - 1; i++) {
            if (workers[i].parked) {
                LockSupport.unpark(workers[i]);
            }
        }
        runClaims(gen);
        awaitDone(parts);
        this.body = null;
        Throwable t = failure;
        if (t != null) {
            failure = null;
            if (t instanceof RuntimeException re) {
                throw re;
            }
            if (t instanceof Error e) {
                throw e;
            }
            throw new IllegalStateException("parallel task failed", t);
        }
    }

    /** Claims and runs chunks of generation {@code gen} until none is left. */
    private void runClaims(int gen) {
        while (true) {
            long t = ticket.get();
            int parts = (int) (t & 0xffff);
            int next = (int) ((t >>> 16) & 0xffff);
            if ((int) (t >>> 32) != gen || next >= parts) {
                return;
            }
            if (!ticket.compareAndSet(t, t + (1L << 16))) {
                continue;
            }
            try {
                body.run(next, from + chunkStart(next, parts), from + chunkStart(next + 1, parts));
            } catch (Throwable e) {
                recordFailure(e);
            }
            if (done.incrementAndGet() == parts && callerParked) {
                LockSupport.unpark(caller);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void runPair(int lo, int hi) {
        ((PairRangeBody<Object, Object>) pairBody).run(pairA, pairB, lo, hi);
    }

    /** Start (relative to {@code from}) of chunk {@code k}: chunks differ in size by at most one index. */
    private int chunkStart(int k, int parts) {
        return (int) ((long) length * k / parts);
    }

    private void awaitDone(int parts) {
        long start = System.nanoTime();
        int spins = 0;
        while (done.get() != parts) {
            if ((++spins & 63) != 0 || System.nanoTime() - start < SPIN_NANOS) {
                Thread.onSpinWait();
            } else {
                callerParked = true;
                if (done.get() != parts) {
                    LockSupport.park(this);
                }
                callerParked = false;
            }
        }
    }

    private synchronized void recordFailure(Throwable t) {
        if (failure == null) {
            failure = t;
        } else if (failure != t) {
            failure.addSuppressed(t);
        }
    }

    /** Stops the workers (they finish any running chunk first) and waits for them to exit. */
    @Override
    public void close() {
        callLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            generation = generation + 1;
            for (Worker w : workers) {
                LockSupport.unpark(w);
            }
        } finally {
            callLock.unlock();
        }
        for (Worker w : workers) {
            try {
                w.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private final class Worker extends Thread {
        volatile boolean parked;

        Worker(int index) {
            super("granitej-worker-" + index);
            setDaemon(true);
        }

        @Override
        public void run() {
            int seen = 0;
            while (true) {
                seen = awaitGeneration(seen);
                if (closed) {
                    return;
                }
                runClaims(seen);
            }
        }

        private int awaitGeneration(int seen) {
            long start = System.nanoTime();
            int spins = 0;
            int g;
            while ((g = generation) == seen) {
                if ((++spins & 63) != 0 || System.nanoTime() - start < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    parked = true;
                    if (generation == seen) {
                        LockSupport.park(this);
                    }
                    parked = false;
                }
            }
            return g;
        }
    }
}
