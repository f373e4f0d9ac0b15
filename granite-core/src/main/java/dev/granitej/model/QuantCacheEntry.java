package dev.granitej.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.granitej.io.Checkpoint;
import dev.granitej.io.CheckpointException;
import dev.granitej.io.Tensor;
import dev.granitej.kernels.WeightFormat;
import dev.granitej.kernels.WeightMatrix;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SequencedMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One load's place in the quantized-weight cache: the file for this checkpoint and format, and the fingerprint
 * of the checkpoint files the cache must have been made from. Reading and writing never fail a load: what goes
 * wrong is logged and the load quantizes (or keeps what it quantized).
 */
final class QuantCacheEntry {

    private static final Logger LOG = LoggerFactory.getLogger(QuantCacheEntry.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final WeightFormat format;
    private final String source;
    private final boolean inMemory;

    private QuantCacheEntry(Path file, WeightFormat format, String source, boolean inMemory) {
        this.file = file;
        this.format = format;
        this.source = source;
        this.inMemory = inMemory;
    }

    /**
     * The cache entry of this load, or empty when the options enable no cache, keep the weights as stored, or the
     * checkpoint files cannot be fingerprinted (logged).
     */
    static Optional<QuantCacheEntry> forLoad(Path directory, Checkpoint checkpoint, ModelOptions options) {
        if (!options.quantCache().enabled() || options.weightFormat().isEmpty()) {
            return Optional.empty();
        }
        WeightFormat format = options.weightFormat().get();
        try {
            Path file = options.quantCache().fileFor(directory, format);
            return Optional.of(new QuantCacheEntry(file, format, fingerprint(directory, checkpoint),
                    options.preload()));
        } catch (IOException | RuntimeException e) {
            LOG.warn("quantized-weight cache disabled for {}: {}", directory, e.toString());
            return Optional.empty();
        }
    }

    /**
     * Name, size and modification time of {@code config.json}, the shard index (when there is one) and every
     * weights file, as a JSON array sorted by name: a checkpoint edited, replaced or re-downloaded changes it.
     */
    static String fingerprint(Path directory, Checkpoint checkpoint) throws IOException {
        TreeSet<Path> files = new TreeSet<>(Comparator.comparing(p -> p.getFileName().toString()));
        files.add(directory.resolve("config.json"));
        Path index = directory.resolve("model.safetensors.index.json");
        if (Files.exists(index)) {
            files.add(index);
        }
        for (Tensor t : checkpoint.tensors().values()) {
            files.add(t.file());
        }
        List<Map<String, Object>> entries = new ArrayList<>();
        for (Path f : files) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("file", f.getFileName().toString());
            e.put("size", Files.size(f));
            e.put("modified", Files.getLastModifiedTime(f).toString());
            entries.add(e);
        }
        try {
            return JSON.writeValueAsString(entries);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise the checkpoint fingerprint", e);
        }
    }

    /**
     * The cache file, fully checked and mapped into (or, for preloading options, read into memory from)
     * {@code arena}; empty, with the reason logged, when it is absent or invalid.
     */
    Optional<QuantCacheFile> read(Arena arena) {
        if (!Files.exists(file)) {
            LOG.info("no quantized-weight cache at {} yet; quantizing to {} and writing it", file, format);
            return Optional.empty();
        }
        try {
            QuantCacheFile f = QuantCacheFile.open(file, format, source, arena, inMemory);
            LOG.info("mapping {} weights from the cache {}", format, file);
            return Optional.of(f);
        } catch (QuantCacheFile.Invalid | CheckpointException | UncheckedIOException e) {
            ignored(e);
            return Optional.empty();
        }
    }

    /** Logs that the cache file was found wanting and will be rebuilt. */
    void ignored(RuntimeException why) {
        String reason = why instanceof UncheckedIOException u ? u.getCause().toString() : why.getMessage();
        LOG.warn("ignoring the quantized-weight cache {}: {}; quantizing to {} and rewriting it", file, reason,
                format);
    }

    /** Writes the matrices quantized in this load as the cache file; a failure is logged, not thrown. */
    QuantCache.Outcome write(SequencedMap<String, WeightMatrix> matrices) {
        try {
            QuantCacheFile.write(file, format, source, matrices);
            LOG.info("wrote the quantized-weight cache {}", file);
            return QuantCache.Outcome.WRITTEN;
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("cannot write the quantized-weight cache {} ({}); the model is loaded, the next load will "
                    + "quantize again", file, e.toString());
            return QuantCache.Outcome.WRITE_FAILED;
        }
    }
}
