package dev.granitej.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** The deterministic exp and lane sum against plain Java. */
class SimdTest {

    @Test
    void expIsWithinTwoUlpsOfMathExp() {
        float[] x = new float[Simd.LANES];
        float[] y = new float[Simd.LANES];
        double worst = 0;
        for (float v = -87f; v < 88f; v += 0.0173f) {
            for (int i = 0; i < x.length; i++) {
                x[i] = v + i * 1e-3f;
            }
            Simd.exp(FloatVector.fromArray(Simd.F, x, 0)).intoArray(y, 0);
            for (int i = 0; i < x.length; i++) {
                double exact = Math.exp(x[i]);
                double ulps = Math.abs(y[i] - exact) / Math.ulp((float) exact);
                worst = Math.max(worst, ulps);
            }
        }
        assertTrue(worst <= 2.0, "worst error " + worst + " ulp");
    }

    @Test
    void expSaturatesInsteadOfOverflowing() {
        float[] x = new float[Simd.LANES];
        float[] y = new float[Simd.LANES];
        java.util.Arrays.fill(x, -1000f);
        Simd.exp(FloatVector.fromArray(Simd.F, x, 0)).intoArray(y, 0);
        assertTrue(y[0] >= 0 && y[0] < 1e-37f);
        java.util.Arrays.fill(x, 1000f);
        Simd.exp(FloatVector.fromArray(Simd.F, x, 0)).intoArray(y, 0);
        assertTrue(Float.isFinite(y[0]) && y[0] > 1e38f);
    }

    @Test
    void sumAddsEveryLaneInAFixedButterflyOrder() {
        float[] x = new float[Simd.LANES];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.pow(-1.7, i % 7) * (i + 1);
        }
        // the butterfly: lanes i and i^h are added for h = LANES/2 … 1; lane 0 holds the total
        float[] v = x.clone();
        for (int h = Simd.LANES / 2; h >= 1; h /= 2) {
            float[] next = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                next[i] = v[i] + v[i ^ h];
            }
            v = next;
        }
        assertEquals(Float.floatToRawIntBits(v[0]),
                Float.floatToRawIntBits(Simd.sum(FloatVector.fromArray(Simd.F, x, 0))));
    }

    @Test
    void scalarLaneSumIsTheButterflyBitForBit() {
        java.util.Random random = new java.util.Random(11);
        float[] lanes = new float[Simd.LANES];
        for (int trial = 0; trial < 1000; trial++) {
            for (int i = 0; i < lanes.length; i++) {
                // mixed magnitudes, so a different order of additions would round differently
                lanes[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(7) - 3));
            }
            float vector = Simd.sum(FloatVector.fromArray(Simd.F, lanes, 0));
            float[] copy = new float[2 * Simd.LANES];
            System.arraycopy(lanes, 0, copy, Simd.LANES, Simd.LANES);
            assertEquals(Float.floatToRawIntBits(vector), Float.floatToRawIntBits(Simd.sumLanes(copy, Simd.LANES)));
        }
    }

    @Test
    void sumEachIsSumLanesOfEveryAccumulator() {
        java.util.Random random = new java.util.Random(9);
        for (int count = 1; count <= 16; count *= 2) {
            for (int round = 0; round < 50; round++) {
                int off = round % 3;
                float[] a = new float[off + count * (Simd.LANES + 1)];
                for (int i = off; i < off + count * Simd.LANES; i++) {
                    // wide exponents, so a different order of additions would show in the bits
                    a[i] = (float) (random.nextGaussian() * Math.pow(2, random.nextInt(40) - 20));
                }
                float[] expected = new float[count];
                for (int k = 0; k < count; k++) {
                    float[] copy = java.util.Arrays.copyOfRange(a, off + k * Simd.LANES, off + (k + 1) * Simd.LANES);
                    expected[k] = Simd.sumLanes(copy, 0);
                }
                Simd.sumEach(a, off, count);
                for (int k = 0; k < count; k++) {
                    assertEquals(Float.floatToRawIntBits(expected[k]),
                            Float.floatToRawIntBits(a[off + count * Simd.LANES + k]), "count " + count + " acc " + k);
                }
            }
        }
    }
}
