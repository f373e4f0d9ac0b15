package dev.granitej.model;

import dev.granitej.kernels.MatmulScratch;
import dev.granitej.kernels.Vec;
import dev.granitej.kernels.WeightMatrix;

/**
 * A SwiGLU MLP whose {@code input_linear} stacks the gate (first half of the rows) over the up projection:
 * {@code out = W_out · (silu(gate·x) ∗ (up·x))}. Granite's shared expert, and the whole FFN of dense models.
 */
final class SwiGluMlp implements FeedForward {

    private final int hidden;
    private final int width;
    private final Linear input;
    private final Linear output;

    SwiGluMlp(Weights w, String prefix, int hidden, int width) {
        this.hidden = hidden;
        this.width = width;
        this.input = w.linear(prefix + "input_linear.weight", 2 * width, hidden);
        this.output = w.linear(prefix + "output_linear.weight", hidden, width);
    }

    int width() {
        return width;
    }

    @Override
    public void forward(Workspace ws, float[] in, float[] out) {
        int tokens = ws.tokens;
        float[] h = ws.ffnHidden;
        float[] act = ws.ffnAct;
        input.forward(ws, in, hidden, h, 2 * width);
        for (int t = 0; t < tokens; t++) {
            Vec.swiglu(act, t * width, h, t * 2 * width, h, t * 2 * width + width, width);
        }
        output.forward(ws, act, width, out, hidden);
    }

    /**
     * One token on the calling thread (for callers that already run it as one of several parallel tasks), with
     * caller scratch {@code h} ({@code 2·width}) and {@code scratch}; the same products as {@link #forward} for one
     * token.
     */
    void forwardOneToken(float[] in, float[] h, float[] out, MatmulScratch scratch) {
        oneToken(input.weight(), output.weight(), hidden, width, in, h, out, scratch);
    }

    /**
     * {@code y = W_out·swiglu(W_in·x)} for one token on the calling thread, gate in the first half of
     * {@code W_in}'s rows; the activation overwrites the gate in {@code h}, the products take their buffers from
     * {@code scratch}. Also the MoE experts' product.
     */
    static void oneToken(WeightMatrix in, WeightMatrix out, int hidden, int width, float[] x, float[] h, float[] y,
                         MatmulScratch scratch) {
        in.matmulExact(x, hidden, h, 2 * width, 1, 0, 2 * width, scratch);
        Vec.swiglu(h, 0, h, 0, h, width, width);
        out.matmulExact(h, 2 * width, y, hidden, 1, 0, hidden, scratch);
    }
}
