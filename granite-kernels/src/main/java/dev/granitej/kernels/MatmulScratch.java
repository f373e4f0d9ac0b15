package dev.granitej.kernels;

/**
 * Reusable buffers for the products that take one ({@link WeightMatrix#matmul(Parallel, float[], int, float[], int,
 * int, MatmulScratch)}, {@link WeightMatrix#matmulExact(Parallel, float[], int, float[], int, int, MatmulScratch)}):
 * the activations laid out by token group or quantized per token (shared by the threads of a call) and, per chunk
 * of the call, a decoded weight panel, the tile accumulators and the sums of the exact kernels. A prefill pass
 * runs hundreds of products and a decode step a few hundred more; without it each would allocate (and zero) these
 * again, hundreds of megabytes per pass for a mixture-of-experts model, and the garbage collector would stop the
 * pass to copy the session's live buffers.
 *
 * <p>Buffers only grow. One scratch serves one call at a time: give each sequence (or session) its own, and each
 * thread that runs products of its own another.
 */
public final class MatmulScratch {

    private float[] transposed = new float[0];
    private float[][] panels = new float[0][];
    private float[][] accumulators = new float[0][];
    private float[][] sums = new float[0][];
    private RowGroupMatrix.Activations[] activations = new RowGroupMatrix.Activations[0];
    private final ExactTask exactTask = new ExactTask(this);

    /** An empty scratch; buffers are allocated by the first products that need them. */
    public MatmulScratch() {
    }

    float[] transposed(int floats) {
        if (transposed.length < floats) {
            transposed = new float[floats];
        }
        return transposed;
    }

    /** Makes room for {@code chunks} chunks before a call forks (the chunks then only read the arrays). */
    void reserve(int chunks, int panelFloats, int accumulatorFloats) {
        if (panels.length < chunks) {
            panels = java.util.Arrays.copyOf(panels, chunks);
            accumulators = java.util.Arrays.copyOf(accumulators, chunks);
        }
        for (int c = 0; c < chunks; c++) {
            if (panels[c] == null || panels[c].length < panelFloats) {
                panels[c] = new float[panelFloats];
            }
            if (accumulators[c] == null || accumulators[c].length < accumulatorFloats) {
                accumulators[c] = new float[accumulatorFloats];
            }
        }
    }

    /**
     * Makes room for the sums of the tiles and the exact kernels ({@link WeightMatrix#TILE_SUMS} floats) of
     * {@code chunks} chunks.
     */
    void reserveSums(int chunks) {
        if (sums.length < chunks) {
            float[][] grown = java.util.Arrays.copyOf(sums, chunks);
            for (int c = sums.length; c < chunks; c++) {
                grown[c] = new float[WeightMatrix.TILE_SUMS];
            }
            sums = grown;
        }
    }

    /** The body of this scratch's exact product over a pool (one call at a time, as the buffers). */
    ExactTask exactTask() {
        return exactTask;
    }

    float[] sums(int chunk) {
        return sums[chunk];
    }

    /**
     * Room for {@code tokens} tokens' activations quantized per block ({@link RowGroupMatrix.Activations}) over
     * {@code cols} columns; the caller fills them before the call forks.
     */
    RowGroupMatrix.Activations[] activations(int tokens, int cols) {
        if (activations.length < tokens) {
            activations = java.util.Arrays.copyOf(activations, tokens);
        }
        for (int t = 0; t < tokens; t++) {
            if (activations[t] == null || activations[t].columns() < cols) {
                activations[t] = new RowGroupMatrix.Activations(cols);
            }
        }
        return activations;
    }

    float[] panel(int chunk) {
        return panels[chunk];
    }

    float[] accumulators(int chunk) {
        return accumulators[chunk];
    }
}
