package dev.granitej.kernels;

/**
 * One {@link WeightMatrix#matmulExact(Parallel, float[], int, float[], int, int, MatmulScratch)} or
 * {@link WeightMatrix#matvec(Parallel, float[], int, float[], int, MatmulScratch)} call as the pool's body, held
 * by its {@link MatmulScratch} and filled in again for every call: a capturing lambda per call (and another to
 * turn units into rows) made every product of a decode step allocate two small objects, ~12 KB a step. The fields
 * are written before the call forks (the pool publishes them to its threads) and cleared after it.
 */
final class ExactTask implements ChunkBody {

    private final MatmulScratch scratch;
    WeightMatrix matrix;
    int unit;
    float[] x;
    int xStride;
    float[] y;
    int yStride;
    int tokens;
    /** A matvec: one token at {@code x[xOff ..]}, its results at {@code y[yOff + r]}. */
    boolean matvec;
    int xOff;
    int yOff;
    /** Q4_0's quantized tokens, shared by the chunks; null for the other formats. */
    RowGroupMatrix.Activations[] activations;

    ExactTask(MatmulScratch scratch) {
        this.scratch = scratch;
    }

    MatmulScratch scratch() {
        return scratch;
    }

    /** Runs units {@code [from, to)} of {@link #unit} rows (the last one perhaps short) as chunk {@code chunk}. */
    @Override
    public void run(int chunk, int from, int to) {
        matrix.exactChunk(this, chunk, matrix.unitRow(from, unit), matrix.unitRow(to, unit));
    }

    void clear() {
        matrix = null;
        x = null;
        y = null;
        activations = null;
        matvec = false;
    }
}
