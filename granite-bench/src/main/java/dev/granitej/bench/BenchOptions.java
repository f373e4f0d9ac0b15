package dev.granitej.bench;

import dev.granitej.io.DType;
import dev.granitej.io.Tensor;
import dev.granitej.kernels.WeightFormat;
import dev.granitej.model.GraniteModel;
import dev.granitej.model.KvCacheFormat;
import dev.granitej.model.ModelOptions;
import dev.granitej.model.QuantCache;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How to load the model under test: the checkpoint directory, the weight format to run it in, the number
 * of threads the engine may use and where quantized weights are cached. Everything that will change as the
 * engine grows formats and threading goes through {@link #load()}.
 *
 * @param model      checkpoint directory (config.json + safetensors)
 * @param format     weight format to run in
 * @param threads    threads the engine shares each matrix product over
 * @param quantCache the quantized-weight cache for {@code q8_0}/{@code q4_0} (the bench's default is
 *                   {@link QuantCache#nextToCheckpoint()}: quantizing a big checkpoint takes longer than the
 *                   tests, and the cached weights are the same bytes)
 * @param batchInvariant whether batched decode ({@code tgN xS}) keeps each session's result independent of
 *                   its batch (the engine's default) or uses the faster tiled product ({@code --fast-batches})
 */
public record BenchOptions(Path model, BenchFormat format, int threads, QuantCache quantCache,
                           boolean batchInvariant, KvCacheFormat kvCache) {

    /** Checks the values. */
    public BenchOptions {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(quantCache, "quantCache");
        Objects.requireNonNull(kvCache, "kvCache");
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1, was " + threads);
        }
    }

    /**
     * The bench's defaults: quantized weights cached next to the checkpoint, batch-invariant decode, a float16 KV
     * cache (llama-bench's default cache type, so the two engines read the same bytes of cache per step).
     */
    public BenchOptions(Path model, BenchFormat format, int threads) {
        this(model, format, threads, QuantCache.nextToCheckpoint(), true, KvCacheFormat.F16);
    }

    /** These options with keys and values stored as {@code format} says. */
    public BenchOptions withKvCache(KvCacheFormat format) {
        return new BenchOptions(model, this.format, threads, quantCache, batchInvariant, format);
    }

    /**
     * Loads the model in the requested format with the requested threads: {@code bf16} runs the weights as stored
     * (the checkpoint must store bf16), {@code q8_0} and {@code q4_0} quantize them at load or read them from the
     * quantized-weight cache.
     */
    public GraniteModel load() {
        // Weights are read into memory before timing, as llama-bench's figures were taken (no lazy mapping); this
        // holds for cached quantized weights too, so a cache changes the load time and not the figures.
        ModelOptions options = ModelOptions.defaults().withThreads(threads).withPreload(true)
                .withQuantCache(quantCache).withBatchInvariant(batchInvariant).withKvCache(kvCache);
        options = switch (format) {
            case BF16 -> options;
            case Q8_0 -> options.withWeightFormat(WeightFormat.Q8_0);
            case Q4_0 -> options.withWeightFormat(WeightFormat.Q4_0);
        };
        GraniteModel loaded = GraniteModel.load(model, options);
        Tensor embedding = loaded.checkpoint().tensor("model.embed_tokens.weight");
        if (format == BenchFormat.BF16 && embedding.dtype() != DType.BF16) {
            loaded.close();
            throw new UnsupportedOperationException(model + " stores its weights as " + embedding.dtype()
                    + "; --format bf16 needs a bf16 checkpoint");
        }
        return loaded;
    }
}
