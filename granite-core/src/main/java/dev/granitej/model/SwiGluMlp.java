package dev.granitej.model;

import dev.granitej.kernels.Vec;

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
     * caller scratch {@code h} ({@code 2·width}) and {@code act} ({@code width}); the same products as
     * {@link #forward} for one token.
     */
    void forwardOneToken(float[] in, float[] h, float[] act, float[] out) {
        input.weight().matmulExact(in, hidden, h, 2 * width, 1, 0, 2 * width);
        Vec.swiglu(act, 0, h, 0, h, width, width);
        output.weight().matmulExact(act, width, out, hidden, 1, 0, hidden);
    }
}
