package dev.granitej.kernels;

/**
 * Reusable buffers for {@link WeightMatrix#matmul(Parallel, float[], int, float[], int, int, MatmulScratch)}: the
 * activations laid out by token group (shared by the threads of a call) and, per chunk of the call, a decoded
 * weight panel and the tile accumulators. A prefill pass runs hundreds of products; without it each would
 * allocate (and zero) these again, hundreds of megabytes per pass for a mixture-of-experts model, and the
 * garbage collector would stop the pass to copy the session's live buffers.
 *
 * <p>Buffers only grow. One scratch serves one call at a time: give each sequence (or session) its own.
 */
public final class MatmulScratch {

    private float[] transposed = new float[0];
    private float[][] panels = new float[0][];
    private float[][] accumulators = new float[0][];

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

    float[] panel(int chunk) {
        return panels[chunk];
    }

    float[] accumulators(int chunk) {
        return accumulators[chunk];
    }
}
