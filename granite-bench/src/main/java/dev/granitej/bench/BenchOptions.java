package dev.granitej.bench;

import dev.granitej.io.DType;
import dev.granitej.io.Tensor;
import dev.granitej.model.GraniteModel;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How to load the model under test: the checkpoint directory, the weight format to run it in and the number
 * of threads the engine may use. Everything that will change as the engine grows formats and threading goes
 * through {@link #load()}.
 *
 * @param model   checkpoint directory (config.json + safetensors)
 * @param format  weight format to run in
 * @param threads threads the engine may use (reported; the engine does not take a thread count yet)
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
     * Loads the model in the requested format. Only {@code bf16} runs today, from a checkpoint whose matrices
     * are stored as bf16; q8_0 and q4_0 fail with "not supported yet" until the core can quantize at load.
     */
    public GraniteModel load() {
        if (format != BenchFormat.BF16) {
            throw new UnsupportedOperationException("--format " + format.label() + " is not supported yet: "
                    + "the engine runs bf16 weights only");
        }
        // When core takes them: GraniteModel.load(model, format, threads).
        GraniteModel loaded = GraniteModel.load(model);
        Tensor embedding = loaded.checkpoint().tensor("model.embed_tokens.weight");
        if (embedding.dtype() != DType.BF16) {
            loaded.close();
            throw new UnsupportedOperationException(model + " stores its weights as " + embedding.dtype()
                    + "; --format bf16 needs a bf16 checkpoint (conversion is not supported yet)");
        }
        return loaded;
    }
}
