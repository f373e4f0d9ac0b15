package dev.granitej.bench;

import java.util.Locale;

/**
 * The tokens per second of one test over its repetitions.
 *
 * @param test            llama-bench's name for it: {@code pp512}, {@code tg128}, {@code tg128 @ d4096} …
 * @param tokensPerSecond one value per repetition
 */
public record Measurement(String test, double[] tokensPerSecond) {

    public Measurement {
        if (tokensPerSecond.length == 0) {
            throw new IllegalArgumentException("no repetitions for " + test);
        }
        tokensPerSecond = tokensPerSecond.clone();
    }

    @Override
    public double[] tokensPerSecond() {
        return tokensPerSecond.clone();
    }

    /** Mean over repetitions. */
    public double mean() {
        double s = 0;
        for (double v : tokensPerSecond) {
            s += v;
        }
        return s / tokensPerSecond.length;
    }

    /** Sample standard deviation over repetitions (0 for one repetition), as llama-bench reports it. */
    public double stddev() {
        int n = tokensPerSecond.length;
        if (n < 2) {
            return 0;
        }
        double m = mean();
        double ss = 0;
        for (double v : tokensPerSecond) {
            ss += (v - m) * (v - m);
        }
        return Math.sqrt(ss / (n - 1));
    }

    /** {@code 273.40 ± 2.88}. */
    public String formatted() {
        return String.format(Locale.ROOT, "%.2f ± %.2f", mean(), stddev());
    }
}
