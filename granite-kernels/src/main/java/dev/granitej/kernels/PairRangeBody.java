package dev.granitej.kernels;

/**
 * A piece of work over {@code [from, to)} that receives two arguments from the call ({@link Parallel#forRange(int,
 * int, int, Object, Object, PairRangeBody)}) instead of capturing them: a method reference such as
 * {@code Layer::work} with {@code work(Scratch s, int from, int to)} captures nothing, so the JVM makes it once,
 * where a lambda capturing the layer and its scratch is a new object at every call (a decode step makes hundreds).
 */
@FunctionalInterface
public interface PairRangeBody<A, B> {

    /** Processes indices {@code from} (inclusive) to {@code to} (exclusive) with the call's {@code a} and {@code b}. */
    void run(A a, B b, int from, int to);
}
