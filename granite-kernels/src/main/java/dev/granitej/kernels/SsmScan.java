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
     * and immediately contracted with C, so the whole step is a single pass over the state.
     */
    static void stepVector(float[] state, int stateOff, int headDim, int dState, float dt, float dA,
                           float[] x, int xOff, float[] b, int bOff, float[] c, int cOff, float d,
                           float[] y, int yOff) {
        int lanes = Simd.LANES;
        int vecEnd = dState - dState % lanes;
        for (int p = 0; p < headDim; p++) {
            float xp = x[xOff + p];
            float dtx = dt * xp;
            int row = stateOff + p * dState;
            FloatVector acc = FloatVector.zero(Simd.F);
            int n = 0;
            for (; n < vecEnd; n += lanes) {
                FloatVector s = FloatVector.fromArray(Simd.F, state, row + n).mul(dA)
                        .add(FloatVector.fromArray(Simd.F, b, bOff + n).mul(dtx));
                s.intoArray(state, row + n);
                acc = s.fma(FloatVector.fromArray(Simd.F, c, cOff + n), acc);
            }
            float sum = Simd.sum(acc);
            for (; n < dState; n++) {
                float s = state[row + n] * dA + (dt * b[bOff + n]) * xp;
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
