package dev.granitej.model;

import dev.granitej.config.GraniteConfig;
import dev.granitej.config.LayerType;
import dev.granitej.io.Checkpoint;
import dev.granitej.io.Tensor;
import dev.granitej.kernels.Vec;
import dev.granitej.kernels.WeightMatrix;
import dev.granitej.kernels.Parallel;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A loaded Granite 4.0 model: configuration plus read-only weights mapped from the checkpoint. Immutable and
 * safe to share between threads; everything a sequence mutates lives in its {@link SequenceState}.
 * {@link #close()} unmaps the weights: no state of this model may be advanced afterwards.
 *
 * <p>The forward pass: embeddings × {@code embedding_multiplier}, the decoder layers, the final RMSNorm and
 * {@code lm_head / logits_scaling}, all in fp32 on F32/BF16/F16 weights.
 */
public final class GraniteModel implements AutoCloseable {

    /** Tokens a forward pass processes at once; longer prompts are fed in chunks of this size. */
    static final int PREFILL_CHUNK = 256;
    /**
     * The chunk of a mixture-of-experts model. Each expert's product runs over only the rows routed to it, about
     * {@code chunk·k/experts} of them (24 for h-tiny at 256), and decoding an expert's quantized weights into
     * float panels is then a large share of the work; at 512 tokens the experts see twice the rows per decode
     * (h-tiny Q4_0 pp512, 2 threads: 44 → 63 t/s). Dense models gain nothing from it and would only keep a
     * workspace twice the size (1024 was no faster for h-tiny either).
     */
    static final int MOE_PREFILL_CHUNK = 512;

    private final GraniteConfig config;
    private final Checkpoint checkpoint;
    private final ModelOptions options;
    private final Parallel pool;
    /** Holds weights converted at load (quantized formats); empty when the weights are used as stored. */
    private final Arena converted;
    private final WeightMatrix embedding;
    private final VocabularyHead lmHead;
    private final List<DecoderLayer> layers;
    private final float[] finalNorm;
    private final Workspace.Dims dims;
    private final long weightBytes;
    private final QuantCache.Outcome quantCacheOutcome;

    /** Builds every layer from {@code w}, whose converted matrices live in {@code converted}. */
    private GraniteModel(GraniteConfig config, Checkpoint checkpoint, ModelOptions options, Parallel pool,
                         Arena converted, Weights w) {
        this.config = config;
        this.checkpoint = checkpoint;
        this.options = options;
        this.pool = pool;
        this.converted = converted;
        int h = config.hiddenSize();
        int v = config.vocabSize();
        // Lookups read the embedding as stored (a row per token). The head decides every token: under a
        // quantized format it reads a Q8_0 copy (as llama.cpp keeps its output tensor above Q4_0) and recomputes
        // the rows that may hold the top logit from the stored weights (VocabularyHead).
        Tensor embedTokens = w.tensor("model.embed_tokens.weight", v, h);
        this.embedding = embedTokens.asMatrix(v, h);
        var head = checkpoint.find("lm_head.weight");
        if (head.isPresent()) {
            this.lmHead = w.vocabularyHead(w.tensor("lm_head.weight", v, h), v, h);
        } else if (config.tieWordEmbeddings()) {
            this.lmHead = w.vocabularyHead(embedTokens, v, h);
        } else {
            throw new dev.granitej.io.CheckpointException(checkpoint.directory().getFileName()
                    + ": missing tensor 'lm_head.weight' (tie_word_embeddings is false)");
        }
        this.finalNorm = checkpoint.tensor("model.norm.weight").requireShape(h).toFloatArray();
        List<DecoderLayer> list = new ArrayList<>();
        for (int i = 0; i < config.numLayers(); i++) {
            list.add(buildLayer(config, w, i));
        }
        this.layers = List.copyOf(list);
        this.weightBytes = checkpoint.byteSize() - w.replacedBytes + w.convertedBytes;
        int ffnWidth = config.sharedIntermediateSize();
        this.dims = new Workspace.Dims(h, config.mambaInProjDim(), config.mambaInner(), config.mambaConvDim(),
                config.numAttentionHeads(), config.numAttentionHeads() * config.headDim(), config.numKeyValueHeads() * config.headDim(),
                ffnWidth, config.isMoe() ? config.intermediateSize() : 0, config.numLocalExperts(),
                config.isMoe() ? config.numExpertsPerToken() : 0);
        this.quantCacheOutcome = w.finish();
    }

    private static DecoderLayer buildLayer(GraniteConfig c, Weights w, int i) {
        String p = "model.layers." + i + ".";
        int h = c.hiddenSize();
        Mixer mixer = c.layerTypes().get(i) == LayerType.MAMBA ? new Mamba2Mixer(c, w, i) : new Attention(c, w, i);
        SwiGluMlp shared = new SwiGluMlp(w, p + "shared_mlp.", h, c.sharedIntermediateSize());
        FeedForward ffn = c.isMoe()
                ? new MoeFeedForward(w, p + "block_sparse_moe.", h, c.intermediateSize(), c.numLocalExperts(),
                        c.numExpertsPerToken(), shared)
                : shared;
        float[] inNorm = w.vector(p + "input_layernorm.weight", h);
        float[] postNorm = w.vector(p + "post_attention_layernorm.weight", h);
        return new DecoderLayer(mixer, ffn, inNorm, postNorm, c.rmsNormEps(), c.residualMultiplier(), h);
    }

    /** Loads {@code config.json} and the safetensors weights of a checkpoint directory (no signature check). */
    public static GraniteModel load(Path directory) {
        return load(directory, ModelOptions.defaults());
    }

    /**
     * Loads a checkpoint directory with the given options (no signature check: see
     * {@code dev.granitej.api.Granite} for verified loading). With a quantized weight format and
     * {@link ModelOptions#quantCache()} enabled, a valid cache file supplies the quantized weights; otherwise they
     * are quantized and the cache is written (see {@link QuantCache}; failures there are logged, never thrown).
     */
    public static GraniteModel load(Path directory, ModelOptions options) {
        GraniteConfig config = GraniteConfig.load(directory.resolve("config.json"));
        // Quantized formats copy the weights they convert anyway; reading the whole file into memory first would
        // only double the peak footprint.
        Checkpoint ckpt = Checkpoint.open(directory, options.preload() && options.weightFormat().isEmpty());
        Parallel pool = null;
        try {
            pool = new Parallel(options.threads());
            Optional<QuantCacheEntry> cache = QuantCacheEntry.forLoad(directory, ckpt, options);
            GraniteModel model = cache.isPresent() ? build(config, ckpt, options, pool, cache, true) : null;
            return model != null ? model : build(config, ckpt, options, pool, cache, false);
        } catch (RuntimeException e) {
            if (pool != null) {
                pool.close();
            }
            ckpt.close();
            throw e;
        }
    }

    /**
     * Builds the model with its converted weights in a fresh arena: taken from the cache file ({@code fromCache}),
     * or quantized (and written to the cache, if any). Returns null, with the reason logged and the arena freed,
     * when the cache file is absent or turns out not to fit, so nothing of it is used.
     */
    private static GraniteModel build(GraniteConfig config, Checkpoint ckpt, ModelOptions options, Parallel pool,
                                      Optional<QuantCacheEntry> cache, boolean fromCache) {
        Arena converted = Arena.ofShared();
        try {
            Optional<QuantCacheFile> file = fromCache ? cache.orElseThrow().read(converted) : Optional.empty();
            if (fromCache && file.isEmpty()) {
                converted.close();
                return null;
            }
            Weights w = new Weights(ckpt, pool, options.weightFormat(), converted, cache, file);
            return new GraniteModel(config, ckpt, options, pool, converted, w);
        } catch (QuantCacheFile.Invalid e) {
            converted.close();
            cache.orElseThrow().ignored(e);
            return null;
        } catch (RuntimeException e) {
            converted.close();
            throw e;
        }
    }

    /** The options this model was loaded with. */
    public ModelOptions options() {
        return options;
    }

    /** The model's configuration. */
    public GraniteConfig config() {
        return config;
    }

    /** The mapped checkpoint. */
    public Checkpoint checkpoint() {
        return checkpoint;
    }

    /** A fresh sequence state at position 0 that can hold up to {@code maxPositions} tokens. */
    public SequenceState newState(int maxPositions) {
        if (maxPositions <= 0) {
            throw new IllegalArgumentException("maxPositions must be positive, was " + maxPositions);
        }
        return new SequenceState(config, maxPositions, dims, options.kvCache());
    }

    /**
     * Feeds {@code tokens} to the sequence and returns the logits of the last one ({@code vocab_size} floats).
     * Long inputs are processed in chunks; the state carries across chunks and calls.
     */
    public float[] forward(SequenceState state, int[] tokens) {
        float[] logits = new float[config.vocabSize()];
        forward(state, tokens, 0, tokens.length, logits, false);
        return logits;
    }

    /** Feeds {@code tokens} and returns the logits of every one, row-major {@code [tokens][vocab_size]}. */
    public float[] forwardAll(SequenceState state, int[] tokens) {
        float[] logits = new float[Math.multiplyExact(tokens.length, config.vocabSize())];
        forward(state, tokens, 0, tokens.length, logits, true);
        return logits;
    }

    /**
     * Feeds {@code count} tokens starting at {@code tokens[offset]}. With {@code all} the logits of every token
     * go to {@code logits} row by row; otherwise only the last token's. Ids out of range and context overflow
     * are rejected before anything is consumed.
     */
    public void forward(SequenceState state, int[] tokens, int offset, int count, float[] logits, boolean all) {
        Objects.requireNonNull(state, "state");
        Objects.checkFromIndexSize(offset, count, tokens.length);
        if (count == 0) {
            throw new IllegalArgumentException("no tokens to feed");
        }
        int vocab = config.vocabSize();
        for (int i = offset; i < offset + count; i++) {
            if (tokens[i] < 0 || tokens[i] >= vocab) {
                throw new IllegalArgumentException("token id " + tokens[i] + " at index " + (i - offset)
                        + " is outside the vocabulary [0, " + vocab + ")");
            }
        }
        if ((long) state.position + count > state.maxPositions()) {
            throw new ContextOverflowException(state.position, count, state.maxPositions());
        }
        int need = all ? count * vocab : vocab;
        if (logits.length < need) {
            throw new IllegalArgumentException("logits buffer holds " + logits.length + " floats, needs " + need);
        }
        for (int done = 0; done < count; ) {
            int n = Math.min(config.isMoe() ? MOE_PREFILL_CHUNK : PREFILL_CHUNK, count - done);
            boolean last = done + n == count;
            runChunk(state, tokens, offset + done, n, logits, all ? done * vocab : 0, all, last);
            done += n;
        }
    }

    private void runChunk(SequenceState state, int[] tokens, int offset, int n, float[] logits, int logitsOffset,
                          boolean all, boolean lastChunk) {
        Workspace ws = state.workspace;
        ws.ensure(n, state.position + n);
        ws.rowsOf(state, n);
        ws.exactRows = false;
        int h = config.hiddenSize();
        for (int t = 0; t < n; t++) {
            embed(tokens[offset + t], ws.hidden, t * h);
        }
        for (DecoderLayer layer : layers) {
            layer.forward(ws);
        }
        state.position += n;
        if (all) {
            for (int t = 0; t < n; t++) {
                head(ws, t, logits, logitsOffset + t * config.vocabSize());
            }
        } else if (lastChunk) {
            head(ws, n - 1, logits, 0);
        }
    }

    /** Scratch buffers for {@link #decode}: one per thread that steps batches. */
    public DecodeBatch newDecodeBatch() {
        return new DecodeBatch(new Workspace(dims));
    }

    /**
     * One decode step for {@code count} distinct sequences at once: sequence i consumes {@code tokens[i]} and its
     * next-token logits go to {@code logits[i·vocab ..]}. Every weight matrix is read once for the whole batch,
     * and each sequence's result is that of stepping it alone.
     */
    public void decode(DecodeBatch batch, SequenceState[] states, int[] tokens, int count, float[] logits) {
        Objects.checkFromIndexSize(0, count, states.length);
        Objects.checkFromIndexSize(0, count, tokens.length);
        int vocab = config.vocabSize();
        if (logits.length < (long) count * vocab) {
            throw new IllegalArgumentException("logits buffer holds " + logits.length + " floats, needs "
                    + (long) count * vocab);
        }
        int maxContext = 0;
        for (int i = 0; i < count; i++) {
            SequenceState s = Objects.requireNonNull(states[i], "states[" + i + "]");
            if (tokens[i] < 0 || tokens[i] >= vocab) {
                throw new IllegalArgumentException("token id " + tokens[i] + " of sequence " + i
                        + " is outside the vocabulary [0, " + vocab + ")");
            }
            if (s.position + 1 > s.maxPositions()) {
                throw new ContextOverflowException(s.position, 1, s.maxPositions());
            }
            for (int j = 0; j < i; j++) {
                if (states[j] == s) {
                    throw new IllegalArgumentException("sequence " + i + " appears twice in one decode batch");
                }
            }
            maxContext = Math.max(maxContext, s.position + 1);
        }
        Workspace ws = batch.workspace;
        ws.ensure(count, maxContext);
        ws.exactRows = options.batchInvariant();
        int h = config.hiddenSize();
        for (int i = 0; i < count; i++) {
            ws.rowState[i] = states[i];
            ws.rowPos[i] = states[i].position;
            embed(tokens[i], ws.hidden, i * h);
        }
        for (DecoderLayer layer : layers) {
            layer.forward(ws);
        }
        // One product for the whole batch: the vocabulary matrix is the largest a step reads (the exact product
        // gives each row what a matvec of its own would).
        for (int i = 0; i < count; i++) {
            states[i].position++;
            Vec.rmsNorm(ws.normed, i * h, ws.hidden, i * h, finalNorm, 0, h, config.rmsNormEps());
            ws.rowState[i] = null;
        }
        lmHead.forward(count, ws.exactRows, ws.normed, h, logits, vocab, ws.matmulScratch);
        for (int i = 0; i < count; i++) {
            Vec.scale(logits, i * vocab, vocab, 1f / config.logitsScaling());
        }
    }

    private void embed(int token, float[] out, int off) {
        embedding.readRow(token, out, off);
        Vec.scale(out, off, config.hiddenSize(), config.embeddingMultiplier());
    }

    private void head(Workspace ws, int t, float[] logits, int off) {
        int h = config.hiddenSize();
        Vec.rmsNorm(ws.normed, 0, ws.hidden, t * h, finalNorm, 0, h, config.rmsNormEps());
        lmHead.matvec(ws.normed, 0, logits, off, ws.matmulScratch);
        Vec.scale(logits, off, config.vocabSize(), 1f / config.logitsScaling());
    }

    /**
     * The hidden state entering each decoder layer and, last, the output of the final norm, for one pass over
     * {@code tokens} from a fresh state: {@code [layers + 1][tokens][hidden]}. A debugging aid that finds the
     * first layer where two implementations diverge.
     */
    public float[][] hiddenStates(int[] tokens) {
        SequenceState state = newState(tokens.length);
        Workspace ws = state.workspace;
        int n = tokens.length;
        int h = config.hiddenSize();
        ws.ensure(n, n);
        ws.rowsOf(state, n);
        ws.exactRows = false;
        float[][] out = new float[layers.size() + 1][];
        for (int t = 0; t < n; t++) {
            embed(tokens[t], ws.hidden, t * h);
        }
        for (int i = 0; i < layers.size(); i++) {
            out[i] = java.util.Arrays.copyOf(ws.hidden, n * h);
            layers.get(i).forward(ws);
        }
        float[] fin = new float[n * h];
        for (int t = 0; t < n; t++) {
            Vec.rmsNorm(fin, t * h, ws.hidden, t * h, finalNorm, 0, h, config.rmsNormEps());
        }
        out[layers.size()] = fin;
        return out;
    }

    /** What this load did with the quantized-weight cache. */
    public QuantCache.Outcome quantCacheOutcome() {
        return quantCacheOutcome;
    }

    /** Bytes of the weights the forward pass reads: as stored, or as converted at load. */
    public long weightBytes() {
        return weightBytes;
    }

    /** Total parameters (elements of every tensor). */
    public long parameterCount() {
        long n = 0;
        for (Tensor t : checkpoint.tensors().values()) {
            n += t.elementCount();
        }
        return n;
    }

    /** Stops the engine's threads, frees converted weights and unmaps the checkpoint. */
    @Override
    public void close() {
        pool.close();
        converted.close();
        checkpoint.close();
    }
}
