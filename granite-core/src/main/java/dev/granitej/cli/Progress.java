package dev.granitej.cli;

import dev.granitej.api.Granite;
import dev.granitej.api.LoadOptions;
import java.io.PrintStream;
import java.nio.file.Path;

/** Load-time feedback on stderr. */
final class Progress {

    private Progress() {
    }

    static Granite load(Path dir, LoadOptions options, PrintStream err) {
        long start = System.nanoTime();
        err.print("loading " + dir + " ... ");
        err.flush();
        Granite g = Granite.load(dir, options);
        err.printf("done in %d ms%n", (System.nanoTime() - start) / 1_000_000);
        return g;
    }
}
