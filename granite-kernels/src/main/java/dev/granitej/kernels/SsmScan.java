package dev.granitej.kernels;

/**
 * One token of the Mamba-2 selective-state recurrence for one head:
 * {@code S[p][n] = S[p][n]·dA + (dt·B[n])·x[p]}, {@code y[p] = Σ_n S[p][n]·C[n] + D·x[p]}.
 * The state is fp32, laid out {@code [P][N]} with n fastest.
 */
public final class SsmScan {

    private SsmScan() {
    }

    public static void step(float[] state, int stateOff, int headDim, int dState, float dt, float dA,
                            float[] x, int xOff, float[] b, int bOff, float[] c, int cOff, float d,
                            float[] y, int yOff) {
        stepScalar(state, stateOff, headDim, dState, dt, dA, x, xOff, b, bOff, c, cOff, d, y, yOff);
    }

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
