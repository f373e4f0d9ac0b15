package dev.granitej.cli;

import dev.granitej.api.Granite;
import dev.granitej.api.LoadOptions;
import dev.granitej.sig.cli.VerifyCommand;
import java.io.PrintStream;
import java.nio.file.Path;

/** Load-time feedback on stderr. */
final class Progress {

    private Progress() {
    }

    /** Loads with a progress bar while {@code model.sig} is verified, and the load time at the end. */
    static Granite load(Path dir, LoadOptions options, PrintStream err) {
        long start = System.nanoTime();
        err.println("loading " + dir + options.weightFormat().map(f -> " (quantizing to " + f + ")").orElse(""));
        Granite g = Granite.load(dir, options.withVerification(
                options.verification().withProgress(new VerifyCommand.ProgressBar(err))));
        g.verification().ifPresent(v -> err.println("\nverified: " + v.summary()));
        err.printf("loaded in %d ms%n", (System.nanoTime() - start) / 1_000_000);
        return g;
    }
}
