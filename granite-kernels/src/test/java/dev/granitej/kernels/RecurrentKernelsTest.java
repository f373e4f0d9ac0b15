package dev.granitej.kernels;

import static dev.granitej.kernels.Tolerance.assertClose;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** SsmScan, CausalConv1d and AttentionKernel: vector kernels against their scalar twins. */
class RecurrentKernelsTest {

    private final Random random = new Random(3);

    @Test
    void ssmStepMatchesScalarOverSeveralTokens() {
        for (int dState : new int[]{1, 3, 7, 8, 15, 16, 17, 31, 33, 64, 100, 128, 129}) {
            int headDim = 5; // one group of four rows (stepVector runs four together) and one row alone
            float[] stateS = Matrices.gaussian(2 + headDim * dState, random);
            float[] stateV = stateS.clone();
            for (int token = 0; token < 4; token++) {
                float[] x = Matrices.gaussian(headDim + 1, random);
                float[] b = Matrices.gaussian(dState + 2, random);
                float[] c = Matrices.gaussian(dState + 3, random);
                float dt = 0.3f + random.nextFloat();
                float dA = (float) Math.exp(-dt * 0.7);
                float[] yS = new float[headDim + 4];
                float[] yV = new float[headDim + 4];
                float[] before = stateS.clone();
                SsmScan.stepScalar(stateS, 2, headDim, dState, dt, dA, x, 1, b, 2, c, 3, 0.5f, yS, 4);
                SsmScan.stepVector(stateV, 2, headDim, dState, dt, dA, x, 1, b, 2, c, 3, 0.5f, yV, 4);
                for (int p = 0; p < headDim; p++) {
                    for (int n = 0; n < dState; n++) {
                        int i = 2 + p * dState + n;
                        // Earlier tokens' differences carry over: compare against the terms' size.
                        double scale = Math.abs(before[i] * dA) + Math.abs(dt * b[2 + n] * x[1 + p]);
                        assertClose(stateS[i], stateV[i], 2, scale * (token + 1) * 2,
                                "state[" + i + "] dState=" + dState);
                    }
                }
                for (int p = 0; p < headDim; p++) {
                    double scale = 0.5 * Math.abs(x[1 + p]);
                    for (int n = 0; n < dState; n++) {
                        scale += Math.abs(stateS[2 + p * dState + n] * c[3 + n]);
                    }
                    assertClose(yS[4 + p], yV[4 + p], dState, scale * 4, "y[" + p + "] dState=" + dState);
                }
            }
        }
    }

    @Test
    void causalConvMatchesScalarAndShiftsTheState() {
        for (int channels : new int[]{1, 5, 8, 15, 16, 17, 33, 100, 257}) {
            for (int width : new int[]{1, 2, 4}) {
                float[] stateS = Matrices.gaussian(3 + (width - 1) * channels, random);
                float[] stateV = stateS.clone();
                float[] w = Matrices.gaussian(width * channels, random);
                float[] bias = Matrices.gaussian(channels, random);
                for (int token = 0; token < 5; token++) {
                    float[] in = Matrices.gaussian(channels + 2, random);
                    float[] outS = new float[channels + 1];
                    float[] outV = new float[channels + 1];
                    CausalConv1d.stepScalar(stateS, 3, w, bias, width, channels, in, 2, outS, 1);
                    CausalConv1d.stepVector(stateV, 3, w, bias, width, channels, in, 2, outV, 1);
                    org.junit.jupiter.api.Assertions.assertArrayEquals(stateS, stateV, "state");
                    for (int c = 0; c < channels; c++) {
                        double scale = Math.abs(bias[c]) + Math.abs(w[(width - 1) * channels + c] * in[2 + c]);
                        for (int k = 0; k < width - 1; k++) {
                            scale += Math.abs(w[k * channels + c]) * 4;
                        }
                        assertClose(outS[1 + c], outV[1 + c], width, scale * 4, "out[" + c + "]");
                    }
                }
            }
        }
    }

    @Test
    void attentionMatchesScalar() {
        for (int headDim : new int[]{1, 7, 16, 31, 64, 100, 128}) {
            for (int len : new int[]{1, 2, 15, 16, 17, 100}) {
                int stride = headDim * 3 + 1;
                int kvOff = headDim + 1;
                float[] q = Matrices.gaussian(headDim + 2, random);
                float[] keys = BlockedAttentionTest.blocked(Matrices.gaussian(len * headDim, random), len, 1,
                        headDim, headDim);
                float[] values = Matrices.gaussian(len * stride, random);
                float[] scoresS = new float[len];
                float[] outS = new float[headDim + 3];
                float[] outV = new float[headDim + 3];
                float scale = (float) (1 / Math.sqrt(headDim));
                AttentionKernel.attendBlockedScalar(q, 2, keys, 0, values, stride, kvOff, len, headDim, scale,
                        scoresS, outS, 3);
                BlockedAttentionTest.alone(q, 2, keys, 0, values, stride, kvOff, len, headDim, scale, outV, 3);
                for (int i = 0; i < headDim; i++) {
                    double mag = 0;
                    for (int j = 0; j < len; j++) {
                        mag += scoresS[j] * Math.abs(values[j * stride + kvOff + i]);
                    }
                    // Scores carry the rounding of a headDim-long dot through exp: allow for both.
                    assertClose(outS[3 + i], outV[3 + i], headDim + len, mag * 8,
                            "out[" + i + "] headDim=" + headDim + " len=" + len);
                }
            }
        }
    }
}
