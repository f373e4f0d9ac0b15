package dev.granitej.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * An 8-bit KV cache: each block of a head's dimensions is llama.cpp's q8_0 ({@code d = amax/127},
 * {@code q = roundf(x/d)}) with a float scale, keys in the blocked layout with their scales beside; attention
 * over it gives bit for bit what the float kernels give over the dequantized cache (vector and scalar twins).
 */
class Q8KvAttentionTest {

    /** The dequantized block of {@code x[from .. + n)}, computed here from q8_0's definition. */
    private static float[] q8Block(float[] x, int from, int n) {
        float amax = 0f;
        for (int j = 0; j < n; j++) {
            amax = Math.max(amax, Math.abs(x[from + j]));
        }
        float d = amax / 127f;
        float[] out = new float[n];
        for (int j = 0; j < n; j++) {
            float v = d != 0f ? x[from + j] / d : 0f;
            // C's roundf: halfway cases away from zero
            int q = (int) Math.copySign(Math.floor(Math.abs((double) v) + 0.5), v);
            assertTrue(q >= -127 && q <= 127, "code " + q);
            out[j] = q * d;
        }
        return out;
    }

    @Test
    void blocksAreThirtyTwoDimensionsOrTheWholeHead() {
        assertEquals(32, Q8KvBlocks.blockDims(128));
        assertEquals(32, Q8KvBlocks.blockDims(64));
        assertEquals(24, Q8KvBlocks.blockDims(24));
        assertEquals(16, Q8KvBlocks.blockDims(16));
        assertEquals(48, Q8KvBlocks.blockDims(48));
        assertEquals(4, Q8KvBlocks.scalesPerRow(128));
        assertEquals(1, Q8KvBlocks.scalesPerRow(24));
    }

    @Test
    void rowsAndKeysDequantizeToQ8Blocks() {
        Random random = new Random(5);
        for (int headDim : new int[] {24, 64, 128}) {
            int bd = Q8KvBlocks.blockDims(headDim);
            int positions = 37;
            float[] x = Matrices.gaussian(positions * headDim, random);
            // scale 1 and two halfway cases, which roundf takes away from zero (-2.5 to -3, where Math.round gives -2)
            x[0] = 127f;
            x[3] = 2.5f;
            x[4] = -2.5f;
            java.util.Arrays.fill(x, headDim, headDim + bd, 0f); // an all-zero block: scale 0, codes 0
            int region = BlockedAttentionTest.region(positions, headDim);
            byte[] rows = new byte[region];
            float[] rowScales = new float[region / bd];
            byte[] keys = new byte[region];
            float[] keyScales = new float[region / bd];
            for (int p = 0; p < positions; p++) {
                Q8KvBlocks.narrowRow(x, p * headDim, rows, p * headDim, rowScales, headDim);
                Q8KvBlocks.narrowKey(x, p * headDim, keys, keyScales, 0, p, headDim);
            }
            int blocks = region / (headDim * AttentionKernel.KEY_BLOCK);
            float[] wideRows = new float[positions * headDim];
            Q8KvBlocks.widenRows(rows, 0, rowScales, positions, headDim, wideRows);
            float[] wideKeys = new float[region];
            Q8KvBlocks.widenKeyBlocks(keys, 0, keyScales, blocks, headDim, wideKeys);
            float[] scalarRows = new float[wideRows.length];
            Q8KvBlocks.widenRowsScalar(rows, 0, rowScales, positions, headDim, scalarRows);
            float[] scalarKeys = new float[region];
            Q8KvBlocks.widenKeyBlocksScalar(keys, 0, keyScales, blocks, headDim, scalarKeys);
            assertArrayEquals(wideRows, scalarRows, 0f, "the scalar twin of widenRows");
            assertArrayEquals(wideKeys, scalarKeys, 0f, "the scalar twin of widenKeyBlocks");
            assertEquals(-3f, wideRows[4], 0f);
            assertEquals(3f, wideRows[3], 0f);
            for (int p = 0; p < positions; p++) {
                for (int g = 0; g < headDim; g += bd) {
                    float[] expected = q8Block(x, p * headDim + g, bd);
                    for (int j = 0; j < bd; j++) {
                        int d = g + j;
                        String where = "headDim " + headDim + " position " + p + " dim " + d;
                        assertEquals(expected[j], wideRows[p * headDim + d], 0f, where);
                        assertEquals(expected[j], wideKeys[AttentionKernel.blockedKeyIndex(p, headDim)
                                + d * AttentionKernel.KEY_BLOCK], 0f, where);
                    }
                }
            }
        }
    }

    @Test
    void tinyBlocksKeepTheirValuesWhereTheReciprocalScaleOverflows() {
        // amax 1e-38: d = amax/127 is subnormal and 1/d overflows to infinity
        float[] x = new float[32];
        for (int j = 0; j < 32; j++) {
            x[j] = (j % 2 == 0 ? 1e-38f : -1e-38f) * (j + 1) / 32;
        }
        byte[] q = new byte[32];
        float[] scales = new float[1];
        Q8KvBlocks.narrowRow(x, 0, q, 0, scales, 32);
        float[] wide = new float[32];
        Q8KvBlocks.widenRows(q, 0, scales, 1, 32, wide);
        float step = scales[0];
        assertTrue(Float.isInfinite(1f / step), "the case under test: 1/d overflows");
        assertEquals(-127, q[31]);
        for (int j = 0; j < 32; j++) {
            // half a step, and the subnormal rounding of d (its few significant bits)
            assertTrue(Math.abs(wide[j] - x[j]) <= 0.5f * step + 1e-40f, "at " + j + ": " + wide[j] + " for " + x[j]);
        }
    }

