package dev.granitej.model;

import dev.granitej.io.Checkpoint;
import dev.granitej.io.Tensor;
import dev.granitej.kernels.Parallel;
import dev.granitej.kernels.Quantizer;
import dev.granitej.kernels.WeightFormat;
import dev.granitej.kernels.WeightMatrix;
import java.lang.foreign.Arena;
import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.SequencedMap;

/**
 * Turns checkpoint tensors into the layers' matrices: as stored, or quantized at load into memory owned by the
 * model (freed when the model closes), or taken from a quantized-weight cache file. Used only while the model is
 * being built.
 */
final class Weights {

    final Checkpoint checkpoint;
    final Parallel pool;
    private final Optional<WeightFormat> format;
    private final Arena arena;
    /** Where this load's quantized weights are cached, when the cache is on. */
    private final Optional<QuantCacheEntry> cache;
    /** The valid cache file the converted matrices come from, instead of the quantizer. */
    private final Optional<QuantCacheFile> cached;
    /** Matrices quantized by this load, by tensor name, in order: what a cache write stores. */
    private final SequencedMap<String, WeightMatrix> quantized = new LinkedHashMap<>();
    /** Bytes of stored weights that were converted, and of their converted form. */
    long replacedBytes;
    long convertedBytes;

    /**
     * Matrices in {@code format} (empty: as stored), converted into {@code arena}. With a cache entry, converted
     * matrices come from {@code cached} when present (then every one must be there), otherwise they are quantized
     * and {@link #finish()} writes them to the entry.
     */
    Weights(Checkpoint checkpoint, Parallel pool, Optional<WeightFormat> format, Arena arena,
            Optional<QuantCacheEntry> cache, Optional<QuantCacheFile> cached) {
        this.checkpoint = checkpoint;
        this.pool = pool;
        this.format = format;
        this.arena = arena;
        this.cache = cache;
        this.cached = cached;
    }

    Tensor tensor(String name, long... shape) {
        return checkpoint.tensor(name).requireShape(shape);
    }

    /** A linear layer's weight, in the model's weight format. */
    WeightMatrix matrix(Tensor t, int rows, int cols) {
        WeightMatrix m = t.asMatrix(rows, cols);
        if (format.isEmpty()) {
            return m;
        }
        return convert(t.name(), m, format.get());
    }

    /** {@code m}, the weights of tensor {@code name}, in {@code target}: from the cache file or quantized. */
    private WeightMatrix convert(String name, WeightMatrix m, WeightFormat target) {
        WeightMatrix q;
        if (cached.isPresent()) {
            q = cached.get().matrix(name, target, m.rows(), m.cols());
        } else {
            q = Quantizer.quantizeRepacked(m, target, arena);
            if (cache.isPresent()) {
                quantized.putIfAbsent(name, q);
            }
        }
        replacedBytes += m.byteSize();
        convertedBytes += q.byteSize();
        return q;
    }

    /**
     * Called once every matrix is built: checks that a cache file the matrices came from held nothing else, or
     * writes the cache of what was quantized.
     *
     * @throws QuantCacheFile.Invalid when the cache file holds tensors this checkpoint does not convert
     */
    QuantCache.Outcome finish() {
        if (cached.isPresent()) {
            cached.get().requireAllUsed();
            return QuantCache.Outcome.LOADED;
        }
        return cache.isPresent() ? cache.get().write(quantized) : QuantCache.Outcome.NOT_USED;
    }

    /**
     * The lm_head over the vocabulary matrix {@code t}: as stored, or under a quantized format (Q8_0 and Q4_0
     * alike) a Q8_0 copy whose leading rows are recomputed from the stored weights ({@link VocabularyHead}).
     */
    VocabularyHead vocabularyHead(Tensor t, int rows, int cols) {
        WeightMatrix m = t.asMatrix(rows, cols);
        if (format.isEmpty()) {
            return VocabularyHead.asStored(m, pool);
        }
        return VocabularyHead.refined(m, convert(t.name(), m, WeightFormat.Q8_0), pool);
    }

    Linear linear(String name, int rows, int cols) {
        return new Linear(matrix(tensor(name, rows, cols), rows, cols), pool);
    }

    /** A matrix kept as stored whatever the weight format (the MoE router: its choices are discrete). */
    Linear exact(String name, int rows, int cols) {
        return new Linear(tensor(name, rows, cols).asMatrix(rows, cols), pool);
    }

    float[] vector(String name, long length) {
        return tensor(name, length).toFloatArray();
    }
}
