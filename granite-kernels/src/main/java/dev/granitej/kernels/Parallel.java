package dev.granitej.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A small fixed pool of worker threads owned by one engine, built for many short fork-join calls (decode
 * runs hundreds per token). A call publishes its task by bumping a volatile generation number; workers spin
 * briefly on it and then park, so back-to-back calls cost a few hundred nanoseconds instead of a thread
 * wake-up each. The caller runs the first chunk itself and waits the same way for the others.
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
    private final AtomicInteger pending = new AtomicInteger();

    /** Bumped to publish a task (or shutdown); workers compare it with the last one they ran. */
    private volatile long generation;
    private volatile boolean closed;
    private volatile Thread caller;
    private volatile boolean callerParked;

    // The current task; written before the generation bump, read after it (happens-before via the volatile).
    private IntRangeBody body;
    private int from;
    private int length;
    private int parts;
    private Throwable failure;

    /** A pool of {@code threads} threads in all, counting the caller: {@code threads − 1} workers are started. */
    public Parallel(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, was " + threads);
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
     * least {@code minChunk} indices (fewer chunks when the range is small), the first in the calling thread,
     * and returns when all are done. The first exception thrown by any chunk is rethrown here (an
     * {@link Error} or {@link RuntimeException} as is), after every chunk has finished.
     */
    public void forRange(int from, int to, int minChunk, IntRangeBody body) {
        if (from > to) {
            throw new IllegalArgumentException("empty range is [from, from), got from=" + from + " > to=" + to);
        }
        if (minChunk < 1) {
            throw new IllegalArgumentException("minChunk must be >= 1, was " + minChunk);
        }
        int length = to - from;
        int parts = (int) Math.min(threads, Math.max(1, length / minChunk));
        if (parts == 1 || Thread.currentThread() instanceof Worker || callLock.isHeldByCurrentThread()) {
            body.run(from, to);
            return;
        }
        if (closed) {
            throw new IllegalStateException("Parallel pool is closed");
        }
        callLock.lock();
        try {
            runSplit(from, length, parts, body);
        } finally {
            callLock.unlock();
        }
    }

    private void runSplit(int from, int length, int parts, IntRangeBody body) {
        this.body = body;
        this.from = from;
        this.length = length;
        this.parts = parts;
        this.failure = null;
        this.caller = Thread.currentThread();
        pending.set(parts - 1);
        generation++; // publishes the fields above
        for (int i = 0; i < parts - 1; i++) {
            if (workers[i].parked) {
                LockSupport.unpark(workers[i]);
            }
        }
        try {
            body.run(from, from + chunkEnd(0));
        } catch (Throwable t) {
            recordFailure(t);
        }
        awaitWorkers();
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

    /** End (relative to {@code from}) of chunk {@code k}: chunks differ in size by at most one index. */
    private int chunkEnd(int k) {
        return (int) ((long) length * (k + 1) / parts);
    }

    private void awaitWorkers() {
        long start = System.nanoTime();
        int spins = 0;
        while (pending.get() != 0) {
            if ((++spins & 63) != 0 || System.nanoTime() - start < SPIN_NANOS) {
                Thread.onSpinWait();
            } else {
                callerParked = true;
                if (pending.get() != 0) {
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
        if (closed) {
            return;
        }
        callLock.lock();
        try {
            closed = true;
            generation++;
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
        private final int index;
        volatile boolean parked;

        Worker(int index) {
            super("granitej-worker-" + index);
            this.index = index;
            setDaemon(true);
        }

        @Override
        public void run() {
            long seen = 0;
            while (true) {
                long g = awaitGeneration(seen);
                seen = g;
                if (closed) {
                    return;
                }
                if (index < parts) {
                    try {
                        body.run(from + chunkEnd(index - 1), from + chunkEnd(index));
                    } catch (Throwable t) {
                        recordFailure(t);
                    }
                    if (pending.decrementAndGet() == 0 && callerParked) {
                        LockSupport.unpark(caller);
                    }
                }
            }
        }

        private long awaitGeneration(long seen) {
            long start = System.nanoTime();
            int spins = 0;
            long g;
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
