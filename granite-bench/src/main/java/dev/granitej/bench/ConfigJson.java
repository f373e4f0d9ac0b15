package dev.granitej.bench;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.granitej.config.GraniteConfig;
import dev.granitej.config.LayerType;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a {@link GraniteConfig} as {@code config.json} in the spelling of the released checkpoints
 * ({@code layer_types} {@code mamba}/{@code attention}, {@code rope_theta}, {@code torch_dtype}, keys sorted as
 * transformers saves them), so that generated checkpoints are read by the same code path as real ones.
 */
public final class ConfigJson {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    private ConfigJson() {
    }

    /** The text of {@code config.json} for {@code c}, declaring {@code torch_dtype} bfloat16. */
    public static String write(GraniteConfig c) {
        Map<String, Object> m = new TreeMap<>();
        m.put("architectures", List.of("GraniteMoeHybridForCausalLM"));
        m.put("model_type", "granitemoehybrid");
        m.put("attention_bias", false);
        m.put("attention_dropout", decimal(0.0));
        m.put("attention_multiplier", decimal(c.attentionMultiplier()));
        m.put("bos_token_id", c.bosTokenId());
        m.put("eos_token_id", c.eosTokenIds().size() == 1 ? c.eosTokenIds().getFirst() : c.eosTokenIds());
        m.put("pad_token_id", c.padTokenId());
        m.put("embedding_multiplier", decimal(c.embeddingMultiplier()));
        m.put("hidden_act", "silu");
        m.put("hidden_size", c.hiddenSize());
        m.put("init_method", "mup");
        m.put("initializer_range", decimal(0.1));
        m.put("intermediate_size", c.intermediateSize());
        m.put("layer_types", c.layerTypes().stream().map(t -> t.name().toLowerCase(Locale.ROOT)).toList());
        m.put("logits_scaling", decimal(c.logitsScaling()));
        m.put("mamba_chunk_size", 256);
        m.put("mamba_conv_bias", c.mambaConvBias());
        m.put("mamba_d_conv", c.mambaConvKernel());
        m.put("mamba_d_head", c.mambaHeadDim());
        m.put("mamba_d_state", c.mambaStateSize());
        m.put("mamba_expand", c.mambaExpand());
        m.put("mamba_n_groups", c.mambaGroups());
        m.put("mamba_n_heads", c.mambaHeads());
        m.put("mamba_proj_bias", c.mambaProjBias());
        m.put("max_position_embeddings", c.maxPositionEmbeddings());
        m.put("normalization_function", "rmsnorm");
        m.put("num_attention_heads", c.numAttentionHeads());
        m.put("num_experts_per_tok", c.numExpertsPerToken());
        m.put("num_hidden_layers", c.numLayers());
        m.put("num_key_value_heads", c.numKeyValueHeads());
        m.put("num_local_experts", c.numLocalExperts());
        m.put("output_router_logits", false);
        m.put("position_embedding_type", c.rope() ? "rope" : "nope");
        m.put("residual_multiplier", decimal(c.residualMultiplier()));
        m.put("rms_norm_eps", decimal(c.rmsNormEps()));
        m.put("rope_scaling", null);
        m.put("rope_theta", decimal(c.ropeTheta()));
        m.put("router_aux_loss_coef", decimal(0.01));
        m.put("shared_intermediate_size", c.sharedIntermediateSize());
        m.put("tie_word_embeddings", c.tieWordEmbeddings());
        m.put("torch_dtype", "bfloat16");
        m.put("transformers_version", "4.56.0");
        m.put("use_cache", true);
        m.put("vocab_size", c.vocabSize());
        if (c.numAttentionHeads() > 0 && c.headDim() != c.hiddenSize() / c.numAttentionHeads()) {
            m.put("head_dim", c.headDim());
        }
        if (c.timeStepMin() != 0f || c.timeStepMax() != Float.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("released configs have no time_step_limit; cannot write ["
                    + c.timeStepMin() + ", " + c.timeStepMax() + "]");
        }
        if (c.layerTypes().stream().anyMatch(t -> t != LayerType.MAMBA && t != LayerType.ATTENTION)) {
            throw new IllegalArgumentException("unknown layer type in " + c.layerTypes());
        }
        DefaultPrettyPrinter pretty = new DefaultPrettyPrinter()
                .withSeparators(Separators.createDefaultInstance()
                        .withObjectFieldValueSpacing(Separators.Spacing.AFTER));
        try {
            return JSON.writer(pretty).writeValueAsString(m) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise config", e);
        }
    }

    /** A float as the shortest decimal that reads back to it (0.22, not 0.2199999988079071). */
    private static BigDecimal decimal(float f) {
        return new BigDecimal(Float.toString(f));
    }

    private static BigDecimal decimal(double d) {
        BigDecimal b = new BigDecimal(Double.toString(d));
        return b.scale() <= 0 ? b.setScale(1) : b;
    }
}
