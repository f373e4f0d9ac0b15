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
    static final int ROWS = 6;
    /**
     * Tokens per register tile: 6 rows × 4 tokens = 24 accumulators, plus the 4 tokens' activations and one weight
     * vector: 29 of AVX-512's 32 registers. Six rows rather than four: per fused multiply-add the tile then loads
     * a sixth of an activation vector (which streams from L2, the panel staying in L1) instead of a quarter,
     * about 1.2× the throughput of a 4 × 4 tile on this machine.
     */
    static final int TOKENS = 4;
    /** Floats of the scratch {@link #tile} stores its accumulators and their sums in (see {@link Simd#sumEach}). */
    static final int SUMS = ROWS * TOKENS * (LANES + 1);

    private PanelMatmul() {
    }

    /**
     * For the six panel rows and tokens {@code t = 0..3} (token t's activations at {@code xOff + t·xStride})
     * writes {@code y[yOff + t·yStride + k] = panel_k·x_t}. {@code sums} is scratch of {@link #SUMS} floats.
     */
    static void tile(float[] p, int cols, float[] x, int xOff, int xStride, float[] y, int yOff, int yStride,
                     float[] sums) {
        int p1 = cols;
        int p2 = 2 * cols;
        int p3 = 3 * cols;
        int p4 = 4 * cols;
        int p5 = 5 * cols;
        int x1 = xOff + xStride;
        int x2 = x1 + xStride;
        int x3 = x2 + xStride;
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        FloatVector a40 = a00, a41 = a00, a42 = a00, a43 = a00;
        FloatVector a50 = a00, a51 = a00, a52 = a00, a53 = a00;
        int i = 0;
        for (; i <= cols - LANES; i += LANES) {
            FloatVector v0 = FloatVector.fromArray(F, x, xOff + i);
            FloatVector v1 = FloatVector.fromArray(F, x, x1 + i);
            FloatVector v2 = FloatVector.fromArray(F, x, x2 + i);
            FloatVector v3 = FloatVector.fromArray(F, x, x3 + i);
            FloatVector w = FloatVector.fromArray(F, p, i);
            a00 = w.fma(v0, a00);
            a01 = w.fma(v1, a01);
            a02 = w.fma(v2, a02);
            a03 = w.fma(v3, a03);
            w = FloatVector.fromArray(F, p, p1 + i);
            a10 = w.fma(v0, a10);
            a11 = w.fma(v1, a11);
            a12 = w.fma(v2, a12);
            a13 = w.fma(v3, a13);
            w = FloatVector.fromArray(F, p, p2 + i);
            a20 = w.fma(v0, a20);
            a21 = w.fma(v1, a21);
            a22 = w.fma(v2, a22);
            a23 = w.fma(v3, a23);
            w = FloatVector.fromArray(F, p, p3 + i);
            a30 = w.fma(v0, a30);
            a31 = w.fma(v1, a31);
            a32 = w.fma(v2, a32);
            a33 = w.fma(v3, a33);
            w = FloatVector.fromArray(F, p, p4 + i);
            a40 = w.fma(v0, a40);
            a41 = w.fma(v1, a41);
            a42 = w.fma(v2, a42);
            a43 = w.fma(v3, a43);
            w = FloatVector.fromArray(F, p, p5 + i);
            a50 = w.fma(v0, a50);
            a51 = w.fma(v1, a51);
            a52 = w.fma(v2, a52);
            a53 = w.fma(v3, a53);
        }
        int from = i;
        // Stored, then summed by Simd.sumEach (no vector leaves this method; see Simd.sumLanes): accumulator
        // 4k + t at (4k + t)·LANES, summed in a group of 16 and one of 8.
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
        a40.intoArray(sums, 16 * LANES);
        a41.intoArray(sums, 17 * LANES);
        a42.intoArray(sums, 18 * LANES);
        a43.intoArray(sums, 19 * LANES);
        a50.intoArray(sums, 20 * LANES);
        a51.intoArray(sums, 21 * LANES);
        a52.intoArray(sums, 22 * LANES);
        a53.intoArray(sums, 23 * LANES);
        // the last 8 first: the first 16 accumulators' sums land where they were
        Simd.sumEach(sums, 16 * LANES, 8);
        Simd.sumEach(sums, 0, 16);
        for (int k = 0; k < ROWS; k++) {
            int s0 = k < 4 ? 16 * LANES + TOKENS * k : 24 * LANES + TOKENS * (k - 4);
            finishRow(p, k * cols, from, cols, x, xOff, xStride, y, yOff + k, yStride,
                    sums[s0], sums[s0 + 1], sums[s0 + 2], sums[s0 + 3]);
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
