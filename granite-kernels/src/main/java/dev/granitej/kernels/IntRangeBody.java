package dev.granitej.kernels;

/**
 * A piece of work over the index range {@code [from, to)}, run by {@link Parallel#forRange}: a {@link ChunkBody}
 * that ignores which chunk it is, so the pool runs both kinds the same way without wrapping one in the other.
 */
@FunctionalInterface
public interface IntRangeBody extends ChunkBody {

    /** Processes indices {@code from} (inclusive) to {@code to} (exclusive). */
    void run(int from, int to);

    @Override
    default void run(int chunk, int from, int to) {
        run(from, to);
    }
}
