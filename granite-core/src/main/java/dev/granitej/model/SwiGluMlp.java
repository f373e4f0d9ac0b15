package dev.granitej.model;

import dev.granitej.io.Checkpoint;
import dev.granitej.kernels.Vec;
import dev.granitej.kernels.WeightMatrix;

/**
 * A SwiGLU MLP whose {@code input_linear} stacks the gate (first half of the rows) over the up projection:
 * {@code out = W_out · (silu(gate·x) ∗ (up·x))}. Granite's shared expert, and the whole FFN of dense models.
 */
final class SwiGluMlp implements FeedForward {

    private final int hidden;
    private final int width;
    private final WeightMatrix input;
    private final WeightMatrix output;

    SwiGluMlp(Checkpoint ckpt, String prefix, int hidden, int width) {
        this.hidden = hidden;
        this.width = width;
        this.input = ckpt.tensor(prefix + "input_linear.weight").requireShape(2L * width, hidden)
                .asMatrix(2 * width, hidden);
        this.output = ckpt.tensor(prefix + "output_linear.weight").requireShape(hidden, width)
                .asMatrix(hidden, width);
    }

    int width() {
        return width;
    }

    @Override
    public void forward(Workspace ws, float[] in, float[] out) {
        int tokens = ws.tokens;
        float[] h = ws.ffnHidden;
        float[] act = ws.ffnAct;
        input.matmul(in, hidden, h, 2 * width, tokens, 0, 2 * width);
        for (int t = 0; t < tokens; t++) {
            Vec.swiglu(act, t * width, h, t * 2 * width, h, t * 2 * width + width, width);
        }
        output.matmul(act, width, out, hidden, tokens, 0, hidden);
    }
}
