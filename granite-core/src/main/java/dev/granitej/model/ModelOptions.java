package dev.granitej.model;

import dev.granitej.kernels.WeightFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * How a model is loaded.
 *
 * @param weightFormat the format linear-layer weights are converted to at load ({@code Q8_0}, {@code Q4_0}), or
 *                     empty to compute on the weights as stored (F32/BF16/F16). Norms, SSM parameters, the conv
 *                     and the router always stay in full precision; the lm_head is read in Q8_0 under either
 *                     format, with the rows that may hold the top logit recomputed from the stored weights.
 * @param threads      threads that share each matrix product (the caller's included)
 * @param preload      read the whole checkpoint into memory at load instead of mapping it (faster decode on big
 *                     checkpoints, as llama.cpp's {@code --no-mmap}; costs load time and resident memory).
 *                     Quantized formats already hold their converted weights in memory, so there it only reads a
 *                     quantized-weight cache file into memory instead of mapping it.
 * @param quantCache   whether weights quantized at load are cached on disk for the next load (off by default;
 *                     see {@link QuantCache}). Only matters with a {@code weightFormat}.
 * @param batchInvariant whether a decode step over several sequences gives each of them bit for bit what
 *                     stepping it alone gives (the default). Off, batches use the register-tiled product that
 *                     prompt chunks use: several times the throughput with many concurrent sequences, but a
 *                     sequence's logits then depend, in their last bits, on which other sequences shared its
 *                     steps (greedy choices almost never change; seeded sampling is then not reproducible).
 * @param kvCache      how attention layers store keys and values per sequence: {@link KvCacheFormat#F32} (the
 *                     default, exact), {@link KvCacheFormat#F16} (half the memory and half the reads per
 *                     step at long contexts, as llama.cpp's default cache) or {@link KvCacheFormat#Q8_0} (8-bit
 *                     blocks: 9/32 of them)
 */
public record ModelOptions(Optional<WeightFormat> weightFormat, int threads, boolean preload, QuantCache quantCache,
                           boolean batchInvariant, KvCacheFormat kvCache) {

    /** Checks the values: a thread or more, a format that can be converted to at load, a cache setting. */
    public ModelOptions {
        Objects.requireNonNull(weightFormat, "weightFormat");
        Objects.requireNonNull(quantCache, "quantCache");
        Objects.requireNonNull(kvCache, "kvCache");
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, was " + threads);
        }
        weightFormat.ifPresent(f -> {
            if (f != WeightFormat.Q8_0 && f != WeightFormat.Q4_0) {
                throw new IllegalArgumentException("weights can be converted to Q8_0 or Q4_0 at load, not " + f
                        + " (omit the format to use the weights as stored)");
            }
        });
    }

    /**
     * Weights as stored, mapped lazily; one thread per available processor; no quantized-weight cache;
     * batch-invariant decode; an fp32 KV cache.
     */
    public static ModelOptions defaults() {
        return new ModelOptions(Optional.empty(), Runtime.getRuntime().availableProcessors(), false,
                QuantCache.off(), true, KvCacheFormat.F32);
    }

    /** Converts linear-layer weights at load to {@code format} ({@code Q8_0}, {@code Q4_0}); null: as stored. */
    public ModelOptions withWeightFormat(WeightFormat format) {
        return new ModelOptions(Optional.ofNullable(format), threads, preload, quantCache, batchInvariant, kvCache);
    }

    /** Threads that share each matrix product (the caller's included). */
    public ModelOptions withThreads(int n) {
        return new ModelOptions(weightFormat, n, preload, quantCache, batchInvariant, kvCache);
    }

    /** Read the checkpoint (or the quantized-weight cache) into memory at load instead of mapping it. */
    public ModelOptions withPreload(boolean p) {
        return new ModelOptions(weightFormat, threads, p, quantCache, batchInvariant, kvCache);
    }

    /** Caches weights quantized at load as {@code cache} says ({@link QuantCache#off()} for none). */
    public ModelOptions withQuantCache(QuantCache cache) {
        return new ModelOptions(weightFormat, threads, preload, cache, batchInvariant, kvCache);
    }

    /** Whether batched decode keeps every sequence's result independent of its batch (see the record doc). */
    public ModelOptions withBatchInvariant(boolean invariant) {
        return new ModelOptions(weightFormat, threads, preload, quantCache, invariant, kvCache);
    }

    /** Stores keys and values as {@code format} says ({@link KvCacheFormat}). */
    public ModelOptions withKvCache(KvCacheFormat format) {
        return new ModelOptions(weightFormat, threads, preload, quantCache, batchInvariant, format);
    }
}
