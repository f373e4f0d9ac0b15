package dev.granitej.model;

import dev.granitej.config.GraniteConfig;
import dev.granitej.io.Checkpoint;
import dev.granitej.kernels.Parallel;

/**
 * Causal grouped-query attention of one layer. The H models use no positional encoding at all (NoPE); the
 * dense models rotate q and k with RoPE (rotate-half layout). {@code attention_multiplier} is the whole
 * softmax scale. Keys and values go to this layer's {@link KvCache}.
 */
final class Attention implements Mixer {

    private final int layer;
    private final int hidden;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final int qDim;
    private final int kvDim;
    private final float scale;
    private final Linear wq;
    private final Linear wk;
    private final Linear wv;
    private final Linear wo;
    private final Parallel pool;
    /** RoPE inverse frequencies, or {@code null} for NoPE. */
    private final float[] invFreq;

    Attention(GraniteConfig c, Weights w, int layer) {
        Checkpoint ckpt = w.checkpoint;
        this.pool = w.pool;
        this.layer = layer;
        this.hidden = c.hiddenSize();
        this.heads = c.numAttentionHeads();
        this.kvHeads = c.numKeyValueHeads();
        this.headDim = c.headDim();
        this.qDim = heads * headDim;
        this.kvDim = kvHeads * headDim;
        this.scale = c.attentionMultiplier();
        String p = "model.layers." + layer + ".self_attn.";
        this.wq = w.linear(p + "q_proj.weight", qDim, hidden);
        this.wk = w.linear(p + "k_proj.weight", kvDim, hidden);
        this.wv = w.linear(p + "v_proj.weight", kvDim, hidden);
        this.wo = w.linear(p + "o_proj.weight", hidden, qDim);
        for (String bias : new String[] {"q_proj.bias", "k_proj.bias", "v_proj.bias", "o_proj.bias"}) {
            if (ckpt.find(p + bias).isPresent()) {
                throw new dev.granitej.io.CheckpointException(ckpt.directory().getFileName() + ": tensor '" + p
                        + bias + "' present, but attention biases are not supported");
            }
        }
        if (c.rope()) {
            if (headDim % 2 != 0) {
                throw new dev.granitej.config.ConfigException("RoPE needs an even head_dim, got " + headDim);
            }
            invFreq = new float[headDim / 2];
            for (int i = 0; i < invFreq.length; i++) {
                invFreq[i] = (float) (1.0 / Math.pow(c.ropeTheta(), (2.0 * i) / headDim));
            }
        } else {
            invFreq = null;
        }
    }

    @Override
    public void forward(Workspace ws, float[] in, float[] out) {
        int tokens = ws.tokens;
        wq.forward(ws, in, hidden, ws.q, qDim);
        wk.forward(ws, in, hidden, ws.k, kvDim);
        wv.forward(ws, in, hidden, ws.v, kvDim);
        if (invFreq != null) {
            for (int t = 0; t < tokens; t++) {
                int pos = ws.rowPos[t];
                for (int h = 0; h < heads; h++) {
                    rotate(ws.q, t * qDim + h * headDim, pos);
                }
                for (int h = 0; h < kvHeads; h++) {
                    rotate(ws.k, t * kvDim + h * headDim, pos);
                }
            }
        }
        for (int t = 0; t < tokens; t++) {
            ws.rowState[t].kv(layer).append(ws.k, ws.v, t * kvDim);
        }
        pool.forRange(0, kvHeads, 1, this, ws, Attention::attendKvHeads);
        wo.forward(ws, ws.context, qDim, out, hidden);
    }

    /** KV heads {@code [h0, h1)} (see {@link #attendKvHead}). */
    private void attendKvHeads(Workspace ws, int h0, int h1) {
        for (int h = h0; h < h1; h++) {
            attendKvHead(ws, h);
        }
    }

    /**
     * The query heads of KV head {@code kvHead} attend, several tokens of one sequence per kernel call, so the
     * cached keys and values are read once per call rather than once per query head and token. Row t sees
     * positions {@code 0 ..= rowPos[t]}: its own key was appended above, later tokens' keys are past its length.
     */
    private void attendKvHead(Workspace ws, int kvHead) {
        AttentionScratch s = ws.attention[kvHead];
        int group = heads / kvHeads;
        int tokens = ws.tokens;
        int perCall = s.tokensPerCall(tokens, ws.contextLength);
        for (int t = 0; t < tokens; ) {
            SequenceState seq = ws.rowState[t];
            int end = t + 1;
            while (end < tokens && end - t < perCall && ws.rowState[end] == seq) {
                end++;
            }
            int n = 0;
            int maxLen = 0;
            for (int u = t; u < end; u++) {
                for (int g = 0; g < group; g++) {
                    int off = u * qDim + (kvHead * group + g) * headDim;
                    s.qOffs[n] = off;
                    s.outOffs[n] = off;
                    s.lens[n] = ws.rowPos[u] + 1;
                    maxLen = Math.max(maxLen, s.lens[n]);
                    n++;
                }
            }
            seq.kv(layer).attend(ws.q, s.qOffs, s.lens, s.outOffs, n, kvHead, scale, s.scores,
                    AttentionScratch.scoreStride(maxLen), ws.context, s.widened);
            t = end;
        }
    }

    /** Rotate-half RoPE in fp32: pairs (i, i + head_dim/2) turn by {@code pos · inv_freq[i]}. */
    private void rotate(float[] x, int off, int pos) {
        int half = headDim / 2;
        for (int i = 0; i < half; i++) {
            double angle = (double) pos * invFreq[i];
            float cos = (float) Math.cos((float) angle);
            float sin = (float) Math.sin((float) angle);
            float x0 = x[off + i];
            float x1 = x[off + i + half];
            x[off + i] = x0 * cos - x1 * sin;
            x[off + i + half] = x1 * cos + x0 * sin;
        }
    }
}
