package dev.granitej.model;

/** The token-mixing half of a decoder layer: Mamba-2 or attention. The decoder loop does not know which. */
sealed interface Mixer permits Mamba2Mixer, Attention {

    /**
     * Mixes {@code ws.tokens} normalised rows of {@code in} (row stride = hidden size) into {@code out},
     * advancing the sequence's state for this layer. {@code position} is that of the first token.
     */
    void forward(SequenceState state, Workspace ws, float[] in, float[] out, int position);
}
