package dev.granitej.bench;

import dev.granitej.config.GraniteConfig;
import dev.granitej.config.LayerType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The tensors of a Granite 4.0 checkpoint (spec §2) with their torch shapes and the distributions the random
 * checkpoint draws them from. Embeddings are tied, so there is no {@code lm_head.weight}.
 *
 * @param tensors in the order they are written
 */
public record TensorPlan(List<Entry> tensors) {

    /** Embedding values: small enough that {@code embedding_multiplier} (12) keeps the residual stream O(1). */
    static final double EMBEDDING_STD = 0.1;

    /**
     * One tensor.
     *
     * @param name  its Hugging Face name
     * @param shape its torch shape
     * @param init  how its values are drawn
     */
    public record Entry(String name, long[] shape, Init init) {

        public Entry {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        /** Number of elements. */
        public long elements() {
            long n = 1;
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            return n;
        }

        @Override
        public String toString() {
            return name + Arrays.toString(shape);
        }
    }

    public TensorPlan {
        tensors = List.copyOf(tensors);
    }

    /** The tensors of a checkpoint for {@code c}. */
    public static TensorPlan of(GraniteConfig c) {
        List<Entry> out = new ArrayList<>();
        long h = c.hiddenSize();
        out.add(new Entry("model.embed_tokens.weight", new long[] {c.vocabSize(), h},
                new Init.Gaussian(0, EMBEDDING_STD)));
        Init norm = new Init.Gaussian(1, 0.02);
        for (int i = 0; i < c.numLayers(); i++) {
            String p = "model.layers." + i + ".";
            out.add(new Entry(p + "input_layernorm.weight", new long[] {h}, norm));
            if (c.layerTypes().get(i) == LayerType.MAMBA) {
                addMamba(out, c, p + "mamba.");
            } else {
                addAttention(out, c, p + "self_attn.");
            }
            out.add(new Entry(p + "post_attention_layernorm.weight", new long[] {h}, norm));
            if (c.isMoe()) {
                long e = c.numLocalExperts();
                long w = c.intermediateSize();
                String m = p + "block_sparse_moe.";
                out.add(new Entry(m + "router.layer.weight", new long[] {e, h}, Init.fanIn(h)));
                out.add(new Entry(m + "input_linear.weight", new long[] {e, 2 * w, h}, Init.fanIn(h)));
                out.add(new Entry(m + "output_linear.weight", new long[] {e, h, w}, Init.fanIn(w)));
            }
            long s = c.sharedIntermediateSize();
            out.add(new Entry(p + "shared_mlp.input_linear.weight", new long[] {2 * s, h}, Init.fanIn(h)));
            out.add(new Entry(p + "shared_mlp.output_linear.weight", new long[] {h, s}, Init.fanIn(s)));
        }
        out.add(new Entry("model.norm.weight", new long[] {h}, norm));
        return new TensorPlan(out);
    }

    private static void addMamba(List<Entry> out, GraniteConfig c, String p) {
        long h = c.hiddenSize();
        long inner = c.mambaInner();
        long heads = c.mambaHeads();
        long k = c.mambaConvKernel();
        out.add(new Entry(p + "in_proj.weight", new long[] {c.mambaInProjDim(), h}, Init.fanIn(h)));
        out.add(new Entry(p + "conv1d.weight", new long[] {c.mambaConvDim(), 1, k}, Init.fanIn(k)));
        if (c.mambaConvBias()) {
            out.add(new Entry(p + "conv1d.bias", new long[] {c.mambaConvDim()}, new Init.Gaussian(0, 0.1)));
        }
        // dt = softplus(dt_raw + dt_bias) around 0.2–1, A = -exp(A_log) in [-16, -1]: decays like a trained model.
        out.add(new Entry(p + "dt_bias", new long[] {heads}, new Init.Uniform(-1.5, 0.5)));
        out.add(new Entry(p + "A_log", new long[] {heads}, new Init.LogUniform(1, 16)));
        out.add(new Entry(p + "D", new long[] {heads}, new Init.Uniform(0, 2)));
        out.add(new Entry(p + "norm.weight", new long[] {inner}, new Init.Gaussian(1, 0.02)));
        out.add(new Entry(p + "out_proj.weight", new long[] {h, inner}, Init.fanIn(inner)));
    }

    private static void addAttention(List<Entry> out, GraniteConfig c, String p) {
        long h = c.hiddenSize();
        long q = (long) c.numAttentionHeads() * c.headDim();
        long kv = (long) c.numKeyValueHeads() * c.headDim();
        out.add(new Entry(p + "q_proj.weight", new long[] {q, h}, Init.fanIn(h)));
        out.add(new Entry(p + "k_proj.weight", new long[] {kv, h}, Init.fanIn(h)));
        out.add(new Entry(p + "v_proj.weight", new long[] {kv, h}, Init.fanIn(h)));
        out.add(new Entry(p + "o_proj.weight", new long[] {h, q}, Init.fanIn(q)));
    }

    /** Total parameters (tied embeddings counted once). */
    public long parameterCount() {
        long n = 0;
        for (Entry e : tensors) {
            n += e.elements();
        }
        return n;
    }

    /** Bytes of all tensors in bf16. */
    public long bf16Bytes() {
        return 2 * parameterCount();
    }
}
