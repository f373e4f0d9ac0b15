package dev.granitej.kernels;

/** Storage format of a weight matrix. Activations are always fp32. */
public enum WeightFormat {
    /** IEEE float32, 4 bytes a weight. */
    F32,
    /** bfloat16 (the upper half of a float32), 2 bytes a weight. */
    BF16,
    /** IEEE float16, 2 bytes a weight. */
    F16;

    /** Bytes used by {@code count} consecutive weights of one row. */
    public long bytesFor(long count) {
        return switch (this) {
            case F32 -> count * 4;
            case BF16, F16 -> count * 2;
        };
    }
}
