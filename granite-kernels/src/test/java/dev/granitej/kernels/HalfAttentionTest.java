package dev.granitej.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A float16 KV cache: widening is {@link Float#float16ToFloat} on every bit pattern (NaNs as NaNs), and attention
 * over the cache (values blocked) gives bit for bit what the float kernels give over the same cache widened into
 * their layout (vector and scalar twins).
 */
class HalfAttentionTest {

    @Test
    void widenIsFloat16ToFloatOnEveryBitPattern() {
        short[] bits = new short[1 << 16];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = (short) i;
        }
        // an odd offset and length: the vector loop and the scalar tail both run
        float[] out = new float[bits.length];
        HalfFloats.widen(bits, 3, out, 1, bits.length - 5);
        for (int i = 3; i < bits.length - 2; i++) {
            float expected = Float.float16ToFloat(bits[i]);
            String what = "float16 bits 0x" + Integer.toHexString(i);
            if (Float.isNaN(expected)) {
                // NaN payloads may differ (the JDK sets the quiet bit); a NaN stays a NaN
                assertTrue(Float.isNaN(out[i - 2]), what);
            } else {
                assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(out[i - 2]), what);
            }
        }
    }

    @Test
    void narrowRoundsToNearestFloat16() {
        float[] x = {0f, -0f, 1f / 3, 65504f, 65520f, -1e-7f, 1e6f};
        short[] h = new short[x.length];
        HalfFloats.narrow(x, 0, h, 0, x.length);
        for (int i = 0; i < x.length; i++) {
            assertEquals(Float.floatToFloat16(x[i]), h[i], "value " + x[i]);
        }
    }

    @Test
    void halfCacheAttendsAsTheFloatKernelsOnItsWidenedValues() {
        Random random = new Random(17);
        int kvHeads = 2;
        int positions = 300;
        int blocks = (positions + AttentionKernel.KEY_BLOCK - 1) / AttentionKernel.KEY_BLOCK;
        for (int headDim : new int[] {24, 64}) {
            int stride = kvHeads * headDim;
            short[] keys = halves(blocks * AttentionKernel.KEY_BLOCK * stride, random);
            short[] values = halves(blocks * AttentionKernel.KEY_BLOCK * stride, random);
            float[] wideKeys = new float[keys.length];
            HalfFloats.widen(keys, 0, wideKeys, 0, keys.length);
            // each head's keys and values in a region of its own; the float kernel reads its values here as rows
            // of all heads per position instead (a different stride and offset, the same numbers)
            int region = BlockedAttentionTest.region(positions, headDim);
            float[] wideValues = new float[positions * stride];
            for (int p = 0; p < positions; p++) {
                for (int h = 0; h < kvHeads; h++) {
                    HalfFloats.widen(values, h * region + p * headDim, wideValues, p * stride + h * headDim,
                            headDim);
                }
            }
            float[] scratch = new float[AttentionKernel.widenedScratchFloats(headDim)];
            for (int n : new int[] {1, 3, 4, 6}) {
                BlockedAttentionTest.Rows rows = BlockedAttentionTest.Rows.causal(n, headDim, positions, 70, false,
                        random);
                int[] lens = rows.lens();
                int scoreStride = blocks * AttentionKernel.KEY_BLOCK;
                for (int h = 0; h < kvHeads; h++) {
                    int own = h * region;
                    float[] half = new float[n * headDim];
                    float[] wide = new float[n * headDim];
                    AttentionKernel.attendRows(rows.q(), rows.qOffs(), lens, rows.outOffs(), n, keys, own, values,
                            own, headDim, 0.2f, new float[n * scoreStride], scoreStride, half, scratch);
                    AttentionKernel.attendRows(rows.q(), rows.qOffs(), lens, rows.outOffs(), n, wideKeys, own,
                            wideValues, stride, h * headDim, headDim, 0.2f, new float[n * scoreStride], scoreStride,
                            wide);
                    for (int r = 0; r < n; r++) {
                        float[] halfScalar = new float[headDim];
                        float[] wideScalar = new float[headDim];
                        int qOff = rows.qOffs()[r];
                        AttentionKernel.attendHalfScalar(rows.q(), qOff, keys, own, values, own, lens[r], headDim,
                                0.2f, new float[lens[r]], halfScalar, 0);
                        AttentionKernel.attendBlockedScalar(rows.q(), qOff, wideKeys, own, wideValues, stride,
                                h * headDim, lens[r], headDim, 0.2f, new float[lens[r]], wideScalar, 0);
                        int out = rows.outOffs()[r];
                        for (int d = 0; d < headDim; d++) {
                            String where = "headDim " + headDim + " n " + n + " row " + r + " dim " + d;
                            assertEquals(Float.floatToRawIntBits(wide[out + d]), Float.floatToRawIntBits(half[out + d]),
                                    where);
                            assertEquals(Float.floatToRawIntBits(wideScalar[d]), Float.floatToRawIntBits(halfScalar[d]),
                                    where);
                            assertEquals(wideScalar[d], half[out + d], 1e-5f, where);
                        }
                    }
                }
            }
        }
    }

    private static short[] halves(int n, Random random) {
        short[] h = new short[n];
        for (int i = 0; i < n; i++) {
            h[i] = Float.floatToFloat16((float) random.nextGaussian());
        }
        return h;
    }
}
