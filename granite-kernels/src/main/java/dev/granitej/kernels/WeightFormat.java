package dev.granitej.kernels;

/**
 * Storage format of a weight matrix. Activations are always fp32. All multi-byte values are little-endian.
 * The block formats are llama.cpp's (ggml's) {@code Q8_0} and {@code Q4_0}: a row is a sequence of blocks of
 * {@value #BLOCK} weights, each block an fp16 scale {@code d} followed by the quantized values.
 */
public enum WeightFormat {
    /** IEEE float32, 4 bytes a weight. */
    F32,
    /** bfloat16 (the upper half of a float32), 2 bytes a weight. */
    BF16,
    /** IEEE float16, 2 bytes a weight. */
    F16,
    /** Blocks of 34 bytes: fp16 {@code d}, then 32 signed bytes {@code q}; {@code w = d·q}. */
    Q8_0,
    /**
     * Blocks of 18 bytes: fp16 {@code d}, then 16 bytes whose low nibbles are weights 0..15 and high nibbles
     * weights 16..31 of the block; {@code w = d·(q − 8)}.
     */
    Q4_0;

    /** Weights per quantization block. */
    public static final int BLOCK = 32;

    /** True for the block-quantized formats, whose row length must be a multiple of {@link #BLOCK}. */
    public boolean isBlockQuantized() {
        return this == Q8_0 || this == Q4_0;
    }

    /**
     * Bytes used by {@code count} consecutive weights of one row.
     *
     * @throws IllegalArgumentException for a block format when {@code count} is not a whole number of blocks
     */
    public long bytesFor(long count) {
        return switch (this) {
            case F32 -> count * 4;
            case BF16, F16 -> count * 2;
            case Q8_0 -> blocks(count) * 34;
            case Q4_0 -> blocks(count) * 18;
        };
    }

    private long blocks(long count) {
        if (count % BLOCK != 0) {
            throw new IllegalArgumentException(this + " stores whole blocks of " + BLOCK + " weights; "
                    + count + " weights is not a multiple of " + BLOCK);
        }
        return count / BLOCK;
    }
}
