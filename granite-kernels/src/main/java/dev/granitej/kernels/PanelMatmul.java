package dev.granitej.kernels;

import static dev.granitej.kernels.Simd.F;
import static dev.granitej.kernels.Simd.LANES;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * The prefill product on weights already decoded to floats: a panel of {@value #ROWS} weight rows (row k at
 * {@code k·panelStride(cols)}, see {@link #panelStride}) against a block of tokens. Decoding a panel once and
 * running it against every token of a block amortises the widening of bf16/f16 weights and the dequantization of
 * Q8_0/Q4_0 over all those tokens.
 *
 * <p>The register tile is an outer product: the tokens' activations are laid out column-major by groups of
 * {@link #GROUP} tokens ({@link #transpose}), and for each column {@code k} every panel weight is broadcast and
 * multiplied into two vectors of tokens. Each result is then one chain of fused multiply-adds over the columns in
 * order, {@code s = fma(w_k, x_k, s)} from {@code s = 0}, wherever it falls: in any panel, token group, column
 * pass or thread, and equal bit for bit to that loop in scalar code ({@link #dotFma}). No horizontal sums are
 * needed, which a dot-product tile (a vector of partial sums per row and token) spends a tenth of its time on.
 */
final class PanelMatmul {

    /** Weight rows per panel: 12 rows × 2 token vectors = 24 accumulators, two activation vectors, one weight. */
    static final int ROWS = 12;
    /** Tokens per group: two vectors. */
    static final int GROUP = 2 * LANES;
    /** Floats of one group's accumulators: row r's tokens at {@code r·GROUP}. */
    static final int ACC = ROWS * GROUP;
    /**
     * Columns per pass over the groups: 12 rows × 512 columns (24 KB) of the panel stay in L1 while the groups'
     * activations stream past. Without it a panel of a 4096-column matrix (196 KB) is read from L2 once per group.
     */
    static final int K_CHUNK = 512;

    private PanelMatmul() {
    }

    /**
     * Floats from one panel row to the next for rows of {@code cols} columns: one cache line more than a row. The
     * tile reads its twelve rows at once, and rows a multiple of 4 KiB apart (1024, 2048, 3072 or 4096 columns) all
     * fall in the same set of the L1 cache, which holds eight lines of a set: every broadcast missed L1, and
     * products over 3072 and 4096 columns ran half as fast as over 1536 (h-1b's out and down projections, 16 tokens
     * on a Zen 2 core: 21 against 41 GFLOP/s).
     */
    static int panelStride(int cols) {
        return cols + 16;
    }

    /**
     * Floats {@link #transpose} writes for {@code tokens} tokens of {@code cols} columns.
     *
     * @throws IllegalArgumentException when that is more than an array holds (call with fewer tokens at a time)
     */
    static int transposedSize(int tokens, int cols) {
        long floats = (long) groups(tokens) * cols * GROUP;
        if (floats > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a product over " + tokens + " tokens of " + cols
                    + " columns needs " + floats + " floats of scratch, more than an array holds");
        }
        return (int) floats;
    }

    static int groups(int tokens) {
        return (tokens + GROUP - 1) / GROUP;
    }

    /**
     * Lays {@code tokens} activation rows (row t at {@code t·xStride}) out by group: token
     * {@code g·GROUP + j}'s column k at {@code xT[(g·cols + k)·GROUP + j]}, the last group padded with zeros.
     */
    static void transpose(float[] x, int xStride, int tokens, int cols, float[] xT) {
        for (int g = 0; g < groups(tokens); g++) {
            int base = g * cols * GROUP;
            for (int j = 0; j < GROUP; j++) {
                int t = g * GROUP + j;
                if (t < tokens) {
                    int src = t * xStride;
                    for (int k = 0; k < cols; k++) {
                        xT[base + k * GROUP + j] = x[src + k];
                    }
                } else {
                    for (int k = 0; k < cols; k++) {
                        xT[base + k * GROUP + j] = 0f;
                    }
                }
            }
        }
    }

    /**
     * For the panel's first {@code rows} rows (row k at {@code p[k·stride ..]}, {@code cols} floats) and the
     * {@code tokens} tokens of {@code xT} from {@code xOff} (laid out by {@link #transpose}, {@code xOff} the start
     * of a group) writes {@code y[yOff + t·yStride + k] = panel_k·x_t}. Rows past {@code rows} must be zeros or
     * any finite values (their results are dropped). {@code acc} is scratch of {@code groups(tokens)·ACC} floats.
     */
    static void multiply(float[] p, int stride, int cols, int rows, float[] xT, int xOff, int tokens, float[] acc,
                         float[] y, int yOff, int yStride) {
        int groups = groups(tokens);
        Arrays.fill(acc, 0, groups * ACC, 0f);
        for (int k0 = 0; k0 < cols; k0 += K_CHUNK) {
            int k1 = Math.min(cols, k0 + K_CHUNK);
            for (int g = 0; g < groups; g++) {
                if (tokens - g * GROUP <= LANES) {
                    halfTile(p, stride, k0, k1, xT, xOff + g * cols * GROUP, acc, g * ACC);
                } else if (Simd.REGISTERS_32) {
                    tile(p, stride, k0, k1, xT, xOff + g * cols * GROUP, acc, g * ACC);
                } else {
                    // AVX2's 16 registers would spill tile's 24 accumulators: each token vector alone
                    halfTile(p, stride, k0, k1, xT, xOff + g * cols * GROUP, acc, g * ACC);
                    halfTile(p, stride, k0, k1, xT, xOff + g * cols * GROUP + LANES, acc, g * ACC + LANES);
                }
            }
        }
        for (int g = 0; g < groups; g++) {
            int n = Math.min(GROUP, tokens - g * GROUP);
            for (int j = 0; j < n; j++) {
                int out = yOff + (g * GROUP + j) * yStride;
                for (int r = 0; r < rows; r++) {
                    y[out + r] = acc[g * ACC + r * GROUP + j];
                }
            }
        }
    }

    /**
     * Adds columns {@code [k0, k1)} of the twelve panel rows times one group's two token vectors (at
     * {@code xT[xOff + k·GROUP]}) to the group's accumulators at {@code acc[accOff ..]}.
     */
    static void tile(float[] p, int stride, int k0, int k1, float[] xT, int xOff, float[] acc, int accOff) {
        FloatVector a0a = FloatVector.fromArray(F, acc, accOff + 0 * GROUP);
        FloatVector a0b = FloatVector.fromArray(F, acc, accOff + 0 * GROUP + LANES);
        FloatVector a1a = FloatVector.fromArray(F, acc, accOff + 1 * GROUP);
        FloatVector a1b = FloatVector.fromArray(F, acc, accOff + 1 * GROUP + LANES);
        FloatVector a2a = FloatVector.fromArray(F, acc, accOff + 2 * GROUP);
        FloatVector a2b = FloatVector.fromArray(F, acc, accOff + 2 * GROUP + LANES);
        FloatVector a3a = FloatVector.fromArray(F, acc, accOff + 3 * GROUP);
        FloatVector a3b = FloatVector.fromArray(F, acc, accOff + 3 * GROUP + LANES);
        FloatVector a4a = FloatVector.fromArray(F, acc, accOff + 4 * GROUP);
        FloatVector a4b = FloatVector.fromArray(F, acc, accOff + 4 * GROUP + LANES);
        FloatVector a5a = FloatVector.fromArray(F, acc, accOff + 5 * GROUP);
        FloatVector a5b = FloatVector.fromArray(F, acc, accOff + 5 * GROUP + LANES);
        FloatVector a6a = FloatVector.fromArray(F, acc, accOff + 6 * GROUP);
        FloatVector a6b = FloatVector.fromArray(F, acc, accOff + 6 * GROUP + LANES);
        FloatVector a7a = FloatVector.fromArray(F, acc, accOff + 7 * GROUP);
        FloatVector a7b = FloatVector.fromArray(F, acc, accOff + 7 * GROUP + LANES);
        FloatVector a8a = FloatVector.fromArray(F, acc, accOff + 8 * GROUP);
        FloatVector a8b = FloatVector.fromArray(F, acc, accOff + 8 * GROUP + LANES);
        FloatVector a9a = FloatVector.fromArray(F, acc, accOff + 9 * GROUP);
        FloatVector a9b = FloatVector.fromArray(F, acc, accOff + 9 * GROUP + LANES);
        FloatVector a10a = FloatVector.fromArray(F, acc, accOff + 10 * GROUP);
        FloatVector a10b = FloatVector.fromArray(F, acc, accOff + 10 * GROUP + LANES);
        FloatVector a11a = FloatVector.fromArray(F, acc, accOff + 11 * GROUP);
        FloatVector a11b = FloatVector.fromArray(F, acc, accOff + 11 * GROUP + LANES);
        for (int k = k0; k < k1; k++) {
            int xk = xOff + k * GROUP;
            FloatVector v0 = FloatVector.fromArray(F, xT, xk);
            FloatVector v1 = FloatVector.fromArray(F, xT, xk + LANES);
            FloatVector w = FloatVector.broadcast(F, p[k]);
            a0a = w.fma(v0, a0a);
            a0b = w.fma(v1, a0b);
            w = FloatVector.broadcast(F, p[stride + k]);
            a1a = w.fma(v0, a1a);
            a1b = w.fma(v1, a1b);
            w = FloatVector.broadcast(F, p[2 * stride + k]);
            a2a = w.fma(v0, a2a);
            a2b = w.fma(v1, a2b);
            w = FloatVector.broadcast(F, p[3 * stride + k]);
            a3a = w.fma(v0, a3a);
            a3b = w.fma(v1, a3b);
            w = FloatVector.broadcast(F, p[4 * stride + k]);
            a4a = w.fma(v0, a4a);
            a4b = w.fma(v1, a4b);
            w = FloatVector.broadcast(F, p[5 * stride + k]);
            a5a = w.fma(v0, a5a);
            a5b = w.fma(v1, a5b);
            w = FloatVector.broadcast(F, p[6 * stride + k]);
            a6a = w.fma(v0, a6a);
            a6b = w.fma(v1, a6b);
            w = FloatVector.broadcast(F, p[7 * stride + k]);
            a7a = w.fma(v0, a7a);
            a7b = w.fma(v1, a7b);
            w = FloatVector.broadcast(F, p[8 * stride + k]);
            a8a = w.fma(v0, a8a);
            a8b = w.fma(v1, a8b);
            w = FloatVector.broadcast(F, p[9 * stride + k]);
            a9a = w.fma(v0, a9a);
            a9b = w.fma(v1, a9b);
            w = FloatVector.broadcast(F, p[10 * stride + k]);
            a10a = w.fma(v0, a10a);
            a10b = w.fma(v1, a10b);
            w = FloatVector.broadcast(F, p[11 * stride + k]);
            a11a = w.fma(v0, a11a);
            a11b = w.fma(v1, a11b);
        }
        a0a.intoArray(acc, accOff + 0 * GROUP);
        a0b.intoArray(acc, accOff + 0 * GROUP + LANES);
        a1a.intoArray(acc, accOff + 1 * GROUP);
        a1b.intoArray(acc, accOff + 1 * GROUP + LANES);
        a2a.intoArray(acc, accOff + 2 * GROUP);
        a2b.intoArray(acc, accOff + 2 * GROUP + LANES);
        a3a.intoArray(acc, accOff + 3 * GROUP);
        a3b.intoArray(acc, accOff + 3 * GROUP + LANES);
        a4a.intoArray(acc, accOff + 4 * GROUP);
        a4b.intoArray(acc, accOff + 4 * GROUP + LANES);
        a5a.intoArray(acc, accOff + 5 * GROUP);
        a5b.intoArray(acc, accOff + 5 * GROUP + LANES);
        a6a.intoArray(acc, accOff + 6 * GROUP);
        a6b.intoArray(acc, accOff + 6 * GROUP + LANES);
        a7a.intoArray(acc, accOff + 7 * GROUP);
        a7b.intoArray(acc, accOff + 7 * GROUP + LANES);
        a8a.intoArray(acc, accOff + 8 * GROUP);
        a8b.intoArray(acc, accOff + 8 * GROUP + LANES);
        a9a.intoArray(acc, accOff + 9 * GROUP);
        a9b.intoArray(acc, accOff + 9 * GROUP + LANES);
        a10a.intoArray(acc, accOff + 10 * GROUP);
        a10b.intoArray(acc, accOff + 10 * GROUP + LANES);
        a11a.intoArray(acc, accOff + 11 * GROUP);
        a11b.intoArray(acc, accOff + 11 * GROUP + LANES);
    }

    /** {@link #tile} for a group whose tokens fit one vector (the last group of a block): the same chains. */
    static void halfTile(float[] p, int stride, int k0, int k1, float[] xT, int xOff, float[] acc, int accOff) {
        FloatVector a0a = FloatVector.fromArray(F, acc, accOff + 0 * GROUP);
        FloatVector a1a = FloatVector.fromArray(F, acc, accOff + 1 * GROUP);
        FloatVector a2a = FloatVector.fromArray(F, acc, accOff + 2 * GROUP);
        FloatVector a3a = FloatVector.fromArray(F, acc, accOff + 3 * GROUP);
        FloatVector a4a = FloatVector.fromArray(F, acc, accOff + 4 * GROUP);
        FloatVector a5a = FloatVector.fromArray(F, acc, accOff + 5 * GROUP);
        FloatVector a6a = FloatVector.fromArray(F, acc, accOff + 6 * GROUP);
        FloatVector a7a = FloatVector.fromArray(F, acc, accOff + 7 * GROUP);
        FloatVector a8a = FloatVector.fromArray(F, acc, accOff + 8 * GROUP);
        FloatVector a9a = FloatVector.fromArray(F, acc, accOff + 9 * GROUP);
        FloatVector a10a = FloatVector.fromArray(F, acc, accOff + 10 * GROUP);
        FloatVector a11a = FloatVector.fromArray(F, acc, accOff + 11 * GROUP);
        for (int k = k0; k < k1; k++) {
            int xk = xOff + k * GROUP;
            FloatVector v0 = FloatVector.fromArray(F, xT, xk);
            FloatVector w = FloatVector.broadcast(F, p[k]);
            a0a = w.fma(v0, a0a);
            w = FloatVector.broadcast(F, p[stride + k]);
            a1a = w.fma(v0, a1a);
            w = FloatVector.broadcast(F, p[2 * stride + k]);
            a2a = w.fma(v0, a2a);
            w = FloatVector.broadcast(F, p[3 * stride + k]);
            a3a = w.fma(v0, a3a);
            w = FloatVector.broadcast(F, p[4 * stride + k]);
            a4a = w.fma(v0, a4a);
            w = FloatVector.broadcast(F, p[5 * stride + k]);
            a5a = w.fma(v0, a5a);
            w = FloatVector.broadcast(F, p[6 * stride + k]);
            a6a = w.fma(v0, a6a);
            w = FloatVector.broadcast(F, p[7 * stride + k]);
            a7a = w.fma(v0, a7a);
            w = FloatVector.broadcast(F, p[8 * stride + k]);
            a8a = w.fma(v0, a8a);
            w = FloatVector.broadcast(F, p[9 * stride + k]);
            a9a = w.fma(v0, a9a);
            w = FloatVector.broadcast(F, p[10 * stride + k]);
            a10a = w.fma(v0, a10a);
            w = FloatVector.broadcast(F, p[11 * stride + k]);
            a11a = w.fma(v0, a11a);
        }
        a0a.intoArray(acc, accOff + 0 * GROUP);
        a1a.intoArray(acc, accOff + 1 * GROUP);
        a2a.intoArray(acc, accOff + 2 * GROUP);
        a3a.intoArray(acc, accOff + 3 * GROUP);
        a4a.intoArray(acc, accOff + 4 * GROUP);
        a5a.intoArray(acc, accOff + 5 * GROUP);
        a6a.intoArray(acc, accOff + 6 * GROUP);
        a7a.intoArray(acc, accOff + 7 * GROUP);
        a8a.intoArray(acc, accOff + 8 * GROUP);
        a9a.intoArray(acc, accOff + 9 * GROUP);
        a10a.intoArray(acc, accOff + 10 * GROUP);
        a11a.intoArray(acc, accOff + 11 * GROUP);
    }

    /** The scalar twin of one result: {@code s = fma(p[pOff + k], x[xOff + k], s)} over the columns in order. */
    static float dotFma(float[] p, int pOff, int cols, float[] x, int xOff) {
        float s = 0f;
        for (int k = 0; k < cols; k++) {
            s = Math.fma(p[pOff + k], x[xOff + k], s);
        }
        return s;
    }
}
