package dev.granitej.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Attention over a blocked key cache equals attention over plain key rows; vector equals scalar; rows attending
 * together get exactly what each gets alone.
 */
class BlockedAttentionTest {

    /**
     * {@code keys} (rows of {@code stride} floats, head h at {@code h·headDim}) in the blocked layout, each head
     * in a region of its own of {@link #region} floats.
     */
    static float[] blocked(float[] keys, int len, int kvHeads, int headDim, int stride) {
        int region = region(len, headDim);
        float[] out = new float[region * kvHeads];
        for (int p = 0; p < len; p++) {
            for (int h = 0; h < kvHeads; h++) {
                int base = h * region + AttentionKernel.blockedKeyIndex(p, headDim);
                for (int d = 0; d < headDim; d++) {
                    out[base + d * AttentionKernel.KEY_BLOCK] = keys[p * stride + h * headDim + d];
                }
            }
        }
        return out;
    }

    /** Floats of one head's region of a cache of {@code positions}: whole key blocks. */
    static int region(int positions, int headDim) {
        return (positions + AttentionKernel.KEY_BLOCK - 1) / AttentionKernel.KEY_BLOCK * AttentionKernel.KEY_BLOCK
                * headDim;
    }

    /**
     * {@code n} query rows of one KV head, as a prompt's causal rows: row r's query at {@code r·headDim}, seeing
     * {@code positions - n + 1 + r} positions, every third row {@code skip} fewer (so rows end in different key
     * blocks); outputs in reverse row order when {@code reversed}.
     */
    record Rows(float[] q, int[] qOffs, int[] lens, int[] outOffs) {
        static Rows causal(int n, int headDim, int positions, int skip, boolean reversed, Random random) {
            float[] q = Matrices.gaussian(n * headDim, random);
            int[] qOffs = new int[n];
            int[] lens = new int[n];
            int[] outOffs = new int[n];
            for (int r = 0; r < n; r++) {
                qOffs[r] = r * headDim;
                lens[r] = positions - n + 1 + r - (r % 3 == 2 ? skip : 0);
                outOffs[r] = (reversed ? n - 1 - r : r) * headDim;
            }
            return new Rows(q, qOffs, lens, outOffs);
        }
    }

    /** One row alone through the production kernel. */
    static void alone(float[] q, int qOff, float[] keys, int keyOff, float[] values, int valueStride,
                      int valueOff, int len, int headDim, float scale, float[] out, int outOff) {
        int stride = (len + AttentionKernel.KEY_BLOCK - 1) / AttentionKernel.KEY_BLOCK * AttentionKernel.KEY_BLOCK;
        AttentionKernel.attendRows(q, new int[] {qOff}, new int[] {len}, new int[] {outOff}, 1, keys, keyOff,
                values, valueStride, valueOff, headDim, scale, new float[stride], stride, out);
    }

    /** The textbook reference over plain key rows, in double precision. */
    private static void plain(float[] q, float[] keys, float[] values, int kvOff, int stride, int len, int headDim,
                              float scale, float[] out) {
        double[] p = new double[len];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < len; j++) {
            double s = 0;
            for (int d = 0; d < headDim; d++) {
                s += (double) q[d] * keys[j * stride + kvOff + d];
            }
            p[j] = s * scale;
            max = Math.max(max, p[j]);
        }
        double sum = 0;
        for (int j = 0; j < len; j++) {
            p[j] = Math.exp(p[j] - max);
            sum += p[j];
        }
        for (int d = 0; d < headDim; d++) {
            double o = 0;
            for (int j = 0; j < len; j++) {
                o += p[j] / sum * values[j * stride + kvOff + d];
            }
            out[d] = (float) o;
        }
    }

    @Test
    void blockedLayoutGivesTheSameAttention() {
        Random random = new Random(3);
        int kvHeads = 2;
        int headDim = 24;
        int stride = kvHeads * headDim;
        for (int len : new int[] {1, 5, AttentionKernel.KEY_BLOCK, AttentionKernel.KEY_BLOCK + 1, 100}) {
            float[] keys = Matrices.gaussian(len * stride, random);
            float[] values = Matrices.gaussian(len * stride, random);
            float[] blockedKeys = blocked(keys, len, kvHeads, headDim, stride);
            float[] q = Matrices.gaussian(headDim, random);
            for (int h = 0; h < kvHeads; h++) {
                float[] reference = new float[headDim];
                float[] vec = new float[headDim];
                float[] scal = new float[headDim];
                plain(q, keys, values, h * headDim, stride, len, headDim, 0.3f, reference);
                int keyOff = h * region(len, headDim);
                alone(q, 0, blockedKeys, keyOff, values, stride, h * headDim, len, headDim, 0.3f, vec, 0);
                AttentionKernel.attendBlockedScalar(q, 0, blockedKeys, keyOff, values, stride, h * headDim, len,
                        headDim, 0.3f, new float[len], scal, 0);
                for (int d = 0; d < headDim; d++) {
                    assertEquals(reference[d], scal[d], 1e-5f, "len " + len + " head " + h);
                    assertEquals(scal[d], vec[d], 1e-5f, "len " + len + " head " + h);
                    assertTrue(Float.isFinite(vec[d]));
                }
            }
        }
    }

    @Test
    void rowsSharingAKvHeadGetExactlyWhatEachGetsAlone() {
        Random random = new Random(5);
        int kvHeads = 2;
        for (int headDim : new int[] {24, 64}) {
            int stride = kvHeads * headDim;
            int positions = 700;
            int blocks = (positions + AttentionKernel.KEY_BLOCK - 1) / AttentionKernel.KEY_BLOCK;
            float[] keys = Matrices.gaussian(blocks * AttentionKernel.KEY_BLOCK * stride, random);
            float[] values = Matrices.gaussian(positions * stride, random);
            for (int n : new int[] {1, 3, 4, 7, 9}) {
                Rows rows = Rows.causal(n, headDim, positions, 40, true, random);
                float[] q = rows.q();
                int[] qOffs = rows.qOffs();
                int[] lens = rows.lens();
                int[] outOffs = rows.outOffs();
                int scoreStride = blocks * AttentionKernel.KEY_BLOCK;
                for (int h = 0; h < kvHeads; h++) {
                    float[] together = new float[n * headDim];
                    int keyOff = h * region(positions, headDim);
                    AttentionKernel.attendRows(q, qOffs, lens, outOffs, n, keys, keyOff, values, stride,
                            h * headDim, headDim, 0.2f, new float[n * scoreStride], scoreStride, together);
                    for (int r = 0; r < n; r++) {
                        float[] single = new float[headDim];
                        alone(q, qOffs[r], keys, keyOff, values, stride, h * headDim, lens[r], headDim, 0.2f,
                                single, 0);
                        for (int d = 0; d < headDim; d++) {
                            assertEquals(Float.floatToRawIntBits(single[d]),
                                    Float.floatToRawIntBits(together[outOffs[r] + d]),
                                    "headDim " + headDim + " n " + n + " row " + r + " dim " + d);
                        }
                    }
                }
            }
        }
    }
}
