package dev.granitej.model;

import dev.granitej.kernels.Vec;

/**
 * One decoder layer, the same for both mixers: {@code h += mixer(norm(h))·r}, then {@code h += ffn(norm(h))·r}
 * where r is the residual multiplier (it scales the branch, never the residual).
 */
final class DecoderLayer {

    private final Mixer mixer;
    private final FeedForward ffn;
    private final float[] inputNorm;
    private final float[] postNorm;
    private final float eps;
    private final float residualMultiplier;
    private final int hidden;

    DecoderLayer(Mixer mixer, FeedForward ffn, float[] inputNorm, float[] postNorm, float eps,
                 float residualMultiplier, int hidden) {
        this.mixer = mixer;
        this.ffn = ffn;
        this.inputNorm = inputNorm;
        this.postNorm = postNorm;
        this.eps = eps;
        this.residualMultiplier = residualMultiplier;
        this.hidden = hidden;
    }

    void forward(Workspace ws) {
        int tokens = ws.tokens;
        float[] h = ws.hidden;
        for (int t = 0; t < tokens; t++) {
            Vec.rmsNorm(ws.normed, t * hidden, h, t * hidden, inputNorm, 0, hidden, eps);
        }
        mixer.forward(ws, ws.normed, ws.branch);
        Vec.axpy(h, 0, residualMultiplier, ws.branch, 0, tokens * hidden);
        for (int t = 0; t < tokens; t++) {
            Vec.rmsNorm(ws.normed, t * hidden, h, t * hidden, postNorm, 0, hidden, eps);
        }
        ffn.forward(ws, ws.normed, ws.branch);
        Vec.axpy(h, 0, residualMultiplier, ws.branch, 0, tokens * hidden);
    }

    Mixer mixer() {
        return mixer;
    }
}
