package dev.granitej.kernels;

/**
 * IEEE float16 values kept as {@code short} bits (a float16 KV cache), widened to floats for the kernels. The
 * widening is exact ({@link Float#float16ToFloat}); narrowing rounds to nearest even ({@link Float#floatToFloat16}),
 * so magnitudes beyond 65504 become infinities, as in llama.cpp's f16 cache.
 */
public final class HalfFloats {

    /** 2^(127-15): moves a float16 exponent, placed in float position, to its float value. */
    static final float REBIAS = 0x1p112f;
    /** Rebiased values from this up came from the all-ones exponent (the largest finite float16 is 65504). */
    static final float INF_NAN = 0x1p16f;

    private HalfFloats() {
    }

    /**
     * {@code dst[dstOff + i] = float16ToFloat(src[srcOff + i])} for {@code i < n}. A plain loop on purpose: C2
     * turns it into the CPU's own conversion instruction (F16C {@code vcvtph2ps}), twice as fast as the bit
     * arithmetic of {@link F16Matrix}, which the Vector API needs because it has no float16 lanes.
     */
    public static void widen(short[] src, int srcOff, float[] dst, int dstOff, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = Float.float16ToFloat(src[srcOff + i]);
        }
    }

    /** {@code dst[dstOff + i] = floatToFloat16(src[srcOff + i])} for {@code i < n}. */
    public static void narrow(float[] src, int srcOff, short[] dst, int dstOff, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = Float.floatToFloat16(src[srcOff + i]);
        }
    }
}
