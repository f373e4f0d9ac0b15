package dev.granitej.model;

/** The feed-forward half of a decoder layer: routed experts plus a shared expert, or a dense MLP. */
sealed interface FeedForward permits SwiGluMlp, MoeFeedForward {

    /** Transforms {@code ws.tokens} normalised rows of {@code in} into {@code out} (row stride = hidden size). */
    void forward(Workspace ws, float[] in, float[] out);
}
