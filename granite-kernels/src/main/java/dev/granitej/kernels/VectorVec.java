package dev.granitej.kernels;

import static dev.granitej.kernels.Simd.F;
import static dev.granitej.kernels.Simd.LANES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Vector API implementations of the {@link Vec} kernels; {@link ScalarVec} holds the scalar twins.
 * Main loops cover whole vectors, tails run the scalar expression. Reductions use four accumulators
 * so consecutive FMAs do not wait on each other, which changes the order of fp32 additions
 * (results match the scalar twins to rounding, not bit for bit).
 */
final class VectorVec {

    private VectorVec() {
    }

    static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        FloatVector acc2 = FloatVector.zero(F);
        FloatVector acc3 = FloatVector.zero(F);
        int i = 0;
        int bound4 = n - 4 * LANES;
        for (; i <= bound4; i += 4 * LANES) {
            acc0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc0);
            acc1 = FloatVector.fromArray(F, a, aOff + i + LANES)
                    .fma(FloatVector.fromArray(F, b, bOff + i + LANES), acc1);
            acc2 = FloatVector.fromArray(F, a, aOff + i + 2 * LANES)
                    .fma(FloatVector.fromArray(F, b, bOff + i + 2 * LANES), acc2);
            acc3 = FloatVector.fromArray(F, a, aOff + i + 3 * LANES)
                    .fma(FloatVector.fromArray(F, b, bOff + i + 3 * LANES), acc3);
        }
        for (; i <= n - LANES; i += LANES) {
            acc0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc0);
        }
        float sum = Simd.sum(acc0.add(acc1).add(acc2.add(acc3)));
        for (; i < n; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
    }

    static float sumOfSquares(float[] x, int off, int n) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int i = 0;
        for (; i <= n - 2 * LANES; i += 2 * LANES) {
            FloatVector v0 = FloatVector.fromArray(F, x, off + i);
            FloatVector v1 = FloatVector.fromArray(F, x, off + i + LANES);
            acc0 = v0.fma(v0, acc0);
            acc1 = v1.fma(v1, acc1);
        }
        for (; i <= n - LANES; i += LANES) {
            FloatVector v = FloatVector.fromArray(F, x, off + i);
            acc0 = v.fma(v, acc0);
        }
        float sum = Simd.sum(acc0.add(acc1));
        for (; i < n; i++) {
            float v = x[off + i];
            sum += v * v;
        }
        return sum;
    }

    static void rmsNorm(float[] out, int outOff, float[] x, int xOff, float[] w, int wOff, int n, float eps) {
        float inv = (float) (1.0 / Math.sqrt(sumOfSquares(x, xOff, n) / n + eps));
        int i = 0;
        for (; i <= n - LANES; i += LANES) {
            FloatVector.fromArray(F, x, xOff + i).mul(inv).mul(FloatVector.fromArray(F, w, wOff + i))
                    .intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = w[wOff + i] * (x[xOff + i] * inv);
        }
    }

    static void scale(float[] x, int off, int n, float s) {
        int i = 0;
        for (; i <= n - LANES; i += LANES) {
            FloatVector.fromArray(F, x, off + i).mul(s).intoArray(x, off + i);
        }
        for (; i < n; i++) {
            x[off + i] *= s;
        }
    }

    static void axpy(float[] y, int yOff, float a, float[] x, int xOff, int n) {
        FloatVector av = FloatVector.broadcast(F, a);
        int i = 0;
        for (; i <= n - LANES; i += LANES) {
            FloatVector.fromArray(F, x, xOff + i).fma(av, FloatVector.fromArray(F, y, yOff + i))
                    .intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] += a * x[xOff + i];
        }
    }

    static void add(float[] y, int yOff, float[] x, int xOff, int n) {
        int i = 0;
        for (; i <= n - LANES; i += LANES) {
            FloatVector.fromArray(F, y, yOff + i).add(FloatVector.fromArray(F, x, xOff + i))
                    .intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] += x[xOff + i];
        }
    }

    static void silu(float[] x, int off, int n) {
        int i = 0;
        for (; i <= n - LANES; i += LANES) {
            FloatVector v = FloatVector.fromArray(F, x, off + i);
            v.div(Simd.exp(v.neg()).add(1f)).intoArray(x, off + i);
        }
        for (; i < n; i++) {
            x[off + i] = ScalarVec.silu(x[off + i]);
        }
    }

    static void swiglu(float[] out, int outOff, float[] gate, int gateOff, float[] up, int upOff, int n) {
        int i = 0;
        for (; i <= n - LANES; i += LANES) {
            FloatVector g = FloatVector.fromArray(F, gate, gateOff + i);
            g.div(Simd.exp(g.neg()).add(1f)).mul(FloatVector.fromArray(F, up, upOff + i))
                    .intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = ScalarVec.silu(gate[gateOff + i]) * up[upOff + i];
        }
    }

    static void softmax(float[] x, int off, int n) {
        int i = 0;
        float max = Float.NEGATIVE_INFINITY;
        if (n >= LANES) {
            FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            for (; i <= n - LANES; i += LANES) {
                FloatVector v = FloatVector.fromArray(F, x, off + i);
                m = m.blend(v, v.compare(VectorOperators.GT, m)); // not max(): see Simd.exp
            }
            max = m.reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        int whole = n / LANES * LANES;
        float sum = Simd.expShiftedSum(x, off, whole, max);
        i = whole;
        for (; i < n; i++) {
            float e = (float) Math.exp(x[off + i] - max);
            x[off + i] = e;
            sum += e;
        }
        scale(x, off, n, 1f / sum);
    }
}
