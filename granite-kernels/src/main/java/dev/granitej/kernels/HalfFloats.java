package dev.granitej.kernels;

import static dev.granitej.kernels.Simd.F;
import static dev.granitej.kernels.Simd.I;
import static dev.granitej.kernels.Simd.LANES;
import static dev.granitej.kernels.Simd.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

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

    /** {@code dst[dstOff + i] = float16ToFloat(src[srcOff + i])} for {@code i < n}, vectorised as {@link F16Matrix}. */
    public static void widen(short[] src, int srcOff, float[] dst, int dstOff, int n) {
        int i = 0;
        if (Kernels.VECTOR) {
            for (; i <= n - LANES; i += LANES) {
                IntVector h = (IntVector) ShortVector.fromArray(S, src, srcOff + i)
                        .convertShape(VectorOperators.S2I, I, 0);
                IntVector mag = h.lanewise(VectorOperators.LSHL, 13).and(0x0fff_e000);
                FloatVector f = mag.reinterpretAsFloats().mul(REBIAS);
                f.blend(mag.or(0x7f80_0000).reinterpretAsFloats(), f.compare(VectorOperators.GE, INF_NAN))
                        .reinterpretAsInts().or(h.and(0x8000_0000)).reinterpretAsFloats().intoArray(dst, dstOff + i);
            }
        }
        for (; i < n; i++) {
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
