package dev.granitej.kernels;

/** A piece of work over the index range {@code [from, to)}, run by {@link Parallel#forRange}. */
@FunctionalInterface
public interface IntRangeBody {

    /** Processes indices {@code from} (inclusive) to {@code to} (exclusive). */
    void run(int from, int to);
}
