package dev.granitej.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The architecture of a Granite 4.0 checkpoint ({@code model_type} {@code granitemoehybrid}), read from
 * {@code config.json} in either spelling found in the wild: the released checkpoints' ({@code layer_types}
 * {@code mamba}/{@code attention}, {@code rope_theta}, {@code torch_dtype}) and transformers 5.x re-saves
 * ({@code linear_attention}/{@code full_attention}, {@code rope_parameters}, {@code dtype},
 * {@code time_step_limit} with {@code {"__float__": "Infinity"}} or a bare {@code Infinity}).
 * All derived dimensions are validated on construction.
 *
 * @param vocabSize              rows of the embedding and lm_head
 * @param hiddenSize             model width H
 * @param layerTypes             mixer of each layer
 * @param numAttentionHeads      query heads
 * @param numKeyValueHeads       key/value heads (GQA)
 * @param headDim                attention head size (H / heads unless given)
 * @param attentionMultiplier    the softmax scale itself
 * @param ropeTheta              RoPE base, used only when {@code rope} is true
 * @param rope                   whether attention applies rotary position embeddings
 * @param intermediateSize       width of each routed expert
 * @param sharedIntermediateSize width of the shared (or dense) MLP
 * @param numLocalExperts        routed experts; 0 means a dense FFN
 * @param numExpertsPerToken     top-k
 * @param rmsNormEps             epsilon of every RMSNorm and the Mamba gated norm
 * @param embeddingMultiplier    scale applied to embeddings
 * @param residualMultiplier     scale applied to every branch before its residual add
 * @param logitsScaling          divisor of the logits
 * @param tieWordEmbeddings      whether lm_head is the embedding matrix
 * @param mambaHeads             SSM heads
 * @param mambaHeadDim           SSM head size P
 * @param mambaStateSize         SSM state size N
 * @param mambaGroups            B/C groups G
 * @param mambaConvKernel        causal conv width K
 * @param mambaExpand            d_inner / H
 * @param mambaConvBias          whether the conv has a bias
 * @param mambaProjBias          whether in_proj/out_proj have biases (unsupported when true)
 * @param timeStepMin            lower clamp of dt
 * @param timeStepMax            upper clamp of dt (may be infinite)
 * @param maxPositionEmbeddings  the context length the model was trained for
 * @param bosTokenId             beginning-of-sequence id, or -1
 * @param eosTokenIds            end-of-sequence ids (possibly empty)
 * @param padTokenId             padding id, or -1
 */
