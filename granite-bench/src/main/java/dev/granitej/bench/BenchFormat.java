package dev.granitej.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The weight formats a benchmark can ask for, spelled as llama.cpp spells them. */
public enum BenchFormat {
    BF16, Q8_0, Q4_0;

    /** {@code bf16}, {@code q8_0}, {@code q4_0} (any case). */
    public static BenchFormat parse(String s) {
        for (BenchFormat f : values()) {
            if (f.name().equalsIgnoreCase(s)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown format '" + s + "'; expected one of "
                + Arrays.stream(values()).map(BenchFormat::label).collect(Collectors.joining(", ")));
    }

    /** The lower-case command-line spelling. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
