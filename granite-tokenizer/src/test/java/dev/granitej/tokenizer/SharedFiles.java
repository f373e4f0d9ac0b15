package dev.granitej.tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Locates the read-only reference tree {@code shared/} next to the repository: from the system property
 * {@code granitej.shared}, or by walking up from the working directory until a directory containing
 * {@code shared/spec} is found.
 */
public final class SharedFiles {
    private SharedFiles() {}

    public static Optional<Path> sharedDir() {
        String prop = System.getProperty("granitej.shared");
        if (prop != null && Files.isDirectory(Path.of(prop))) {
            return Optional.of(Path.of(prop));
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared");
            if (Files.isDirectory(candidate.resolve("spec"))) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The third-party Granite tokenizer reference directory, if present. */
    public static Optional<Path> graniteTokenizerDir() {
        return sharedDir().map(d -> d.resolve("golden/granite-tokenizer"))
                .filter(d -> Files.isRegularFile(d.resolve("tokenizer.json")));
    }

    /** The repository root (the directory containing {@code models/}). */
    public static Path repoRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("models")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("repository root not found above " + Path.of("").toAbsolutePath());
    }
}
