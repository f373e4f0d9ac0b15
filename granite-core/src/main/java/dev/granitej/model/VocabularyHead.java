package dev.granitej.model;

import dev.granitej.kernels.MatmulScratch;
import dev.granitej.kernels.Parallel;
import dev.granitej.kernels.WeightMatrix;

/**
 * The lm_head, {@code logits = W·x}. As stored it is one product. Under a quantized weight format the product
 * reads a Q8_0 copy of W, half the bytes of bf16 (at 100352 × 768 the head is a sixth of what h-350m reads per
 * decoded token), and then every row that could still hold the largest logit is recomputed from the stored
 * weights. So the argmax, greedy decoding's choice, is exactly the stored head's, and so are the leading logits a
 * sampler draws from; only rows far below the top keep their Q8_0 values.
 *
 * <p>Which rows: by Cauchy–Schwarz {@code |(W_r − Q_r)·x| ≤ ‖W_r − Q_r‖₂·‖x‖₂}, so with {@code bound[r]} that
 * norm plus an allowance for the rounding of both fp32 dots, row r's stored logit lies within
 * {@code bound[r]·‖x‖₂} of {@code Q_r·x}. The Q8_0 kernels read {@code x} rounded to 8-bit blocks, {@code x̂}
 * ({@link WeightMatrix#inputRounding}), which moves the logit by at most {@code ‖Q_r‖₂·‖x − x̂‖₂} more. Rows whose
 * upper end falls below the highest lower end cannot be the largest; all others are recomputed.
 */
final class VocabularyHead {

    /** The product: the Q8_0 copy, or the stored matrix itself. */
    private final Linear product;
    /** The stored matrix that candidate rows are recomputed from; null when {@code product} is it. */
    private final WeightMatrix stored;
    /** Per row, how far its Q8_0 logit may be from the stored one, per unit of {@code ‖x‖₂}. */
    private final float[] bound;
    /** Per row, how far its Q8_0 logit may move per unit of {@code ‖x − x̂‖₂}: {@code ‖Q_r‖₂} and some slack. */
    private final float[] inputBound;

    private VocabularyHead(Linear product, WeightMatrix stored, float[] bound, float[] inputBound) {
        this.product = product;
        this.stored = stored;
        this.bound = bound;
        this.inputBound = inputBound;
    }

    /** The head as stored: one product, nothing recomputed. */
    static VocabularyHead asStored(WeightMatrix stored, Parallel pool) {
        return new VocabularyHead(new Linear(stored, pool), null, null, null);
    }

    /**
     * The head read in {@code quantized}, a copy of {@code stored}, with the rows that may hold the largest logit
     * recomputed from {@code stored}. Measures each row's quantization error once (over the pool's threads).
     */
    static VocabularyHead refined(WeightMatrix stored, WeightMatrix quantized, Parallel pool) {
        if (stored.rows() != quantized.rows() || stored.cols() != quantized.cols()) {
            throw new IllegalArgumentException("the quantized head is " + quantized.rows() + " × " + quantized.cols()
                    + ", the stored one " + stored.rows() + " × " + stored.cols());
        }
        int cols = stored.cols();
        float[] bound = new float[stored.rows()];
        float[] inputBound = new float[stored.rows()];
        // γ_n of the fp32 dots (any order of n products, and the per-block scaling of Q8_0: 2n to be safe)
        double gamma = 2.0 * cols * 0x1p-24 / (1 - 2.0 * cols * 0x1p-24);
        pool.forRange(0, stored.rows(), 512, (from, to) -> {
            float[] w = new float[cols];
            float[] q = new float[cols];
            for (int r = from; r < to; r++) {
                stored.readRow(r, w, 0);
                quantized.readRow(r, q, 0);
                double err = 0;
                double ww = 0;
                double qq = 0;
                for (int i = 0; i < cols; i++) {
                    double e = (double) w[i] - q[i];
                    err += e * e;
                    ww += (double) w[i] * w[i];
                    qq += (double) q[i] * q[i];
                }
                // 1% slack covers the float arithmetic of the test in refine
                bound[r] = (float) ((Math.sqrt(err) + gamma * (Math.sqrt(ww) + Math.sqrt(qq))) * 1.01);
                // the dot of the rounded input, ‖x̂‖ ≤ ‖x‖ + ‖x − x̂‖, rounds by γ·‖Q_r‖ per unit of the latter too
                inputBound[r] = (float) (Math.sqrt(qq) * (1 + gamma) * 1.01);
            }
        });
        return new VocabularyHead(new Linear(quantized, pool), stored, bound, inputBound);
    }

    /** Logits of one vector: {@code y[yOff + r]} for every row; {@code scratch} serves the product. */
    void matvec(float[] x, int xOff, float[] y, int yOff, MatmulScratch scratch) {
        product.matvec(x, xOff, y, yOff, scratch);
        refine(x, xOff, y, yOff);
    }

    /** Logits of {@code tokens} vectors, as {@link Linear#forward(int, boolean, float[], int, float[], int,
     * MatmulScratch)}; each row's refinement depends on that row alone, so batch invariance is kept. */
    void forward(int tokens, boolean exact, float[] x, int xStride, float[] y, int yStride, MatmulScratch scratch) {
        product.forward(tokens, exact, x, xStride, y, yStride, scratch);
        for (int t = 0; t < tokens; t++) {
            refine(x, t * xStride, y, t * yStride);
        }
    }

    /** Recomputes from the stored weights every row whose logit could be the largest. */
    private void refine(float[] x, int xOff, float[] y, int yOff) {
        if (stored == null) {
            return;
        }
        int cols = stored.cols();
        double squares = 0;
        for (int i = 0; i < cols; i++) {
            squares += (double) x[xOff + i] * x[xOff + i];
        }
        float norm = (float) (Math.sqrt(squares) * (1 + 0x1p-20));
        float rounding = (float) (product.weight().inputRounding(x, xOff) * (1 + 0x1p-20));
        int rows = stored.rows();
        float floor = Float.NEGATIVE_INFINITY;
        for (int r = 0; r < rows; r++) {
            floor = Math.max(floor, y[yOff + r] - (norm * bound[r] + rounding * inputBound[r]));
        }
        for (int r = 0; r < rows; r++) {
            if (y[yOff + r] + (norm * bound[r] + rounding * inputBound[r]) >= floor) {
                y[yOff + r] = stored.dotFew(r, x, xOff);
            }
        }
    }
}
