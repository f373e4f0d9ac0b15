package dev.granitej.api;

import dev.granitej.config.GraniteConfig;
import dev.granitej.config.LayerType;
import dev.granitej.io.Tensor;
import dev.granitej.model.GraniteModel;
import java.nio.file.Path;
import java.util.List;

/**
 * What a loaded model is: its architecture, parameter counts, layer plan and memory use.
 *
 * @param directory             the checkpoint directory
 * @param architecture          e.g. "hybrid Mamba-2/attention, MoE 64×top-6 + shared expert"
 * @param totalParameters       all parameters
 * @param activeParameters      parameters touched per token (routed experts counted top-k of E)
 * @param layers                the mixer of each layer
 * @param weightBytes           bytes of mapped weights
 * @param stateBytesPerSession  constant per-session state (Mamba conv + SSM) in bytes
 * @param kvBytesPerToken       KV-cache bytes added per token of context (attention layers only, in the
 *                              model's {@link dev.granitej.model.KvCacheFormat})
 */
public record ModelInfo(Path directory, String architecture, long totalParameters, long activeParameters,
                        List<LayerType> layers, long weightBytes, long stateBytesPerSession, long kvBytesPerToken) {

    static ModelInfo of(Path directory, GraniteModel model) {
        GraniteConfig c = model.config();
        long total = model.parameterCount();
        long inactive = 0;
        for (Tensor t : model.checkpoint().tensors().values()) {
            if (t.name().contains("block_sparse_moe.input_linear") || t.name().contains("block_sparse_moe.output_linear")) {
                inactive += t.elementCount() / c.numLocalExperts() * (c.numLocalExperts() - c.numExpertsPerToken());
            }
        }
        int mamba = c.count(LayerType.MAMBA);
        int attention = c.count(LayerType.ATTENTION);
        String mixers = mamba == 0 ? "transformer (" + attention + " attention layers" + (c.rope() ? ", RoPE)" : ")")
                : "hybrid Mamba-2 ×" + mamba + " + attention ×" + attention + (c.rope() ? " (RoPE)" : " (NoPE)");
        String ffn = c.isMoe()
                ? ", MoE " + c.numLocalExperts() + "×top-" + c.numExpertsPerToken() + " + shared expert"
                : ", dense SwiGLU FFN";
        long state = 4L * mamba * ((long) (c.mambaConvKernel() - 1) * c.mambaConvDim()
                + (long) c.mambaHeads() * c.mambaHeadDim() * c.mambaStateSize());
        long kvPerToken = attention * model.options().kvCache().bytesPerPosition(c.numKeyValueHeads(), c.headDim());
        return new ModelInfo(directory, mixers + ffn, total, total - inactive, c.layerTypes(),
                model.checkpoint().byteSize(), state, kvPerToken);
    }

    /** Bytes of one session's state at a context of {@code tokens} tokens. */
    public long sessionBytes(long tokens) {
        return stateBytesPerSession + kvBytesPerToken * tokens;
    }
}
