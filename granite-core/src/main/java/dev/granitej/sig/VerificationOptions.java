package dev.granitej.sig;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * What and how to verify. Start from {@link #of(VerificationPolicy)} and adjust with the {@code with...} methods.
 *
 * @param policy         whom to trust
 * @param signatureFile  the bundle; {@code null} means {@code model.sig} in the model directory
 * @param mode           how strictly files on disk must match the signed manifest
 * @param ignorePaths    extra relative paths (and their subtrees) to leave out, beyond the signed ignore list,
 *                       {@code .git*} and {@code model.sig}
 * @param allowSymlinks  follow symbolic links to regular files (hashing the target under the link's name); otherwise a
 *                       link is an error
 * @param loadedFiles    in {@link VerificationMode#LOADED_FILES_NONCONFORMANT}: which relative paths the engine opens
 * @param cacheDirectory where to keep digests of verified files; {@code null} disables the cache
 * @param progress       receives hashing progress
 * @param threads        hashing threads; 0 chooses from the number of processors
 */
public record VerificationOptions(VerificationPolicy policy, Path signatureFile, VerificationMode mode,
                                  List<String> ignorePaths, boolean allowSymlinks, Predicate<String> loadedFiles,
                                  Path cacheDirectory, ProgressListener progress, int threads) {

    /** The file name model_signing gives the bundle. */
    public static final String DEFAULT_SIGNATURE_NAME = "model.sig";

    /** The files a Granite engine opens: weights and their index, configs, tokenizer files, chat template. */
    public static final Predicate<String> ENGINE_FILES = path -> {
        String name = path.substring(path.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
        return name.endsWith(".safetensors") || name.equals("model.safetensors.index.json")
                || name.equals("config.json") || name.equals("generation_config.json")
                || name.startsWith("tokenizer") || name.equals("special_tokens_map.json")
                || name.equals("vocab.json") || name.equals("merges.txt") || name.equals("added_tokens.json")
                || name.equals("chat_template.jinja") || name.equals("chat_template.json");
    };

    /** Validates the options. */
    public VerificationOptions {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(mode, "mode");
        ignorePaths = List.copyOf(ignorePaths);
        Objects.requireNonNull(loadedFiles, "loadedFiles");
        Objects.requireNonNull(progress, "progress");
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0");
        }
    }

    /** Strict verification with the given policy, {@code model.sig} in the model directory, and the user cache. */
    public static VerificationOptions of(VerificationPolicy policy) {
        return new VerificationOptions(policy, null, VerificationMode.STRICT, List.of(), false, ENGINE_FILES,
                defaultCacheDirectory(), ProgressListener.NONE, 0);
    }

    /** {@code $XDG_CACHE_HOME/granitej/model-sig}, else {@code ~/.cache/granitej/model-sig}. */
    public static Path defaultCacheDirectory() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("granitej").resolve("model-sig");
    }

    public VerificationOptions withSignatureFile(Path file) {
        return new VerificationOptions(policy, file, mode, ignorePaths, allowSymlinks, loadedFiles, cacheDirectory,
                progress, threads);
    }

    public VerificationOptions withMode(VerificationMode m) {
        return new VerificationOptions(policy, signatureFile, m, ignorePaths, allowSymlinks, loadedFiles,
                cacheDirectory, progress, threads);
    }

    public VerificationOptions withIgnorePaths(List<String> paths) {
        return new VerificationOptions(policy, signatureFile, mode, paths, allowSymlinks, loadedFiles, cacheDirectory,
                progress, threads);
    }

    public VerificationOptions withAllowSymlinks(boolean allow) {
        return new VerificationOptions(policy, signatureFile, mode, ignorePaths, allow, loadedFiles, cacheDirectory,
                progress, threads);
    }

    public VerificationOptions withLoadedFiles(Predicate<String> files) {
        return new VerificationOptions(policy, signatureFile, mode, ignorePaths, allowSymlinks, files, cacheDirectory,
                progress, threads);
    }

    /** {@code null} disables the digest cache. */
    public VerificationOptions withCacheDirectory(Path dir) {
        return new VerificationOptions(policy, signatureFile, mode, ignorePaths, allowSymlinks, loadedFiles, dir,
                progress, threads);
    }

    public VerificationOptions withProgress(ProgressListener listener) {
        return new VerificationOptions(policy, signatureFile, mode, ignorePaths, allowSymlinks, loadedFiles,
                cacheDirectory, listener, threads);
    }

    public VerificationOptions withThreads(int n) {
        return new VerificationOptions(policy, signatureFile, mode, ignorePaths, allowSymlinks, loadedFiles,
                cacheDirectory, progress, n);
    }

    public VerificationOptions withPolicy(VerificationPolicy p) {
        return new VerificationOptions(p, signatureFile, mode, ignorePaths, allowSymlinks, loadedFiles,
                cacheDirectory, progress, threads);
    }
}
