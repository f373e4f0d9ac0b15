package dev.granitej.e2e;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the repository root from the test's working directory. */
final class Repo {

    private Repo() {
    }

    static Path root() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !(Files.isDirectory(p.resolve("models")) && Files.exists(p.resolve("README.md")))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("cannot find the repository root");
        }
        return p;
    }
}
