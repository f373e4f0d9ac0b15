package dev.granitej.bench;

import dev.granitej.model.KvCacheFormat;
import java.io.PrintStream;
import java.util.Locale;

/**
 * llama-bench's markdown table, printed one row at a time as results arrive. As llama-bench does, a
 * {@code type_k} column (the KV cache type) appears only when the cache is not its default, f16.
 */
final class ResultTable {

    private static final String FORMAT = "| %-28s | %10s | %10s | %-6s | %7s |%s %16s | %20s |%n";

    private final PrintStream out;
    /** The {@code type_k} cell with its separator, or empty for the default cache. */
    private final String typeK;

    ResultTable(PrintStream out, KvCacheFormat kvCache) {
        this.out = out;
        this.typeK = kvCache == KvCacheFormat.F16 ? "" : String.format(Locale.ROOT, " %-6s |", kvCache.label());
    }

    void header() {
        out.printf(Locale.ROOT, FORMAT, "model", "size", "params", "format", "threads",
                typeK.isEmpty() ? "" : " type_k |", "test", "t/s");
        out.printf(Locale.ROOT, "| %s | %s: | %s: | %s | %s: |%s %s: | %s: |%n", "-".repeat(28), "-".repeat(9),
                "-".repeat(9), "-".repeat(6), "-".repeat(6), typeK.isEmpty() ? "" : " ------ |", "-".repeat(15),
                "-".repeat(19));
    }

    void row(String model, long bytes, long params, BenchFormat format, int threads, Measurement m) {
        out.printf(Locale.ROOT, FORMAT, model, Units.bytes(bytes), Units.params(params),
                format.label(), threads, typeK, m.test(), m.formatted());
        out.flush();
    }
}