public record GraniteConfig(
        int vocabSize,
        int hiddenSize,
        List<LayerType> layerTypes,
        int numAttentionHeads,
        int numKeyValueHeads,
        int headDim,
        float attentionMultiplier,
        double ropeTheta,
        boolean rope,
        int intermediateSize,
        int sharedIntermediateSize,
        int numLocalExperts,
        int numExpertsPerToken,
        float rmsNormEps,
        float embeddingMultiplier,
        float residualMultiplier,
        float logitsScaling,
        boolean tieWordEmbeddings,
        int mambaHeads,
        int mambaHeadDim,
        int mambaStateSize,
        int mambaGroups,
        int mambaConvKernel,
        int mambaExpand,
        boolean mambaConvBias,
        boolean mambaProjBias,
        float timeStepMin,
        float timeStepMax,
        int maxPositionEmbeddings,
        int bosTokenId,
        List<Integer> eosTokenIds,
        int padTokenId) {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    public GraniteConfig {
        layerTypes = List.copyOf(layerTypes);
        eosTokenIds = List.copyOf(eosTokenIds);
        validate(vocabSize, hiddenSize, layerTypes, numAttentionHeads, numKeyValueHeads, headDim,
                numLocalExperts, numExpertsPerToken, intermediateSize, sharedIntermediateSize, rmsNormEps,
                logitsScaling, mambaHeads, mambaHeadDim, mambaStateSize, mambaGroups, mambaConvKernel,
                mambaExpand, mambaProjBias, timeStepMin, timeStepMax);
    }

    /** Reads and validates {@code config.json}. */
    public static GraniteConfig load(Path configJson) {
        String text;
        try {
            text = Files.readString(configJson);
        } catch (IOException e) {
            throw new ConfigException("cannot read " + configJson + ": " + e.getMessage(), e);
        }
        try {
            return parse(text);
        } catch (ConfigException e) {
            throw new ConfigException(configJson.getFileName() + ": " + e.getMessage(), e);
        }
    }

    /** Parses and validates the text of a {@code config.json}. */
    public static GraniteConfig parse(String json) {
        JsonNode c;
        try {
            c = JSON.readTree(json);
        } catch (IOException e) {
            throw new ConfigException("not well-formed JSON: " + e.getMessage(), e);
        }
        if (c == null || !c.isObject()) {
            throw new ConfigException("config must be a JSON object");
        }
        String modelType = c.path("model_type").asText("");
        if (!modelType.isEmpty() && !modelType.equals("granitemoehybrid")) {
            throw new ConfigException("model_type is '" + modelType + "'; only granitemoehybrid is supported");
        }
        int hidden = intField(c, "hidden_size", null);
        int layers = intField(c, "num_hidden_layers", null);
        int heads = intField(c, "num_attention_heads", 32);
        int kvHeads = c.hasNonNull("num_key_value_heads") ? intField(c, "num_key_value_heads", null) : heads;
        if (heads <= 0) {
            throw new ConfigException("num_attention_heads must be positive, was " + heads);
        }
        if (!c.hasNonNull("head_dim") && hidden % heads != 0) {
            throw new ConfigException("hidden_size (" + hidden + ") is not divisible by num_attention_heads ("
                    + heads + ") and no head_dim is given");
        }
        int headDim = c.hasNonNull("head_dim") ? intField(c, "head_dim", null) : hidden / heads;

        List<LayerType> types = new ArrayList<>();
        JsonNode lt = c.has("layer_types") ? c.get("layer_types") : c.get("layers_block_type");
        if (lt == null || lt.isNull()) {
            for (int i = 0; i < layers; i++) {
                types.add(LayerType.MAMBA);
            }
        } else {
            if (!lt.isArray()) {
                throw new ConfigException("layer_types must be an array of strings");
            }
            for (int i = 0; i < lt.size(); i++) {
                if (!lt.get(i).isTextual()) {
                    throw new ConfigException("layer_types[" + i + "] is not a string");
                }
                types.add(LayerType.parse(lt.get(i).asText(), i));
            }
            if (types.size() != layers) {
                throw new ConfigException("layer_types has " + types.size() + " entries but num_hidden_layers is "
                        + layers);
            }
        }

        String posType = c.path("position_embedding_type").asText("");
        boolean rope = posType.equals("rope");
        double theta = 10000.0;
        if (c.hasNonNull("rope_parameters")) {
            JsonNode rp = c.get("rope_parameters");
            if (rp.hasNonNull("rope_theta")) {
                theta = number(rp.get("rope_theta"), "rope_parameters.rope_theta");
            }
            String ropeType = rp.path("rope_type").asText("default");
            if (rope && !ropeType.equals("default")) {
                throw new ConfigException("rope_parameters.rope_type '" + ropeType + "' is not supported");
            }
        } else if (c.hasNonNull("rope_theta")) {
            theta = number(c.get("rope_theta"), "rope_theta");
        }
        if (rope && c.hasNonNull("rope_scaling")) {
            throw new ConfigException("rope_scaling is not supported");
        }

        int mambaHeads = intField(c, "mamba_n_heads", 128);
        int expand = intField(c, "mamba_expand", 2);
        int mambaHeadDim;
        JsonNode dh = c.get("mamba_d_head");
        if (dh == null || dh.isNull() || (dh.isTextual() && dh.asText().equals("auto"))) {
            if (mambaHeads <= 0) {
                throw new ConfigException("mamba_n_heads must be positive, was " + mambaHeads);
            }
            mambaHeadDim = expand * hidden / mambaHeads;
        } else {
            mambaHeadDim = intField(c, "mamba_d_head", null);
        }

        float tsMin = 0f;
        float tsMax = Float.POSITIVE_INFINITY;
        JsonNode tsl = c.get("time_step_limit");
        if (tsl != null && !tsl.isNull()) {
            if (!tsl.isArray() || tsl.size() != 2) {
                throw new ConfigException("time_step_limit must be a pair [min, max]");
            }
            tsMin = (float) number(tsl.get(0), "time_step_limit[0]");
            tsMax = (float) number(tsl.get(1), "time_step_limit[1]");
        }

        List<Integer> eos = new ArrayList<>();
        JsonNode eosNode = c.get("eos_token_id");
        if (eosNode != null && eosNode.isArray()) {
            eosNode.forEach(n -> eos.add(n.asInt()));
        } else if (eosNode != null && eosNode.isIntegralNumber()) {
            eos.add(eosNode.asInt());
        }

        return new GraniteConfig(
                intField(c, "vocab_size", null),
                hidden,
                types,
                heads,
                kvHeads,
                headDim,
                floatField(c, "attention_multiplier", 1f),
                theta,
                rope,
                intField(c, "intermediate_size", 11008),
                intField(c, "shared_intermediate_size", 1024),
                intField(c, "num_local_experts", 8),
                intField(c, "num_experts_per_tok", 2),
                floatField(c, "rms_norm_eps", 1e-6f),
                floatField(c, "embedding_multiplier", 1f),
                floatField(c, "residual_multiplier", 1f),
                floatField(c, "logits_scaling", 1f),
                c.path("tie_word_embeddings").asBoolean(false),
                mambaHeads,
                mambaHeadDim,
                intField(c, "mamba_d_state", 256),
                intField(c, "mamba_n_groups", 1),
                intField(c, "mamba_d_conv", 4),
                expand,
                c.path("mamba_conv_bias").asBoolean(true),
                c.path("mamba_proj_bias").asBoolean(false),
                tsMin,
                tsMax,
                intField(c, "max_position_embeddings", 2048),
                c.hasNonNull("bos_token_id") ? intField(c, "bos_token_id", null) : -1,
                eos,
                c.hasNonNull("pad_token_id") ? intField(c, "pad_token_id", null) : -1);
    }

    private static int intField(JsonNode c, String name, Integer fallback) {
        JsonNode n = c.get(name);
        if (n == null || n.isNull()) {
            if (fallback == null) {
                throw new ConfigException("missing required field '" + name + "'");
            }
            return fallback;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new ConfigException("field '" + name + "' must be an integer, was " + n);
        }
        return n.asInt();
    }

    private static float floatField(JsonNode c, String name, float fallback) {
        JsonNode n = c.get(name);
        if (n == null || n.isNull()) {
            return fallback;
        }
        return (float) number(n, name);
    }

    /** A JSON number, a bare {@code Infinity}/{@code NaN}, or {@code {"__float__": "Infinity"}}. */
    private static double number(JsonNode n, String name) {
        if (n != null && n.isNumber()) {
            return n.asDouble();
        }
        if (n != null && n.isObject() && n.size() == 1 && n.has("__float__")) {
            String s = n.get("__float__").asText();
            switch (s) {
                case "Infinity", "inf": return Double.POSITIVE_INFINITY;
                case "-Infinity", "-inf": return Double.NEGATIVE_INFINITY;
                default:
                    try {
                        return Double.parseDouble(s);
                    } catch (NumberFormatException e) {
                        throw new ConfigException("field '" + name + "' has an unreadable __float__ '" + s + "'");
                    }
            }
        }
        throw new ConfigException("field '" + name + "' must be a number, was " + n);
    }

    private static void validate(int vocab, int hidden, List<LayerType> types, int heads, int kvHeads, int headDim,
                                 int experts, int topK, int inter, int sharedInter, float eps, float logitsScaling,
                                 int mHeads, int mHeadDim, int dState, int groups, int convK, int expand,
                                 boolean projBias, float tsMin, float tsMax) {
        positive("vocab_size", vocab);
        positive("hidden_size", hidden);
        if (types.isEmpty()) {
            throw new ConfigException("num_hidden_layers must be positive");
        }
        positive("shared_intermediate_size", sharedInter);
        if (!(eps > 0) || Float.isInfinite(eps)) {
            throw new ConfigException("rms_norm_eps must be a positive number, was " + eps);
        }
        if (logitsScaling == 0 || Float.isNaN(logitsScaling)) {
            throw new ConfigException("logits_scaling must be a non-zero number, was " + logitsScaling);
        }
        if (experts < 0) {
            throw new ConfigException("num_local_experts must not be negative, was " + experts);
        }
        if (experts > 0) {
            positive("intermediate_size", inter);
            if (topK < 1 || topK > experts) {
                throw new ConfigException("num_experts_per_tok must be in [1, num_local_experts=" + experts
                        + "], was " + topK);
            }
        }
        if (types.contains(LayerType.ATTENTION)) {
            positive("num_attention_heads", heads);
            positive("num_key_value_heads", kvHeads);
            positive("head_dim", headDim);
            if (heads % kvHeads != 0) {
                throw new ConfigException("num_key_value_heads (" + kvHeads
                        + ") must divide num_attention_heads (" + heads + ")");
            }
        }
        if (types.contains(LayerType.MAMBA)) {
            positive("mamba_n_heads", mHeads);
            positive("mamba_d_head", mHeadDim);
            positive("mamba_d_state", dState);
            positive("mamba_n_groups", groups);
            positive("mamba_d_conv", convK);
            positive("mamba_expand", expand);
            long dInner = (long) expand * hidden;
            if ((long) mHeads * mHeadDim != dInner) {
                throw new ConfigException("mamba_n_heads × mamba_d_head (" + mHeads + " × " + mHeadDim + " = "
                        + (long) mHeads * mHeadDim + ") must equal mamba_expand × hidden_size (" + dInner + ")");
            }
            if (mHeads % groups != 0) {
                throw new ConfigException("mamba_n_groups (" + groups + ") must divide mamba_n_heads (" + mHeads
                        + ")");
            }
            if (projBias) {
                throw new ConfigException("mamba_proj_bias=true is not supported (no Granite 4.0 model uses it)");
            }
            if (!(tsMin >= 0) || !(tsMax > tsMin)) {
                throw new ConfigException("time_step_limit [" + tsMin + ", " + tsMax + "] is not a valid range");
            }
        }
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new ConfigException(name + " must be positive, was " + value);
        }
    }

    /** Number of decoder layers. */
    public int numLayers() {
        return layerTypes.size();
    }

    /** Mamba inner width, {@code mamba_expand × hidden_size}. */
    public int mambaInner() {
        return mambaExpand * hiddenSize;
    }

    /** Channels of the Mamba causal conv: x, B and C. */
    public int mambaConvDim() {
        return mambaInner() + 2 * mambaGroups * mambaStateSize;
    }

    /** Rows of the Mamba in_proj: z, xBC and dt. */
    public int mambaInProjDim() {
        return mambaInner() + mambaConvDim() + mambaHeads;
    }

    /** Whether layers use routed experts (otherwise a dense MLP). */
    public boolean isMoe() {
        return numLocalExperts > 0;
    }

    /** Number of layers of the given type. */
    public int count(LayerType type) {
        int n = 0;
        for (LayerType t : layerTypes) {
            if (t == type) {
                n++;
            }
        }
        return n;
    }
}
