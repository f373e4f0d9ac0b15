package dev.granitej.kernels;

import jdk.incubator.vector.FloatVector;

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
        if (Kernels.VECTOR) {
            stepVector(state, stateOff, weights, bias, width, channels, in, inOff, out, outOff);
        } else {
            stepScalar(state, stateOff, weights, bias, width, channels, in, inOff, out, outOff);
        }
    }

    /** The Vector API kernel, vectorised over channels (taps are few, channels many). */
    static void stepVector(float[] state, int stateOff, float[] weights, float[] bias, int width, int channels,
                           float[] in, int inOff, float[] out, int outOff) {
        int last = width - 1;
        int lanes = Simd.LANES;
        int c = 0;
        for (; c <= channels - lanes; c += lanes) {
            FloatVector sum = FloatVector.fromArray(Simd.F, weights, last * channels + c)
                    .fma(FloatVector.fromArray(Simd.F, in, inOff + c), FloatVector.fromArray(Simd.F, bias, c));
            for (int k = 0; k < last; k++) {
                sum = FloatVector.fromArray(Simd.F, weights, k * channels + c)
                        .fma(FloatVector.fromArray(Simd.F, state, stateOff + k * channels + c), sum);
            }
            sum.intoArray(out, outOff + c);
        }
        for (; c < channels; c++) {
            float sum = bias[c] + weights[last * channels + c] * in[inOff + c];
            for (int k = 0; k < last; k++) {
                sum += weights[k * channels + c] * state[stateOff + k * channels + c];
            }
            out[outOff + c] = sum;
        }
        shiftIn(state, stateOff, last, channels, in, inOff);
    }

    /** The scalar twin of {@link #step}. */
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
        shiftIn(state, stateOff, last, channels, in, inOff);
    }

    /** Drops the oldest of the {@code last} stored inputs and appends {@code in}. */
    private static void shiftIn(float[] state, int stateOff, int last, int channels, float[] in, int inOff) {
        if (last > 0) {
            System.arraycopy(state, stateOff + channels, state, stateOff, (last - 1) * channels);
            System.arraycopy(in, inOff, state, stateOff + (last - 1) * channels, channels);
        }
    }
}
