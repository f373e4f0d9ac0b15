package dev.granitej.model;

import dev.granitej.kernels.WeightFormat;
import java.util.Optional;

/**
 * How a model is loaded.
 *
 * @param weightFormat the format linear-layer weights are converted to at load ({@code Q8_0}, {@code Q4_0}), or
 *                     empty to compute on the weights as stored (F32/BF16/F16). Norms, SSM parameters, the conv
 *                     and the router always stay in full precision.
 * @param threads      threads that share each matrix product (the caller's included)
 * @param preload      read the whole checkpoint into memory at load instead of mapping it (faster decode on big
 *                     checkpoints, as llama.cpp's {@code --no-mmap}; costs load time and resident memory).
 *                     Quantized formats already hold their converted weights in memory, so there it is a no-op.
 */
public record ModelOptions(Optional<WeightFormat> weightFormat, int threads, boolean preload) {

    public ModelOptions {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, was " + threads);
        }
        weightFormat.ifPresent(f -> {
            if (f != WeightFormat.Q8_0 && f != WeightFormat.Q4_0) {
                throw new IllegalArgumentException("weights can be converted to Q8_0 or Q4_0 at load, not " + f
                        + " (omit the format to use the weights as stored)");
            }
        });
    }

    /** Weights as stored, mapped lazily; one thread per available processor. */
    public static ModelOptions defaults() {
        return new ModelOptions(Optional.empty(), Runtime.getRuntime().availableProcessors(), false);
    }

    public ModelOptions withWeightFormat(WeightFormat format) {
        return new ModelOptions(Optional.ofNullable(format), threads, preload);
    }

    public ModelOptions withThreads(int n) {
        return new ModelOptions(weightFormat, n, preload);
    }

    public ModelOptions withPreload(boolean p) {
        return new ModelOptions(weightFormat, threads, p);
    }
}
