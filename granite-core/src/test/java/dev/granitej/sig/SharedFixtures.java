package dev.granitej.sig;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/**
 * Locates the third-party model-signing fixtures in {@code ../shared} (never copied into the project) and copies
 * them into temporary directories for mutation tests.
 */
final class SharedFixtures {

    private SharedFixtures() {
    }

    /** {@code shared/fixtures/model-signing}, or skips the calling test when absent. */
    static Path root() {
        Path shared = shared();
        Path dir = shared == null ? null : shared.resolve("fixtures/model-signing");
        Assumptions.assumeTrue(dir != null && Files.isDirectory(dir),
                "shared/fixtures/model-signing absent, skipping");
        return dir;
    }

    static Path transparency(String name) {
        return root().resolve("model-transparency").resolve(name);
    }

    static Path key(String name) {
        return transparency("keys/certificate").resolve(name);
    }

    static Path specVector(String name) {
        return root().resolve("model-signing-spec/test-vectors/v1.0").resolve(name);
    }

    static Path trustedRoot() {
        return root().resolve("sigstore-trusted-root/trusted_root.json");
    }

    private static Path shared() {
        String prop = System.getProperty("granitej.shared");
        if (prop != null) {
            return Path.of(prop);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolveSibling("shared");
            if (Files.isDirectory(candidate.resolve("spec"))) {
                return candidate;
            }
            if (Files.isDirectory(p.resolve("shared/spec"))) {
                return p.resolve("shared");
            }
        }
        return null;
    }

    /** Copies a fixture directory into {@code target} (writable, byte-exact). */
    static Path copy(Path source, Path target) throws IOException {
        try (Stream<Path> files = Files.walk(source)) {
            for (Path p : files.toList()) {
                Path dest = target.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(p, dest, StandardCopyOption.REPLACE_EXISTING);
                    dest.toFile().setWritable(true);
                }
            }
        }
        return target;
    }
}
