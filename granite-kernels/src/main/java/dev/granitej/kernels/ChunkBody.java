package dev.granitej.kernels;

/** A piece of work over {@code [from, to)} that is told which chunk of its call it is ({@link Parallel#forChunks}). */
@FunctionalInterface
public interface ChunkBody {

    /** Processes indices {@code from} (inclusive) to {@code to} (exclusive) as chunk {@code chunk}. */
    void run(int chunk, int from, int to);
}
