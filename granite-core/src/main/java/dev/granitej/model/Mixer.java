package dev.granitej.model;

/** The token-mixing half of a decoder layer: Mamba-2 or attention. The decoder loop does not know which. */
sealed interface Mixer permits Mamba2Mixer, Attention {

    /**
     * Mixes {@code ws.tokens} normalised rows of {@code in} (row stride = hidden size) into {@code out}. Row t
     * belongs to sequence {@code ws.rowState[t]} at position {@code ws.rowPos[t]} and advances that sequence's
     * state for this layer; rows of one sequence come in order. So one pass serves a prompt chunk of one
     * sequence and a decode step of many alike.
     */
    void forward(Workspace ws, float[] in, float[] out);
}
