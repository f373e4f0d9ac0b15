package dev.granitej.api;

import dev.granitej.kernels.WeightFormat;
import dev.granitej.model.KvCacheFormat;
import dev.granitej.model.ModelOptions;
import dev.granitej.model.QuantCache;
import java.util.Objects;
import java.util.Optional;

/**
 * How to load a model. Start from {@link #defaults()} and change what you need.
 *
 * @param maxContext   the default context limit of new sessions, in tokens
 * @param maxBatch     sessions stepped together at most in one batched decode step
 * @param verification whether and how {@code model.sig} is verified before any weight is mapped
 * @param model        weight format (as stored, or Q8_0/Q4_0 quantized at load), engine threads, preloading and
 *                     the quantized-weight cache
 * @param sessionMemoryLimit bytes all open sessions may reserve together (each reserves its worst case: Mamba
 *                     state plus a full KV cache for its context limit); {@code Long.MAX_VALUE} for no limit
 */
public record LoadOptions(int maxContext, int maxBatch, Verification verification, ModelOptions model,
                          long sessionMemoryLimit) {

    public LoadOptions {
        Objects.requireNonNull(verification, "verification");
        Objects.requireNonNull(model, "model");
        if (maxContext <= 0) {
            throw new IllegalArgumentException("maxContext must be positive, was " + maxContext);
        }
        if (sessionMemoryLimit <= 0) {
            throw new IllegalArgumentException("sessionMemoryLimit must be positive, was " + sessionMemoryLimit);
        }
        if (maxBatch <= 0) {
            throw new IllegalArgumentException("maxBatch must be positive, was " + maxBatch);
        }
    }

    /**
     * Context 8192 tokens, batches of up to 32 sessions, {@link Verification#auto()}, weights as stored, one
     * engine thread per available processor.
     */
    public static LoadOptions defaults() {
        return new LoadOptions(8192, 32, Verification.auto(), ModelOptions.defaults(), Long.MAX_VALUE);
    }

    public LoadOptions withMaxContext(int tokens) {
        return new LoadOptions(tokens, maxBatch, verification, model, sessionMemoryLimit);
    }

    public LoadOptions withMaxBatch(int sessions) {
        return new LoadOptions(maxContext, sessions, verification, model, sessionMemoryLimit);
    }

    public LoadOptions withVerification(Verification v) {
        return new LoadOptions(maxContext, maxBatch, v, model, sessionMemoryLimit);
    }

    /** Quantize linear-layer weights at load ({@code Q8_0} or {@code Q4_0}); {@code null} keeps them as stored. */
    public LoadOptions withWeightFormat(WeightFormat format) {
        return new LoadOptions(maxContext, maxBatch, verification, model.withWeightFormat(format), sessionMemoryLimit);
    }

    /** Threads that share each matrix product (the engine owns them; closed with the model). */
    public LoadOptions withThreads(int threads) {
        return new LoadOptions(maxContext, maxBatch, verification, model.withThreads(threads), sessionMemoryLimit);
    }

    /** Read the whole checkpoint into memory at load (steady speed from the first token; costs load time). */
    public LoadOptions withPreload(boolean preload) {
        return new LoadOptions(maxContext, maxBatch, verification, model.withPreload(preload), sessionMemoryLimit);
    }

    /**
     * Caches weights quantized at load on disk, so the next load in the same format maps them instead of
     * quantizing ({@link QuantCache#nextToCheckpoint()}, {@link QuantCache#in(java.nio.file.Path)}; default
     * {@link QuantCache#off()}). A load that verifies {@code model.sig} neither reads nor writes the cache, which
     * the signature does not cover: it quantizes the verified weights.
     */
    public LoadOptions withQuantCache(QuantCache cache) {
        return new LoadOptions(maxContext, maxBatch, verification, model.withQuantCache(cache), sessionMemoryLimit);
    }

    /**
     * Whether concurrent sessions decoded in one batched step each get bit for bit what decoding alone gives
     * them (default {@code true}). {@code false} trades that for throughput: batched steps use the tiled product
     * of prompt processing, several times faster with many sessions, and a session's logits then vary in their
     * last bits with the other sessions that share its steps.
     */
    public LoadOptions withBatchInvariant(boolean invariant) {
        return new LoadOptions(maxContext, maxBatch, verification, model.withBatchInvariant(invariant),
                sessionMemoryLimit);
    }

    /**
     * Stores each session's keys and values as {@code format} says: {@link KvCacheFormat#F32} (the default),
     * {@link KvCacheFormat#F16}, half the memory per token of context and half the reads per decode step, or
     * {@link KvCacheFormat#Q8_0}, 9/32 of them.
     */
    public LoadOptions withKvCache(KvCacheFormat format) {
        return new LoadOptions(maxContext, maxBatch, verification, model.withKvCache(format), sessionMemoryLimit);
    }

    /**
     * Caps the memory of all open sessions together: a new session reserves its worst case (Mamba state plus a
     * KV cache filled to its context limit) and is refused with {@link IllegalStateException} when the total
     * would pass {@code bytes}; closing a session returns its reservation.
     */
    public LoadOptions withSessionMemoryLimit(long bytes) {
        return new LoadOptions(maxContext, maxBatch, verification, model, bytes);
    }

    /** The weight format weights are converted to at load, if any. */
    public Optional<WeightFormat> weightFormat() {
        return model.weightFormat();
    }

    /** Whether and where weights quantized at load are cached. */
    public QuantCache quantCache() {
        return model.quantCache();
    }
}
