package dev.granitej.bench;

import java.io.PrintStream;
import java.util.Locale;

/** llama-bench's markdown table, printed one row at a time as results arrive. */
final class ResultTable {

    private static final String FORMAT = "| %-28s | %10s | %10s | %-6s | %7s | %16s | %20s |%n";

    private final PrintStream out;

    ResultTable(PrintStream out) {
        this.out = out;
    }

    void header() {
        out.printf(Locale.ROOT, FORMAT, "model", "size", "params", "format", "threads", "test", "t/s");
        out.printf(Locale.ROOT, "| %s | %s: | %s: | %s | %s: | %s: | %s: |%n", "-".repeat(28), "-".repeat(9),
                "-".repeat(9), "-".repeat(6), "-".repeat(6), "-".repeat(15), "-".repeat(19));
    }

    void row(String model, long bytes, long params, BenchFormat format, int threads, Measurement m) {
        out.printf(Locale.ROOT, FORMAT, model, Units.bytes(bytes), Units.params(params),
                format.label(), threads, m.test(), m.formatted());
        out.flush();
    }
}
