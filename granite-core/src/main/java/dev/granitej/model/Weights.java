package dev.granitej.model;

import dev.granitej.io.Checkpoint;
import dev.granitej.io.Tensor;
import dev.granitej.kernels.Parallel;
import dev.granitej.kernels.Quantizer;
import dev.granitej.kernels.WeightFormat;
import dev.granitej.kernels.WeightMatrix;
import java.lang.foreign.Arena;
import java.util.Optional;

/**
 * Turns checkpoint tensors into the layers' matrices: as stored, or quantized at load into memory owned by the
 * model (freed when the model closes). Used only while the model is being built.
 */
final class Weights {

    final Checkpoint checkpoint;
    final Parallel pool;
    private final Optional<WeightFormat> format;
    private final Arena arena;
    /** Bytes of stored weights that were converted, and of their converted form. */
    long replacedBytes;
    long convertedBytes;

    Weights(Checkpoint checkpoint, Parallel pool, Optional<WeightFormat> format, Arena arena) {
        this.checkpoint = checkpoint;
        this.pool = pool;
        this.format = format;
        this.arena = arena;
    }

    Tensor tensor(String name, long... shape) {
        return checkpoint.tensor(name).requireShape(shape);
    }

    /** A linear layer's weight, in the model's weight format. */
    WeightMatrix matrix(Tensor t, int rows, int cols) {
        WeightMatrix m = t.asMatrix(rows, cols);
        if (format.isEmpty()) {
            return m;
        }
        return convert(m, format.get());
    }

    private WeightMatrix convert(WeightMatrix m, WeightFormat target) {
        WeightMatrix q = Quantizer.quantize(m, target, arena);
        replacedBytes += m.byteSize();
        convertedBytes += q.byteSize();
        return q;
    }

    /** The embedding or lm_head: as stored under Q8_0, Q8_0 under Q4_0. */
    WeightMatrix vocabularyMatrix(Tensor t, int rows, int cols) {
        WeightMatrix m = t.asMatrix(rows, cols);
        if (format.isEmpty() || format.get() == WeightFormat.Q8_0) {
            return m;
        }
        return convert(m, WeightFormat.Q8_0);
    }

    Linear linear(String name, int rows, int cols) {
        return new Linear(matrix(tensor(name, rows, cols), rows, cols), pool);
    }

    /** A matrix kept as stored whatever the weight format (the MoE router: its choices are discrete). */
    Linear exact(String name, int rows, int cols) {
        return new Linear(tensor(name, rows, cols).asMatrix(rows, cols), pool);
    }

    float[] vector(String name, long length) {
        return tensor(name, length).toFloatArray();
    }
}
