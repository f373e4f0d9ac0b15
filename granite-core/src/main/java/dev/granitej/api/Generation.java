package dev.granitej.api;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A generation running on its own thread: consume its text as an {@link Iterator} or a
 * {@link Flow.Publisher} (one consumer per generation), {@link #cancel()} it, and get the
 * {@link #result() result}. Text pieces are whole UTF-8 characters and never contain a stop string.
 */
public final class Generation {

    /** Marks the end of the text stream in the queue. */
    private static final String END = new String("<end>");

    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final CompletableFuture<GenerationResult> result = new CompletableFuture<>();
    private final LinkedBlockingQueue<String> texts = new LinkedBlockingQueue<>();
    private final AtomicBoolean consumed = new AtomicBoolean();

    private Generation() {
    }

    static Generation start(Session session, GenerationRequest request) {
        Objects.requireNonNull(request, "request");
        Generation g = new Generation();
        Thread t = new Thread(() -> {
            try {
                g.result.complete(session.generate(request, g.texts::add, g.cancelled));
            } catch (Throwable e) {
                g.result.completeExceptionally(e);
            } finally {
                g.texts.add(END);
            }
        }, "granitej-generation");
        t.setDaemon(true);
        t.start();
        return g;
    }

    /** Asks the generation to stop after the current token; it then finishes with {@link FinishReason#CANCELLED}. */
    public void cancel() {
        cancelled.set(true);
    }

    /** Whether {@link #cancel()} was called. */
    public boolean isCancelled() {
        return cancelled.get();
    }

    /** Completes with the result, or exceptionally with what went wrong. */
    public CompletableFuture<GenerationResult> result() {
        return result;
    }

    /** Waits for the result; rethrows a failure unchecked. */
    public GenerationResult await() throws InterruptedException {
        try {
            return result.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("generation failed", e.getCause());
        }
    }

    /** The text pieces as they are produced; blocks in {@code hasNext()} until the next one or the end. */
    public Iterator<String> texts() {
        claim();
        return new Iterator<>() {
            private String next;

            @Override
            public boolean hasNext() {
                if (next == null) {
                    try {
                        next = texts.take();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        cancel();
                        throw new IllegalStateException("interrupted while waiting for text", e);
                    }
                    if (next == END) {
                        texts.add(END);
                    }
                }
                return next != END;
            }

            @Override
            public String next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                String s = next;
                next = null;
                return s;
            }
        };
    }

    /**
     * The text pieces as a reactive stream for one subscriber, honouring its demand. Cancelling the
     * subscription cancels the generation; a failed generation ends the stream with {@code onError}.
     */
    public Flow.Publisher<String> publisher() {
        claim();
        return subscriber -> {
            Objects.requireNonNull(subscriber, "subscriber");
            AtomicLong demand = new AtomicLong();
            AtomicBoolean stopped = new AtomicBoolean();
            Object signal = new Object();
            subscriber.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                    if (n <= 0) {
                        stopped.set(true);
                        cancel();
                        subscriber.onError(new IllegalArgumentException("request(" + n + "): demand must be positive"));
                        return;
                    }
                    demand.accumulateAndGet(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
                    synchronized (signal) {
                        signal.notifyAll();
                    }
                }

                @Override
                public void cancel() {
                    stopped.set(true);
                    Generation.this.cancel();
                    synchronized (signal) {
                        signal.notifyAll();
                    }
                }
            });
            Thread t = new Thread(() -> deliver(subscriber, demand, stopped, signal), "granitej-publisher");
            t.setDaemon(true);
            t.start();
        };
    }

    private void deliver(Flow.Subscriber<? super String> subscriber, AtomicLong demand, AtomicBoolean stopped,
                         Object signal) {
        try {
            while (!stopped.get()) {
                String s = texts.take();
                if (s == END) {
                    try {
                        result.join();
                        subscriber.onComplete();
                    } catch (RuntimeException e) {
                        subscriber.onError(e.getCause() != null ? e.getCause() : e);
                    }
                    return;
                }
                synchronized (signal) {
                    while (demand.get() == 0 && !stopped.get()) {
                        signal.wait();
                    }
                }
                if (stopped.get()) {
                    return;
                }
                demand.decrementAndGet();
                subscriber.onNext(s);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void claim() {
        if (!consumed.compareAndSet(false, true)) {
            throw new IllegalStateException("the text of a generation can be consumed once");
        }
    }
}
