package dev.granitej.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * One token of the Mamba-2 selective-state recurrence for one head:
 * {@code S[p][n] = S[p][n]·dA + (dt·B[n])·x[p]}, {@code y[p] = Σ_n S[p][n]·C[n] + D·x[p]}.
 * The state is fp32, laid out {@code [P][N]} with n fastest.
 */
public final class SsmScan {

    private SsmScan() {
    }

    /** One token for one head: updates {@code state} in place and writes {@code y[yOff .. yOff+headDim)}. */
    public static void step(float[] state, int stateOff, int headDim, int dState, float dt, float dA,
                            float[] x, int xOff, float[] b, int bOff, float[] c, int cOff, float d,
                            float[] y, int yOff) {
        if (Kernels.VECTOR) {
            stepVector(state, stateOff, headDim, dState, dt, dA, x, xOff, b, bOff, c, cOff, d, y, yOff);
        } else {
            stepScalar(state, stateOff, headDim, dState, dt, dA, x, xOff, b, bOff, c, cOff, d, y, yOff);
        }
    }

    /**
     * The Vector API kernel, vectorised over {@code dState}: each state row is read once, updated with one FMA
     * and immediately contracted with C, so the whole step is a single pass over the state. Four rows of the
     * head run together: they share the loads of B and C, and their four contractions are independent chains
     * (one row's chain of FMAs over {@code dState} alone waited on the FMA latency at every step).
     */
    static void stepVector(float[] state, int stateOff, int headDim, int dState, float dt, float dA,
                           float[] x, int xOff, float[] b, int bOff, float[] c, int cOff, float d,
                           float[] y, int yOff) {
        int lanes = Simd.LANES;
        int p = 0;
        if (dState % lanes == 0) {
            for (; p + 4 <= headDim; p += 4) {
                int r0 = stateOff + p * dState;
                int r1 = r0 + dState;
                int r2 = r1 + dState;
                int r3 = r2 + dState;
                FloatVector x0 = FloatVector.broadcast(Simd.F, x[xOff + p]);
                FloatVector x1 = FloatVector.broadcast(Simd.F, x[xOff + p + 1]);
                FloatVector x2 = FloatVector.broadcast(Simd.F, x[xOff + p + 2]);
                FloatVector x3 = FloatVector.broadcast(Simd.F, x[xOff + p + 3]);
                FloatVector a0 = FloatVector.zero(Simd.F);
                FloatVector a1 = a0;
                FloatVector a2 = a0;
                FloatVector a3 = a0;
                for (int n = 0; n < dState; n += lanes) {
                    FloatVector db = FloatVector.fromArray(Simd.F, b, bOff + n).mul(dt);
                    FloatVector cn = FloatVector.fromArray(Simd.F, c, cOff + n);
                    FloatVector s0 = db.fma(x0, FloatVector.fromArray(Simd.F, state, r0 + n).mul(dA));
                    s0.intoArray(state, r0 + n);
                    a0 = s0.fma(cn, a0);
                    FloatVector s1 = db.fma(x1, FloatVector.fromArray(Simd.F, state, r1 + n).mul(dA));
                    s1.intoArray(state, r1 + n);
                    a1 = s1.fma(cn, a1);
                    FloatVector s2 = db.fma(x2, FloatVector.fromArray(Simd.F, state, r2 + n).mul(dA));
                    s2.intoArray(state, r2 + n);
                    a2 = s2.fma(cn, a2);
                    FloatVector s3 = db.fma(x3, FloatVector.fromArray(Simd.F, state, r3 + n).mul(dA));
                    s3.intoArray(state, r3 + n);
                    a3 = s3.fma(cn, a3);
                }
                y[yOff + p] = Simd.sum(a0) + d * x[xOff + p];
                y[yOff + p + 1] = Simd.sum(a1) + d * x[xOff + p + 1];
                y[yOff + p + 2] = Simd.sum(a2) + d * x[xOff + p + 2];
                y[yOff + p + 3] = Simd.sum(a3) + d * x[xOff + p + 3];
            }
        }
        int vecEnd = dState - dState % lanes;
        for (; p < headDim; p++) {
            float xp = x[xOff + p];
            FloatVector xv = FloatVector.broadcast(Simd.F, xp);
            int row = stateOff + p * dState;
            FloatVector acc = FloatVector.zero(Simd.F);
            int n = 0;
            for (; n < vecEnd; n += lanes) {
                FloatVector s = FloatVector.fromArray(Simd.F, b, bOff + n).mul(dt)
                        .fma(xv, FloatVector.fromArray(Simd.F, state, row + n).mul(dA));
                s.intoArray(state, row + n);
                acc = s.fma(FloatVector.fromArray(Simd.F, c, cOff + n), acc);
            }
            float sum = Simd.sum(acc);
            for (; n < dState; n++) {
                float s = Math.fma(dt * b[bOff + n], xp, state[row + n] * dA);
                state[row + n] = s;
                sum += s * c[cOff + n];
            }
            y[yOff + p] = sum + d * xp;
        }
    }

    /** The scalar twin of {@link #step}. */
    public static void stepScalar(float[] state, int stateOff, int headDim, int dState, float dt, float dA,
                                  float[] x, int xOff, float[] b, int bOff, float[] c, int cOff, float d,
                                  float[] y, int yOff) {
        for (int p = 0; p < headDim; p++) {
            float xp = x[xOff + p];
            int row = stateOff + p * dState;
            float acc = 0f;
            for (int n = 0; n < dState; n++) {
                float s = state[row + n] * dA + (dt * b[bOff + n]) * xp;
                state[row + n] = s;
                acc += s * c[cOff + n];
            }
            y[yOff + p] = acc + d * xp;
        }
    }
}
