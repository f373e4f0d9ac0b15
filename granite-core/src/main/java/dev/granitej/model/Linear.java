package dev.granitej.model;

import dev.granitej.kernels.MatmulScratch;
import dev.granitej.kernels.Parallel;
import dev.granitej.kernels.WeightMatrix;

/**
 * A linear layer {@code y = W·x} over the rows of a pass, its output rows split over the engine's threads.
 * Prompt chunks use the register-tiled matmul (fastest). A batch-invariant batch of decode rows from different
 * sequences uses the exact product: each weight row is still read once per step for the whole batch, and every
 * sequence gets bit for bit what a step alone gives it.
 */
final class Linear {

    private final WeightMatrix weight;
    private final Parallel pool;

    Linear(WeightMatrix weight, Parallel pool) {
        this.weight = weight;
        this.pool = pool;
    }

    int rows() {
        return weight.rows();
    }

    WeightMatrix weight() {
        return weight;
    }

    /** {@code y[t·yStride + r] = W[r]·x[t·xStride ..]} for the rows of the pass. */
    void forward(Workspace ws, float[] x, int xStride, float[] y, int yStride) {
        forward(ws.tokens, ws.exactRows, x, xStride, y, yStride, ws.matmulScratch);
    }

    /**
     * {@code y[t·yStride + r] = W[r]·x[t·xStride ..]} for {@code tokens} rows; with {@code exact} every row gets
     * exactly the dot a single row would. Both products take their buffers from {@code scratch}.
     */
    void forward(int tokens, boolean exact, float[] x, int xStride, float[] y, int yStride, MatmulScratch scratch) {
        if (tokens == 1 || exact) {
            weight.matmulExact(pool, x, xStride, y, yStride, tokens, scratch);
        } else {
            weight.matmul(pool, x, xStride, y, yStride, tokens, scratch);
        }
    }

    /** {@code y[yOff + r] = W[r]·x[xOff ..]} for one vector, the pool's body taken from {@code scratch}. */
    void matvec(float[] x, int xOff, float[] y, int yOff, MatmulScratch scratch) {
        weight.matvec(pool, x, xOff, y, yOff, scratch);
    }
}
