package dev.granitej.kernels;

import static dev.granitej.kernels.Tolerance.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class VectorVecTest {

    private final Random random = new Random(42);

    private float[] randomArray(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextGaussian();
        }
        return a;
    }

    @Test
    void dotAndSumOfSquaresMatchScalar() {
        for (int n : Tolerance.sizes()) {
            float[] a = randomArray(n + 3);
            float[] b = randomArray(n + 5);
            double scale = 0;
            double sq = 0;
            for (int i = 0; i < n; i++) {
                scale += Math.abs(a[3 + i] * b[5 + i]);
                sq += a[3 + i] * a[3 + i];
            }
            assertClose(ScalarVec.dot(a, 3, b, 5, n), VectorVec.dot(a, 3, b, 5, n), n, scale, "dot n=" + n);
            assertClose(ScalarVec.sumOfSquares(a, 3, n), VectorVec.sumOfSquares(a, 3, n), n, sq,
                    "sumOfSquares n=" + n);
        }
    }

    @Test
    void elementwiseKernelsMatchScalar() {
        for (int n : Tolerance.sizes()) {
            float[] x = randomArray(n + 2);
            float[] y = randomArray(n + 7);
            float[] w = randomArray(n + 1);

            float[] ys = y.clone();
            float[] yv = y.clone();
            ScalarVec.axpy(ys, 7, 0.75f, x, 2, n);
            VectorVec.axpy(yv, 7, 0.75f, x, 2, n);
            for (int i = 0; i < n; i++) {
                // FMA rounds once where the scalar rounds a·x first: the error scales with the terms.
                assertClose(ys[7 + i], yv[7 + i], 2, Math.abs(y[7 + i]) + Math.abs(0.75f * x[2 + i]), "axpy n=" + n);
            }
            assertArrayEquals(java.util.Arrays.copyOf(ys, 7), java.util.Arrays.copyOf(yv, 7), "axpy prefix");

            ys = y.clone();
            yv = y.clone();
            ScalarVec.add(ys, 7, x, 2, n);
            VectorVec.add(yv, 7, x, 2, n);
            assertArrayEquals(ys, yv, "add n=" + n);

            ys = y.clone();
            yv = y.clone();
            ScalarVec.scale(ys, 7, n, -1.5f);
            VectorVec.scale(yv, 7, n, -1.5f);
            assertArrayEquals(ys, yv, "scale n=" + n);

            ys = y.clone();
            yv = y.clone();
            ScalarVec.silu(ys, 7, n);
            VectorVec.silu(yv, 7, n);
            assertArraysClose(ys, yv, 2, "silu n=" + n);

            float[] outS = new float[n + 4];
            float[] outV = new float[n + 4];
            ScalarVec.swiglu(outS, 4, x, 2, y, 7, n);
            VectorVec.swiglu(outV, 4, x, 2, y, 7, n);
            assertArraysClose(outS, outV, 2, "swiglu n=" + n);

            ScalarVec.rmsNorm(outS, 4, x, 2, w, 1, n, 1e-6f);
            VectorVec.rmsNorm(outV, 4, x, 2, w, 1, n, 1e-6f);
            assertArraysClose(outS, outV, n, "rmsNorm n=" + n);

            ys = y.clone();
            yv = y.clone();
            for (int i = 0; i < n; i++) {
                ys[7 + i] = yv[7 + i] = y[7 + i] * 10f;
            }
            ScalarVec.softmax(ys, 7, n);
            VectorVec.softmax(yv, 7, n);
            assertArraysClose(ys, yv, n, "softmax n=" + n);
        }
    }

    @Test
    void rmsNormMayWriteInPlace() {
        float[] x = randomArray(77);
        float[] w = randomArray(77);
        float[] expected = new float[77];
        ScalarVec.rmsNorm(expected, 0, x, 0, w, 0, 77, 1e-5f);
        VectorVec.rmsNorm(x, 0, x, 0, w, 0, 77, 1e-5f);
        assertArraysClose(expected, x, 77, "in-place rmsNorm");
    }

    @Test
    void softmaxHandlesNegativeInfinity() {
        float[] s = {0f, Float.NEGATIVE_INFINITY, 1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f, 10f, 11f, 12f, 13f, 14f, 15f,
                Float.NEGATIVE_INFINITY, 16f};
        float[] v = s.clone();
        ScalarVec.softmax(s, 0, s.length);
        VectorVec.softmax(v, 0, v.length);
        assertArraysClose(s, v, s.length, "softmax with -inf");
    }

    /** Element-wise closeness, each element its own scale; {@code n} the length of the sums behind it. */
    static void assertArraysClose(float[] expected, float[] actual, int n, String what) {
        for (int i = 0; i < expected.length; i++) {
            assertClose(expected[i], actual[i], n, Math.max(1e-30, Math.abs(expected[i])) * 4, what + " [" + i + "]");
        }
    }
}
