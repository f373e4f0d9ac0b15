package dev.granitej.kernels;

import static dev.granitej.kernels.HalfFloats.INF_NAN;
import static dev.granitej.kernels.HalfFloats.REBIAS;
import static dev.granitej.kernels.Simd.F;
import static dev.granitej.kernels.Simd.I;
import static dev.granitej.kernels.Simd.LANES;
import static dev.granitej.kernels.Simd.LE;
import static dev.granitej.kernels.Simd.S;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * An IEEE float16 weight matrix, accumulated in fp32.
 *
 * <p>JDK 25's Vector API has no float16 lane conversion ({@code S2F} converts the short's integer value), so
 * the vector kernels widen the bits with integer operations, exactly as {@link Float#float16ToFloat} does:
 * the exponent and mantissa are shifted into float position and the value rescaled by 2<sup>112</sup> (the
 * exponent-bias difference), which also maps float16 subnormals onto the right floats; all-ones exponents
 * (infinities, NaNs, the only values that rescale to 2<sup>16</sup> or more) are patched to the float all-ones
 * exponent; the sign, already in bit 31 after sign-extending the short, is copied last. {@link HalfFloats}
 * widens a float16 KV cache the same way, with the same constants.
 */
public final class F16Matrix extends WeightMatrix {

    F16Matrix(MemorySegment data, int rows, int cols) {
        super(data, rows, cols);
    }

    @Override
    public WeightFormat format() {
        return WeightFormat.F16;
    }

    @Override
    public float get(int row, int col) {
        return Float.float16ToFloat(data.get(I16_LE, ((long) row * cols + col) * 2));
    }

    @Override
    public float dotScalar(int row, float[] x, int xOff) {
        long base = (long) row * cols * 2;
        float sum = 0f;
        for (int i = 0; i < cols; i++) {
            sum += Float.float16ToFloat(data.get(I16_LE, base + i * 2L)) * x[xOff + i];
        }
        return sum;
    }

    /**
     * Widens {@code LANES} float16 values at byte {@code offset} to floats and writes them to {@code dst}:
     * {@link #decodeRow}'s conversion, the one the other kernels inline, kept callable for the bit-exactness test.
     */
    static void widen(MemorySegment seg, long offset, float[] dst, int dstOff) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(S, seg, offset, LE)
                .convertShape(VectorOperators.S2I, I, 0);
        IntVector mag = h.lanewise(VectorOperators.LSHL, 13).and(0x0fff_e000);
        FloatVector f = mag.reinterpretAsFloats().mul(REBIAS);
        f.blend(mag.or(0x7f80_0000).reinterpretAsFloats(), f.compare(VectorOperators.GE, INF_NAN))
                .reinterpretAsInts().or(h.and(0x8000_0000)).reinterpretAsFloats().intoArray(dst, dstOff);
    }

    @Override
    float dotVector(int row, float[] x, int xOff) {
        long base = row * rowBytes;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int i = 0;
        for (; i <= cols - 2 * LANES; i += 2 * LANES) {
            long at = base + i * 2L;
            IntVector h0 = (IntVector) ShortVector.fromMemorySegment(S, data, at, LE)
                    .convertShape(VectorOperators.S2I, I, 0);
            IntVector h1 = (IntVector) ShortVector.fromMemorySegment(S, data, at + 2L * LANES, LE)
                    .convertShape(VectorOperators.S2I, I, 0);
            IntVector m0 = h0.lanewise(VectorOperators.LSHL, 13).and(0x0fff_e000);
            IntVector m1 = h1.lanewise(VectorOperators.LSHL, 13).and(0x0fff_e000);
            FloatVector w0f = m0.reinterpretAsFloats().mul(REBIAS);
            FloatVector w0 = w0f.blend(m0.or(0x7f80_0000).reinterpretAsFloats(),
                    w0f.compare(VectorOperators.GE, INF_NAN)).reinterpretAsInts().or(h0.and(0x8000_0000))
                    .reinterpretAsFloats();
            FloatVector w1f = m1.reinterpretAsFloats().mul(REBIAS);
            FloatVector w1 = w1f.blend(m1.or(0x7f80_0000).reinterpretAsFloats(),
                    w1f.compare(VectorOperators.GE, INF_NAN)).reinterpretAsInts().or(h1.and(0x8000_0000))
                    .reinterpretAsFloats();
            acc0 = w0.fma(FloatVector.fromArray(F, x, xOff + i), acc0);
            acc1 = w1.fma(FloatVector.fromArray(F, x, xOff + i + LANES), acc1);
        }
        for (; i <= cols - LANES; i += LANES) {
            IntVector h = (IntVector) ShortVector.fromMemorySegment(S, data, base + i * 2L, LE)
                    .convertShape(VectorOperators.S2I, I, 0);
            IntVector m = h.lanewise(VectorOperators.LSHL, 13).and(0x0fff_e000);
            FloatVector wf = m.reinterpretAsFloats().mul(REBIAS);
            FloatVector w = wf.blend(m.or(0x7f80_0000).reinterpretAsFloats(),
                    wf.compare(VectorOperators.GE, INF_NAN)).reinterpretAsInts().or(h.and(0x8000_0000))
                    .reinterpretAsFloats();
            acc0 = w.fma(FloatVector.fromArray(F, x, xOff + i), acc0);
        }
        float sum = Simd.sum(acc0.add(acc1));
        for (; i < cols; i++) {
            sum += Float.float16ToFloat(data.get(I16_LE, base + i * 2L)) * x[xOff + i];
        }
        return sum;
    }

    @Override
    void tile(int row, float[] x, int xOff, int xStride, float[] y, int yOff, int yStride, float[] sums) {
        long base0 = row * rowBytes;
        long base1 = base0 + rowBytes;
        int x1Off = xOff + xStride;
        int x2Off = x1Off + xStride;
        int x3Off = x2Off + xStride;
        FloatVector a00 = FloatVector.zero(F);
        FloatVector a01 = a00;
        FloatVector a02 = a00;
        FloatVector a03 = a00;
        FloatVector a10 = a00;
        FloatVector a11 = a00;
        FloatVector a12 = a00;
        FloatVector a13 = a00;
        int i = 0;
        for (; i <= cols - LANES; i += LANES) {
            IntVector h0 = (IntVector) ShortVector.fromMemorySegment(S, data, base0 + i * 2L, LE)
                    .convertShape(VectorOperators.S2I, I, 0);
            IntVector h1 = (IntVector) ShortVector.fromMemorySegment(S, data, base1 + i * 2L, LE)
                    .convertShape(VectorOperators.S2I, I, 0);
            IntVector m0 = h0.lanewise(VectorOperators.LSHL, 13).and(0x0fff_e000);
            IntVector m1 = h1.lanewise(VectorOperators.LSHL, 13).and(0x0fff_e000);
            FloatVector w0f = m0.reinterpretAsFloats().mul(REBIAS);
            FloatVector w0 = w0f.blend(m0.or(0x7f80_0000).reinterpretAsFloats(),
                    w0f.compare(VectorOperators.GE, INF_NAN)).reinterpretAsInts().or(h0.and(0x8000_0000))
                    .reinterpretAsFloats();
            FloatVector w1f = m1.reinterpretAsFloats().mul(REBIAS);
            FloatVector w1 = w1f.blend(m1.or(0x7f80_0000).reinterpretAsFloats(),
                    w1f.compare(VectorOperators.GE, INF_NAN)).reinterpretAsInts().or(h1.and(0x8000_0000))
                    .reinterpretAsFloats();
            FloatVector x0 = FloatVector.fromArray(F, x, xOff + i);
            a00 = w0.fma(x0, a00);
            a10 = w1.fma(x0, a10);
            FloatVector x1 = FloatVector.fromArray(F, x, x1Off + i);
            a01 = w0.fma(x1, a01);
            a11 = w1.fma(x1, a11);
            FloatVector x2 = FloatVector.fromArray(F, x, x2Off + i);
            a02 = w0.fma(x2, a02);
            a12 = w1.fma(x2, a12);
            FloatVector x3 = FloatVector.fromArray(F, x, x3Off + i);
            a03 = w0.fma(x3, a03);
            a13 = w1.fma(x3, a13);
        }
        // in the order finishTile sums them; no vector leaves this method (see Simd.sumLanes)
        a00.intoArray(sums, 0);
        a01.intoArray(sums, Simd.LANES);
        a02.intoArray(sums, 2 * Simd.LANES);
        a03.intoArray(sums, 3 * Simd.LANES);
        a10.intoArray(sums, 4 * Simd.LANES);
        a11.intoArray(sums, 5 * Simd.LANES);
        a12.intoArray(sums, 6 * Simd.LANES);
        a13.intoArray(sums, 7 * Simd.LANES);
        finishTile(row, i, x, xOff, xStride, y, yOff, yStride, sums);
    }

    @Override
    boolean decodesPanels() {
        return true;
    }

    @Override
    void decodeRow(int row, float[] dst, int dstOff) {
        long base = row * rowBytes;
        int i = 0;
        for (; i <= cols - LANES; i += LANES) {
            widen(data, base + i * 2L, dst, dstOff + i);
        }
        for (; i < cols; i++) {
            dst[dstOff + i] = Float.float16ToFloat(data.get(I16_LE, base + i * 2L));
        }
    }
}
