package dev.granitej.kernels;

import static dev.granitej.kernels.Simd.F;
import static dev.granitej.kernels.Simd.LANES;

import jdk.incubator.vector.FloatVector;

/**
 * The prefill product on weights already decoded to floats: a panel of {@value #ROWS} weight rows (row k at
 * {@code k·cols}) against activation rows. Decoding a panel once and running it against every token of a block
 * amortises the widening of bf16/f16 weights over all those tokens, where a tile that reads the weights from
 * memory widens them again for every four tokens.
 *
 * <p>Every result is computed the same way wherever it falls (in a 4×4 tile or a leftover dot): one vector
 * accumulator over the columns, {@link Simd#sum}, then the scalar tail. So the result of a row does not depend on
 * which panel or thread it falls in.
 */
final class PanelMatmul {

    /** Weight rows per panel. */
    static final int ROWS = 4;
    /** Tokens per register tile: 4 rows × 4 tokens = 16 accumulators, plus 4 weight vectors and 1 activation. */
    static final int TOKENS = 4;
    /** Floats of the scratch {@link #tile} stores its accumulators in. */
    static final int SUMS = ROWS * TOKENS * LANES;

    private PanelMatmul() {
    }

    /**
     * For the four panel rows and tokens {@code t = 0..3} (token t's activations at {@code xOff + t·xStride})
     * writes {@code y[yOff + t·yStride + k] = panel_k·x_t}. {@code sums} is scratch of {@link #SUMS} floats.
     */
    static void tile(float[] p, int cols, float[] x, int xOff, int xStride, float[] y, int yOff, int yStride,
                     float[] sums) {
        int p1 = cols;
        int p2 = 2 * cols;
        int p3 = 3 * cols;
        int x1 = xOff + xStride;
        int x2 = x1 + xStride;
        int x3 = x2 + xStride;
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        int i = 0;
        for (; i <= cols - LANES; i += LANES) {
            FloatVector w0 = FloatVector.fromArray(F, p, i);
            FloatVector w1 = FloatVector.fromArray(F, p, p1 + i);
            FloatVector w2 = FloatVector.fromArray(F, p, p2 + i);
            FloatVector w3 = FloatVector.fromArray(F, p, p3 + i);
            FloatVector v = FloatVector.fromArray(F, x, xOff + i);
            a00 = w0.fma(v, a00);
            a10 = w1.fma(v, a10);
            a20 = w2.fma(v, a20);
            a30 = w3.fma(v, a30);
            v = FloatVector.fromArray(F, x, x1 + i);
            a01 = w0.fma(v, a01);
            a11 = w1.fma(v, a11);
            a21 = w2.fma(v, a21);
            a31 = w3.fma(v, a31);
            v = FloatVector.fromArray(F, x, x2 + i);
            a02 = w0.fma(v, a02);
            a12 = w1.fma(v, a12);
            a22 = w2.fma(v, a22);
            a32 = w3.fma(v, a32);
            v = FloatVector.fromArray(F, x, x3 + i);
            a03 = w0.fma(v, a03);
            a13 = w1.fma(v, a13);
            a23 = w2.fma(v, a23);
            a33 = w3.fma(v, a33);
        }
        int from = i;
        // Stored, then summed in scalar code: no vector leaves this method (see Simd.sumLanes).
        a00.intoArray(sums, 0);
        a01.intoArray(sums, LANES);
        a02.intoArray(sums, 2 * LANES);
        a03.intoArray(sums, 3 * LANES);
        a10.intoArray(sums, 4 * LANES);
        a11.intoArray(sums, 5 * LANES);
        a12.intoArray(sums, 6 * LANES);
        a13.intoArray(sums, 7 * LANES);
        a20.intoArray(sums, 8 * LANES);
        a21.intoArray(sums, 9 * LANES);
        a22.intoArray(sums, 10 * LANES);
        a23.intoArray(sums, 11 * LANES);
        a30.intoArray(sums, 12 * LANES);
        a31.intoArray(sums, 13 * LANES);
        a32.intoArray(sums, 14 * LANES);
        a33.intoArray(sums, 15 * LANES);
        for (int k = 0; k < ROWS; k++) {
            int s0 = 4 * k * LANES;
            finishRow(p, k * cols, from, cols, x, xOff, xStride, y, yOff + k, yStride,
                    Simd.sumLanes(sums, s0), Simd.sumLanes(sums, s0 + LANES), Simd.sumLanes(sums, s0 + 2 * LANES),
                    Simd.sumLanes(sums, s0 + 3 * LANES));
        }
    }

    /** Adds the scalar tail (columns {@code from..cols}) of one panel row to its four token sums and stores them. */
    private static void finishRow(float[] p, int pOff, int from, int cols, float[] x, int xOff, int xStride,
                                  float[] y, int yOff, int yStride, float s0, float s1, float s2, float s3) {
        for (int i = from; i < cols; i++) {
            float w = p[pOff + i];
            s0 += w * x[xOff + i];
            s1 += w * x[xOff + xStride + i];
            s2 += w * x[xOff + 2 * xStride + i];
            s3 += w * x[xOff + 3 * xStride + i];
        }
        y[yOff] = s0;
        y[yOff + yStride] = s1;
        y[yOff + 2 * yStride] = s2;
        y[yOff + 3 * yStride] = s3;
    }

    /** {@code panel_k·x} for one panel row at {@code pOff}, rounded exactly as {@link #tile} rounds it. */
    static float dot(float[] p, int pOff, int cols, float[] x, int xOff) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (; i <= cols - LANES; i += LANES) {
            acc = FloatVector.fromArray(F, p, pOff + i).fma(FloatVector.fromArray(F, x, xOff + i), acc);
        }
        float s = Simd.sum(acc);
        for (; i < cols; i++) {
            s += p[pOff + i] * x[xOff + i];
        }
        return s;
    }
}
