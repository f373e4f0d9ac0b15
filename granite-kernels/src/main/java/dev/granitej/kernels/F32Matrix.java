package dev.granitej.kernels;

import static dev.granitej.kernels.Simd.F;
import static dev.granitej.kernels.Simd.LANES;
import static dev.granitej.kernels.Simd.LE;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** A float32 weight matrix. */
public final class F32Matrix extends WeightMatrix {

    F32Matrix(MemorySegment data, int rows, int cols) {
        super(data, rows, cols);
    }

    @Override
    public WeightFormat format() {
        return WeightFormat.F32;
    }

    @Override
    public float get(int row, int col) {
        return data.get(F32_LE, ((long) row * cols + col) * 4);
    }

    @Override
    public float dotScalar(int row, float[] x, int xOff) {
        long base = (long) row * cols * 4;
        float sum = 0f;
        for (int i = 0; i < cols; i++) {
            sum += data.get(F32_LE, base + i * 4L) * x[xOff + i];
        }
        return sum;
    }

    @Override
    float dotVector(int row, float[] x, int xOff) {
        long base = row * rowBytes;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        FloatVector acc2 = FloatVector.zero(F);
        FloatVector acc3 = FloatVector.zero(F);
        int i = 0;
        for (; i <= cols - 4 * LANES; i += 4 * LANES) {
            long at = base + i * 4L;
            acc0 = FloatVector.fromMemorySegment(F, data, at, LE)
                    .fma(FloatVector.fromArray(F, x, xOff + i), acc0);
            acc1 = FloatVector.fromMemorySegment(F, data, at + 4L * LANES, LE)
                    .fma(FloatVector.fromArray(F, x, xOff + i + LANES), acc1);
            acc2 = FloatVector.fromMemorySegment(F, data, at + 8L * LANES, LE)
                    .fma(FloatVector.fromArray(F, x, xOff + i + 2 * LANES), acc2);
            acc3 = FloatVector.fromMemorySegment(F, data, at + 12L * LANES, LE)
                    .fma(FloatVector.fromArray(F, x, xOff + i + 3 * LANES), acc3);
        }
        for (; i <= cols - LANES; i += LANES) {
            acc0 = FloatVector.fromMemorySegment(F, data, base + i * 4L, LE)
                    .fma(FloatVector.fromArray(F, x, xOff + i), acc0);
        }
        float sum = Simd.sum(acc0.add(acc1).add(acc2.add(acc3)));
        for (; i < cols; i++) {
            sum += data.get(F32_LE, base + i * 4L) * x[xOff + i];
        }
        return sum;
    }

    @Override
    void dotVector4(int row, float[] x, int xOff, int xStride, float[] y, int yOff, int yStride, float[] sums) {
        long base = row * rowBytes;
        int o0 = xOff;
        int o1 = o0 + xStride;
        int o2 = o1 + xStride;
        int o3 = o2 + xStride;
        FloatVector a00 = FloatVector.zero(F), a01 = FloatVector.zero(F), a02 = FloatVector.zero(F), a03 = FloatVector.zero(F);
        FloatVector a10 = FloatVector.zero(F), a11 = FloatVector.zero(F), a12 = FloatVector.zero(F), a13 = FloatVector.zero(F);
        FloatVector a20 = FloatVector.zero(F), a21 = FloatVector.zero(F), a22 = FloatVector.zero(F), a23 = FloatVector.zero(F);
        FloatVector a30 = FloatVector.zero(F), a31 = FloatVector.zero(F), a32 = FloatVector.zero(F), a33 = FloatVector.zero(F);
        int i = 0;
        for (; i <= cols - 4 * LANES; i += 4 * LANES) {
            long at = base + i * 4L;
            FloatVector w0 = FloatVector.fromMemorySegment(F, data, at, LE);
            FloatVector w1 = FloatVector.fromMemorySegment(F, data, at + 4L * LANES, LE);
            FloatVector w2 = FloatVector.fromMemorySegment(F, data, at + 8L * LANES, LE);
            FloatVector w3 = FloatVector.fromMemorySegment(F, data, at + 12L * LANES, LE);
            a00 = w0.fma(FloatVector.fromArray(F, x, o0 + i), a00);
            a01 = w1.fma(FloatVector.fromArray(F, x, o0 + i + LANES), a01);
            a02 = w2.fma(FloatVector.fromArray(F, x, o0 + i + 2 * LANES), a02);
            a03 = w3.fma(FloatVector.fromArray(F, x, o0 + i + 3 * LANES), a03);
            a10 = w0.fma(FloatVector.fromArray(F, x, o1 + i), a10);
            a11 = w1.fma(FloatVector.fromArray(F, x, o1 + i + LANES), a11);
            a12 = w2.fma(FloatVector.fromArray(F, x, o1 + i + 2 * LANES), a12);
            a13 = w3.fma(FloatVector.fromArray(F, x, o1 + i + 3 * LANES), a13);
            a20 = w0.fma(FloatVector.fromArray(F, x, o2 + i), a20);
            a21 = w1.fma(FloatVector.fromArray(F, x, o2 + i + LANES), a21);
            a22 = w2.fma(FloatVector.fromArray(F, x, o2 + i + 2 * LANES), a22);
            a23 = w3.fma(FloatVector.fromArray(F, x, o2 + i + 3 * LANES), a23);
            a30 = w0.fma(FloatVector.fromArray(F, x, o3 + i), a30);
            a31 = w1.fma(FloatVector.fromArray(F, x, o3 + i + LANES), a31);
            a32 = w2.fma(FloatVector.fromArray(F, x, o3 + i + 2 * LANES), a32);
            a33 = w3.fma(FloatVector.fromArray(F, x, o3 + i + 3 * LANES), a33);
        }
        for (; i <= cols - LANES; i += LANES) {
            FloatVector w = FloatVector.fromMemorySegment(F, data, base + i * 4L, LE);
            a00 = w.fma(FloatVector.fromArray(F, x, o0 + i), a00);
            a10 = w.fma(FloatVector.fromArray(F, x, o1 + i), a10);
            a20 = w.fma(FloatVector.fromArray(F, x, o2 + i), a20);
            a30 = w.fma(FloatVector.fromArray(F, x, o3 + i), a30);
        }
        // in the order finishDots sums them; no vector leaves this method (see Simd.sumLanes)
        a00.add(a01).add(a02.add(a03)).intoArray(sums, 0);
        a10.add(a11).add(a12.add(a13)).intoArray(sums, Simd.LANES);
        a20.add(a21).add(a22.add(a23)).intoArray(sums, 2 * Simd.LANES);
        a30.add(a31).add(a32.add(a33)).intoArray(sums, 3 * Simd.LANES);
        finishDots(row, i, x, xOff, xStride, y, yOff, yStride, sums);
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
            FloatVector w0 = FloatVector.fromMemorySegment(F, data, base0 + i * 4L, LE);
            FloatVector w1 = FloatVector.fromMemorySegment(F, data, base1 + i * 4L, LE);
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
        MemorySegment.copy(data, F32_LE, row * rowBytes, dst, dstOff, cols);
    }
}
