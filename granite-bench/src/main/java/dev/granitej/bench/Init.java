package dev.granitej.bench;

/** How the values of a random tensor are drawn. */
public sealed interface Init {

    /** Normal with the given mean and standard deviation (matrices: std 1/sqrt(fan_in); norms: mean 1). */
    record Gaussian(double mean, double std) implements Init {
    }

    /** Uniform in {@code [lo, hi)}. */
    record Uniform(double lo, double hi) implements Init {
    }

    /** {@code log u} with {@code u} uniform in {@code [lo, hi)}: Mamba's {@code A_log}. */
    record LogUniform(double lo, double hi) implements Init {
    }

    /** A matrix-like weight: mean 0, std {@code 1/sqrt(fanIn)}. */
    static Init fanIn(long fanIn) {
        return new Gaussian(0, 1 / Math.sqrt(fanIn));
    }
}
