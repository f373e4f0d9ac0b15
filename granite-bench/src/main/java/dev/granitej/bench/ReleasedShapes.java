package dev.granitej.bench;

import dev.granitej.config.GraniteConfig;
import dev.granitej.config.LayerType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The architectures of the released Granite 4.0 models (spec §5), as {@link GraniteConfig}s: the shapes the
 * benchmark checkpoints are generated with. Only the weights are random; every dimension is the real one.
 */
public final class ReleasedShapes {

    /** Every vocabulary of the Granite 4.0 family. */
    public static final int VOCAB = 100352;

    /** Short names accepted by {@link #of(String)}, in order of size. */
    public static final List<String> NAMES = List.of("h-350m", "h-1b", "h-micro", "micro", "h-tiny", "h-small");

    private ReleasedShapes() {
    }

    /**
     * The configuration of a released model: {@code h-350m}, {@code h-1b}, {@code h-micro}, {@code h-tiny},
     * {@code h-small} or {@code micro} (the dense transformer), optionally prefixed {@code granite-4.0-}.
     */
    public static GraniteConfig of(String name) {
        String key = name.toLowerCase(Locale.ROOT).replaceFirst("^(ibm-granite/)?granite-4\\.0-", "");
        return switch (key) {
            // hidden, layers, attention layers, heads, kv, attn mult, resid mult, logits, experts, top-k,
            // expert width, shared width, mamba heads, mamba head dim, max positions
            case "h-small" -> hybrid(4096, 40, new int[] {5, 15, 25, 35}, 32, 8, 0.0078125f, 0.22f, 16f,
                    72, 10, 768, 1536, 128, 64, 131072);
            case "h-tiny" -> hybrid(1536, 40, new int[] {5, 15, 25, 35}, 12, 4, 0.0078125f, 0.22f, 6f,
                    64, 6, 512, 1024, 48, 64, 131072);
            case "h-micro" -> hybrid(2048, 40, new int[] {5, 15, 25, 35}, 32, 8, 0.015625f, 0.22f, 8f,
                    0, 0, 8192, 8192, 64, 64, 131072);
            case "h-1b" -> hybrid(1536, 40, new int[] {5, 15, 25, 35}, 12, 4, 0.0078125f, 0.22f, 6f,
                    0, 0, 4096, 4096, 48, 64, 131072);
            case "h-350m" -> hybrid(768, 32, new int[] {10, 13, 17, 27}, 12, 4, 0.015625f, 0.246f, 3f,
                    0, 0, 2048, 2048, 48, 32, 32768);
            case "micro" -> denseTransformer();
            default -> throw new IllegalArgumentException("unknown model '" + name + "'; expected one of "
                    + NAMES.stream().map(n -> "granite-4.0-" + n).collect(Collectors.joining(", ")));
        };
    }

    /** The Hugging Face repository name of a short name, e.g. {@code granite-4.0-h-1b}. */
    public static String repositoryName(String name) {
        String key = name.toLowerCase(Locale.ROOT).replaceFirst("^(ibm-granite/)?granite-4\\.0-", "");
        of(key);
        return "granite-4.0-" + key;
    }

    private static GraniteConfig hybrid(int hidden, int layers, int[] attention, int heads, int kvHeads,
                                        float attnMult, float residMult, float logitsScaling, int experts,
                                        int topK, int expertWidth, int sharedWidth, int mambaHeads,
                                        int mambaHeadDim, int maxPositions) {
        List<LayerType> types = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            final int layer = i;
            types.add(Arrays.stream(attention).anyMatch(a -> a == layer) ? LayerType.ATTENTION : LayerType.MAMBA);
        }
        return new GraniteConfig(VOCAB, hidden, types, heads, kvHeads, hidden / heads, attnMult, 10000.0, false,
                expertWidth, sharedWidth, experts, topK, 1e-5f, 12f, residMult, logitsScaling, true,
                mambaHeads, mambaHeadDim, 128, 1, 4, 2, true, false, 0f, Float.POSITIVE_INFINITY, maxPositions,
                100257, List.of(100257), 100256);
    }

    /** granite-4.0-micro: 40 attention layers with RoPE (theta 1e7); the Mamba fields are unused defaults. */
    private static GraniteConfig denseTransformer() {
        int hidden = 2560;
        List<LayerType> types = java.util.Collections.nCopies(40, LayerType.ATTENTION);
        return new GraniteConfig(VOCAB, hidden, types, 40, 8, hidden / 40, 0.015625f, 1e7, true,
                8192, 8192, 0, 0, 1e-5f, 12f, 0.22f, 10f, true,
                128, 40, 256, 1, 4, 2, true, false, 0f, Float.POSITIVE_INFINITY, 131072,
                100257, List.of(100257), 100256);
    }

    /**
     * {@code base} cut down to its first {@code layers} layers, for quick runs at real width. When the cut
     * removes every attention layer of a hybrid, the last kept layer becomes attention so that both mixers
     * still run.
     */
    public static GraniteConfig truncated(GraniteConfig base, int layers) {
        if (layers < 1 || layers > base.numLayers()) {
            throw new IllegalArgumentException("--layers must be in [1, " + base.numLayers() + "], was " + layers);
        }
        List<LayerType> types = new ArrayList<>(base.layerTypes().subList(0, layers));
        if (base.layerTypes().contains(LayerType.ATTENTION) && !types.contains(LayerType.ATTENTION)) {
            types.set(layers - 1, LayerType.ATTENTION);
        }
        return withLayerTypes(base, types);
    }

    /** {@code base} with another layer plan (e.g. all attention, for the transformer the hybrid is compared to). */
    public static GraniteConfig withLayerTypes(GraniteConfig b, List<LayerType> types) {
        return copy(b, b.vocabSize(), types, b.bosTokenId(), b.eosTokenIds(), b.padTokenId());
    }

    /**
     * {@code base} with a smaller vocabulary, for quick tests. The special token ids move to the last id of
     * the smaller vocabulary so that the config stays valid.
     */
    public static GraniteConfig withVocab(GraniteConfig b, int vocab) {
        int last = vocab - 1;
        return copy(b, vocab, b.layerTypes(), Math.min(b.bosTokenId(), last),
                b.eosTokenIds().stream().map(e -> Math.min(e, last)).toList(), Math.min(b.padTokenId(), last));
    }

    private static GraniteConfig copy(GraniteConfig b, int vocab, List<LayerType> types, int bos, List<Integer> eos,
                                      int pad) {
        return new GraniteConfig(vocab, b.hiddenSize(), types, b.numAttentionHeads(), b.numKeyValueHeads(),
                b.headDim(), b.attentionMultiplier(), b.ropeTheta(), b.rope(), b.intermediateSize(),
                b.sharedIntermediateSize(), b.numLocalExperts(), b.numExpertsPerToken(), b.rmsNormEps(),
                b.embeddingMultiplier(), b.residualMultiplier(), b.logitsScaling(), b.tieWordEmbeddings(),
                b.mambaHeads(), b.mambaHeadDim(), b.mambaStateSize(), b.mambaGroups(), b.mambaConvKernel(),
                b.mambaExpand(), b.mambaConvBias(), b.mambaProjBias(), b.timeStepMin(), b.timeStepMax(),
                b.maxPositionEmbeddings(), bos, eos, pad);
    }
}
