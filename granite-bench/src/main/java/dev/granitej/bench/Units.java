package dev.granitej.bench;

import java.util.Locale;

/** Sizes and counts printed the way llama-bench prints them (MiB/GiB, M/B). */
public final class Units {

    private Units() {
    }

    /** Bytes in binary units: {@code 649.80 MiB}, {@code 2.72 GiB}. */
    public static String bytes(long bytes) {
        double mib = bytes / (1024.0 * 1024.0);
        if (mib >= 1024) {
            return String.format(Locale.ROOT, "%.2f GiB", mib / 1024);
        }
        if (mib >= 1) {
            return String.format(Locale.ROOT, "%.2f MiB", mib);
        }
        return String.format(Locale.ROOT, "%.2f KiB", bytes / 1024.0);
    }

    /** A parameter count: {@code 340.33 M}, {@code 1.46 B}. */
    public static String params(long n) {
        if (n >= 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.2f B", n / 1e9);
        }
        if (n >= 1_000_000L) {
            return String.format(Locale.ROOT, "%.2f M", n / 1e6);
        }
        return String.format(Locale.ROOT, "%.2f K", n / 1e3);
    }
}
