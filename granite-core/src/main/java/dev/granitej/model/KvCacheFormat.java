package dev.granitej.model;

/**
 * How an attention layer's keys and values are stored per sequence.
 */
public enum KvCacheFormat {
    /** fp32, as computed: attention is exactly the reference's. The default. */
    F32(4),
    /**
     * IEEE float16 (llama.cpp's default cache type): half the memory per position and half the bytes attention
     * reads at every step, which at long contexts is what decode time goes to. Keys and values are rounded to
     * float16 when cached (magnitudes beyond 65504 become infinities).
     */
    F16(2);

    private final int bytes;

    KvCacheFormat(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per cached value. */
    public int bytes() {
        return bytes;
    }
}
