package dev.granitej.model;

import dev.granitej.kernels.WeightFormat;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether weights quantized at load ({@link ModelOptions#weightFormat()} {@code Q8_0} or {@code Q4_0}) are kept
 * in a cache file, so that the next load of the same checkpoint in the same format maps them instead of
 * quantizing again. Weights used as stored are never cached.
 *
 * <p>A cache file is a safetensors file holding each converted matrix as {@code U8 [rows, rowBytes]}, with the
 * cache layout version, the target format, a CRC-32C of the data and a fingerprint of the checkpoint (name, size
 * and modification time of {@code config.json}, the index and every shard) in its {@code __metadata__}. A file
 * that does not match in every respect, is truncated or fails its checksum is ignored (the reason is logged)
 * and rewritten after quantizing. Files are replaced atomically, so a crash never leaves half a cache under the
 * final name; when the cache cannot be written (read-only directory, full disk) the load logs a warning and goes
 * on.
 *
 * <p>Where: {@link #nextToCheckpoint()} puts {@code q8_0.safetensors} / {@code q4_0.safetensors} in a sibling
 * directory {@code <checkpoint>.granitej-cache/} (not inside the checkpoint, whose directory a {@code model.sig}
 * signature covers file by file); {@link #in(Path)} puts them in {@code <directory>/<checkpoint
 * name>-<hash of its absolute path>/}, for checkpoints in read-only places.
 *
 * <p>The cache is not covered by a checkpoint's {@code model.sig}: a load that verifies the signature
 * ({@code dev.granitej.api.Granite} with verification) neither reads nor writes it and quantizes the verified
 * weights instead. Nor is it authenticated in any other way: anyone who can write the cache directory decides
 * the weights of unverified loads, so give it the protection you give the checkpoint.
 *
 * @param enabled   whether quantized weights are read from and written to the cache
 * @param directory the directory that holds the caches of all checkpoints; empty for a directory next to each
 *                  checkpoint (or when disabled)
 */
public record QuantCache(boolean enabled, Optional<Path> directory) {

    /** The suffix of the default cache directory, a sibling of the checkpoint directory. */
    public static final String SIBLING_SUFFIX = ".granitej-cache";

    private static final QuantCache OFF = new QuantCache(false, Optional.empty());
    private static final QuantCache NEXT_TO_CHECKPOINT = new QuantCache(true, Optional.empty());

    /** Checks that a disabled cache names no directory. */
    public QuantCache {
        Objects.requireNonNull(directory, "directory");
        if (!enabled && directory.isPresent()) {
            throw new IllegalArgumentException("a disabled quantized-weight cache has no directory, got "
                    + directory.get());
        }
    }

    /** No cache: quantize at every load (the library default). */
    public static QuantCache off() {
        return OFF;
    }

    /** Cache next to the checkpoint, in {@code <checkpoint>.granitej-cache/}. */
    public static QuantCache nextToCheckpoint() {
        return NEXT_TO_CHECKPOINT;
    }

    /** Cache in {@code directory} (created when missing), one subdirectory per checkpoint. */
    public static QuantCache in(Path directory) {
        return new QuantCache(true, Optional.of(Objects.requireNonNull(directory, "directory")));
    }

    /**
     * The cache file for {@code checkpoint} quantized to {@code format}.
     *
     * @throws IllegalStateException    when the cache is disabled
     * @throws IllegalArgumentException when {@code checkpoint} has no name (a file system root)
     */
    public Path fileFor(Path checkpoint, WeightFormat format) {
        if (!enabled) {
            throw new IllegalStateException("the quantized-weight cache is disabled");
        }
        Path abs = checkpoint.toAbsolutePath().normalize();
        if (abs.getFileName() == null) {
            throw new IllegalArgumentException("checkpoint directory " + checkpoint + " has no name to cache under");
        }
        String name = abs.getFileName().toString();
        Path dir = directory.isPresent()
                ? directory.get().resolve(name + "-" + pathHash(abs))
                : abs.resolveSibling(name + SIBLING_SUFFIX);
        return dir.resolve(format.name().toLowerCase(Locale.ROOT) + ".safetensors");
    }

    /** Keeps two checkpoints of the same name in one cache directory apart. */
    private static String pathHash(Path abs) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(abs.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /** What a load did with the cache ({@link GraniteModel#quantCacheOutcome()}). */
    public enum Outcome {
        /** The cache was not used: disabled, weights used as stored, or a verified load. */
        NOT_USED,
        /** The quantized weights were mapped from a valid cache file; nothing was quantized. */
        LOADED,
        /** The cache was missing or invalid; the weights were quantized and the cache file (re)written. */
        WRITTEN,
        /** The weights were quantized but the cache file could not be written (a warning was logged). */
        WRITE_FAILED
    }
}
