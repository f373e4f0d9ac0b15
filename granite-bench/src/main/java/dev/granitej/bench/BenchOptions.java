package dev.granitej.bench;

import dev.granitej.io.DType;
import dev.granitej.io.Tensor;
import dev.granitej.kernels.WeightFormat;
import dev.granitej.model.GraniteModel;
import dev.granitej.model.ModelOptions;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How to load the model under test: the checkpoint directory, the weight format to run it in and the number
 * of threads the engine may use. Everything that will change as the engine grows formats and threading goes
 * through {@link #load()}.
 *
 * @param model   checkpoint directory (config.json + safetensors)
 * @param format  weight format to run in
 * @param threads threads the engine shares each matrix product over
 */
public record BenchOptions(Path model, BenchFormat format, int threads) {

    public BenchOptions {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(format, "format");
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1, was " + threads);
        }
    }

    /**
     * Loads the model in the requested format with the requested threads: {@code bf16} runs the weights as stored
     * (the checkpoint must store bf16), {@code q8_0} and {@code q4_0} quantize them at load.
     */
    public GraniteModel load() {
        // Weights are read into memory before timing, as llama-bench's figures were taken (no lazy mapping).
        ModelOptions options = ModelOptions.defaults().withThreads(threads).withPreload(true);
        options = switch (format) {
            case BF16 -> options;
            case Q8_0 -> options.withWeightFormat(WeightFormat.Q8_0);
            case Q4_0 -> options.withWeightFormat(WeightFormat.Q4_0);
        };
        GraniteModel loaded = GraniteModel.load(model, options);
        Tensor embedding = loaded.checkpoint().tensor("model.embed_tokens.weight");
        if (format == BenchFormat.BF16 && embedding.dtype() != DType.BF16) {
            loaded.close();
            throw new UnsupportedOperationException(model + " stores its weights as " + embedding.dtype()
                    + "; --format bf16 needs a bf16 checkpoint");
        }
        return loaded;
    }
}