    @Test
    void nonFiniteValuesReadBackAsNaNInTheirBlockOnly() {
        float[] x = new float[64];
        java.util.Arrays.fill(x, 1f);
        x[5] = Float.POSITIVE_INFINITY;
        x[40] = Float.NaN;
        byte[] q = new byte[64];
        float[] scales = new float[2];
        Q8KvBlocks.narrowRow(x, 0, q, 0, scales, 64);
        float[] wide = new float[64];
        Q8KvBlocks.widenRows(q, 0, scales, 1, 64, wide);
        for (int i = 0; i < 64; i++) {
            assertTrue(Float.isNaN(wide[i]), "at " + i + ": " + wide[i]);
        }
        x[40] = 1f;
        Q8KvBlocks.narrowRow(x, 0, q, 0, scales, 64);
        Q8KvBlocks.widenRows(q, 0, scales, 1, 64, wide);
        assertTrue(Float.isNaN(wide[0]));
        assertEquals(1f, wide[32], 0f, "the finite block keeps its values");
    }

    @Test
    void q8CacheAttendsAsTheFloatKernelsOnItsDequantizedValues() {
        Random random = new Random(19);
        int kvHeads = 2;
        int positions = 300;
        for (int headDim : new int[] {24, 64, 128}) {
            int bd = Q8KvBlocks.blockDims(headDim);
            int region = BlockedAttentionTest.region(positions, headDim);
            byte[] keys = new byte[kvHeads * region];
            byte[] values = new byte[kvHeads * region];
            float[] keyScales = new float[keys.length / bd];
            float[] valueScales = new float[values.length / bd];
            float[] k = Matrices.gaussian(positions * kvHeads * headDim, random);
            float[] v = Matrices.gaussian(positions * kvHeads * headDim, random);
            for (int h = 0; h < kvHeads; h++) {
                for (int p = 0; p < positions; p++) {
                    int from = (p * kvHeads + h) * headDim;
                    Q8KvBlocks.narrowKey(k, from, keys, keyScales, h * region, p, headDim);
                    Q8KvBlocks.narrowRow(v, from, values, h * region + p * headDim, valueScales, headDim);
                }
            }
            // the dequantized cache in the float kernels' layout: keys blocked per head, values rows of all heads
            float[] wideKeys = new float[keys.length];
            Q8KvBlocks.widenKeyBlocks(keys, 0, keyScales, kvHeads * region / (headDim * AttentionKernel.KEY_BLOCK),
                    headDim, wideKeys);
            int stride = kvHeads * headDim;
            float[] wideValues = new float[positions * stride];
            float[] row = new float[headDim];
            for (int h = 0; h < kvHeads; h++) {
                for (int p = 0; p < positions; p++) {
                    Q8KvBlocks.widenRows(values, h * region + p * headDim, valueScales, 1, headDim, row);
                    System.arraycopy(row, 0, wideValues, p * stride + h * headDim, headDim);
                }
            }
            float[] scratch = new float[AttentionKernel.widenedScratchFloats(headDim)];
            int scoreStride = region / headDim;
            for (int n : new int[] {1, 3, 4, 6}) {
                BlockedAttentionTest.Rows rows = BlockedAttentionTest.Rows.causal(n, headDim, positions, 70, false,
                        random);
                int[] lens = rows.lens();
                for (int h = 0; h < kvHeads; h++) {
                    int own = h * region;
                    float[] q8 = new float[n * headDim];
                    float[] wide = new float[n * headDim];
                    AttentionKernel.attendRows(rows.q(), rows.qOffs(), lens, rows.outOffs(), n, keys, keyScales, own,
                            values, valueScales, own, headDim, 0.2f, new float[n * scoreStride], scoreStride, q8,
                            scratch);
                    AttentionKernel.attendRows(rows.q(), rows.qOffs(), lens, rows.outOffs(), n, wideKeys, own,
                            wideValues, stride, h * headDim, headDim, 0.2f, new float[n * scoreStride], scoreStride,
                            wide);
                    for (int r = 0; r < n; r++) {
                        float[] q8Scalar = new float[headDim];
                        float[] wideScalar = new float[headDim];
                        int qOff = rows.qOffs()[r];
                        AttentionKernel.attendQ8Scalar(rows.q(), qOff, keys, keyScales, own, values, valueScales,
                                own, lens[r], headDim, 0.2f, new float[lens[r]], q8Scalar, 0);
                        AttentionKernel.attendBlockedScalar(rows.q(), qOff, wideKeys, own, wideValues, stride,
                                h * headDim, lens[r], headDim, 0.2f, new float[lens[r]], wideScalar, 0);
                        int out = rows.outOffs()[r];
                        for (int d = 0; d < headDim; d++) {
                            String where = "headDim " + headDim + " n " + n + " head " + h + " row " + r + " dim " + d;
                            assertEquals(Float.floatToRawIntBits(wide[out + d]), Float.floatToRawIntBits(q8[out + d]),
                                    where);
                            assertEquals(Float.floatToRawIntBits(wideScalar[d]), Float.floatToRawIntBits(q8Scalar[d]),
                                    where);
                            assertEquals(wideScalar[d], q8[out + d], 1e-5f, where);
                        }
                    }
                }
            }
        }
    }
}
