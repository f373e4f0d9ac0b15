package dev.granitej.kernels;

/**
 * One token of a depthwise causal convolution of width K over C channels, with bias.
 * The state holds the previous K-1 inputs time-major ({@code [K-1][C]}, oldest first);
 * the weights are time-major too ({@code [K][C]}, tap K-1 multiplies the current input).
 */
public final class CausalConv1d {

    private CausalConv1d() {
    }

    /** Writes {@code out[c] = bias[c] + Σ_k w[k][c]·window[k][c]} and shifts {@code in} into the state. */
    public static void step(float[] state, int stateOff, float[] weights, float[] bias, int width, int channels,
                            float[] in, int inOff, float[] out, int outOff) {
        stepScalar(state, stateOff, weights, bias, width, channels, in, inOff, out, outOff);
    }

    public static void stepScalar(float[] state, int stateOff, float[] weights, float[] bias, int width,
                                  int channels, float[] in, int inOff, float[] out, int outOff) {
        int last = width - 1;
        for (int c = 0; c < channels; c++) {
            float sum = bias[c] + weights[last * channels + c] * in[inOff + c];
            for (int k = 0; k < last; k++) {
                sum += weights[k * channels + c] * state[stateOff + k * channels + c];
            }
            out[outOff + c] = sum;
        }
        if (last > 0) {
            System.arraycopy(state, stateOff + channels, state, stateOff, (last - 1) * channels);
            System.arraycopy(in, inOff, state, stateOff + (last - 1) * channels, channels);
        }
    }
}
