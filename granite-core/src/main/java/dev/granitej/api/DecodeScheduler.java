package dev.granitej.api;

import dev.granitej.model.DecodeBatch;
import dev.granitej.model.GraniteModel;
import dev.granitej.model.SequenceState;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * Continuous batching of decode steps. Sessions hand in "feed this token, give me the next logits" requests
 * from their own threads; one engine-owned thread takes everything waiting (up to {@code maxBatch}), runs a
 * single batched forward pass, so each weight matrix is read once for all of them, and hands every session
 * its logits. Sessions join and leave between steps; each gets exactly what stepping it alone would give.
 */
final class DecodeScheduler implements AutoCloseable {

    private final GraniteModel model;
    private final int maxBatch;
    private final int vocab;
    private final LinkedBlockingQueue<Step> pending = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean closed;

    /** One session's request for one step; completed by the scheduler thread. */
    static final class Step {
        final SequenceState state;
        final int token;
        final float[] logits;
        final Thread waiter;
        volatile boolean done;
        volatile RuntimeException failure;

        Step(SequenceState state, int token, float[] logits) {
            this.state = state;
            this.token = token;
            this.logits = logits;
            this.waiter = Thread.currentThread();
        }
    }

    DecodeScheduler(GraniteModel model, int maxBatch) {
        this.model = model;
        this.maxBatch = maxBatch;
        this.vocab = model.config().vocabSize();
        this.thread = new Thread(this::loop, "granitej-decode");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * Feeds {@code token} to {@code state} as part of the next batch and writes the next-token logits into
     * {@code logits}; blocks until done.
     */
    void step(SequenceState state, int token, float[] logits) throws InterruptedException {
        if (closed) {
            throw new IllegalStateException("model is closed");
        }
        Step s = new Step(state, token, logits);
        pending.add(s);
        if (closed) {
            failAll(new IllegalStateException("model is closed"));
        }
        while (!s.done) {
            LockSupport.park(this);
            if (Thread.interrupted() && !s.done) {
                // The step may still run; wait for it so the state is never touched by two threads at once.
                while (!s.done) {
                    LockSupport.park(this);
                }
                Thread.currentThread().interrupt();
            }
        }
        if (s.failure != null) {
            throw s.failure;
        }
    }

    private void loop() {
        List<Step> batch = new ArrayList<>(maxBatch);
        SequenceState[] states = new SequenceState[maxBatch];
        int[] tokens = new int[maxBatch];
        float[] logits = new float[maxBatch * vocab];
        DecodeBatch buffers = model.newDecodeBatch();
        while (true) {
            try {
                batch.add(pending.take());
            } catch (InterruptedException e) {
                if (closed) {
                    failAll(new IllegalStateException("model is closed"));
                    return;
                }
                continue;
            }
            pending.drainTo(batch, maxBatch - 1);
            int n = batch.size();
            for (int i = 0; i < n; i++) {
                states[i] = batch.get(i).state;
                tokens[i] = batch.get(i).token;
            }
            RuntimeException failure = null;
            try {
                model.decode(buffers, states, tokens, n, logits);
            } catch (RuntimeException e) {
                failure = e;
            }
            for (int i = 0; i < n; i++) {
                Step s = batch.get(i);
                if (failure == null) {
                    System.arraycopy(logits, i * vocab, s.logits, 0, vocab);
                } else {
                    s.failure = failure;
                }
                s.done = true;
                LockSupport.unpark(s.waiter);
                states[i] = null;
            }
            batch.clear();
        }
    }

    private void failAll(RuntimeException e) {
        Step s;
        while ((s = pending.poll()) != null) {
            s.failure = e;
            s.done = true;
            LockSupport.unpark(s.waiter);
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failAll(new IllegalStateException("model is closed"));
    }
}
