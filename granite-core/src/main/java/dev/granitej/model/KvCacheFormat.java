package dev.granitej.model;

import dev.granitej.kernels.Q8KvBlocks;
import java.util.Arrays;
import java.util.Locale;

/**
 * How an attention layer's keys and values are stored per sequence.
 */
public enum KvCacheFormat {
    /** fp32, as computed: attention is exactly the reference's. The default. */
    F32,
    /**
     * IEEE float16 (llama.cpp's default cache type): half the memory per position and half the bytes attention
     * reads at every step, which at long contexts is what decode time goes to. Keys and values are rounded to
     * float16 when cached (magnitudes beyond 65504 become infinities).
     */
    F16,
    /**
     * 8-bit codes in blocks of 32 dimensions of a head (the whole head where 32 does not divide its width), each
     * block with a float scale: llama.cpp's {@code q8_0} cache type with an fp32 scale ({@link Q8KvBlocks}). 9/32
     * of fp32's memory and reads, a little over half of float16's; each value is off by at most half a step of
     * its block ({@code amax/254}). A block holding a non-finite value reads back as NaN.
     */
    Q8_0;

    /** The name on command lines and in tables: {@code f32}, {@code f16}, {@code q8_0}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The format whose {@link #label} is {@code label}, in any case.
     *
     * @throws IllegalArgumentException naming {@code label} and the {@link #choices()} when none is
     */
    public static KvCacheFormat parse(String label) {
        for (KvCacheFormat f : values()) {
            if (f.label().equalsIgnoreCase(label)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown KV cache type '" + label + "' (" + choices() + ")");
    }

    /** The labels, for messages: {@code "f32, f16 or q8_0"}. */
    public static String choices() {
        String[] labels = Arrays.stream(values()).map(KvCacheFormat::label).toArray(String[]::new);
        return String.join(", ", Arrays.copyOf(labels, labels.length - 1)) + " or " + labels[labels.length - 1];
    }

    /**
     * Bytes one position takes in one attention layer's cache: the keys and values of {@code kvHeads} heads of
     * {@code headDim} dimensions.
     */
    public long bytesPerPosition(int kvHeads, int headDim) {
        long values = 2L * kvHeads * headDim;
        return switch (this) {
            case F32 -> 4 * values;
            case F16 -> 2 * values;
            case Q8_0 -> values + 4 * (values / Q8KvBlocks.blockDims(headDim));
        };
    }
}
