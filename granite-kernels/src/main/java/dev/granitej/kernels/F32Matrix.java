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
        float sum = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
        for (; i < cols; i++) {
            sum += data.get(F32_LE, base + i * 4L) * x[xOff + i];
        }
        return sum;
    }

    @Override
    void tile(int row, float[] x, int xOff, int xStride, float[] y, int yOff, int yStride) {
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
        finishTile(row, i, x, xOff, xStride, y, yOff, yStride,
                a00.reduceLanes(VectorOperators.ADD), a01.reduceLanes(VectorOperators.ADD),
                a02.reduceLanes(VectorOperators.ADD), a03.reduceLanes(VectorOperators.ADD),
                a10.reduceLanes(VectorOperators.ADD), a11.reduceLanes(VectorOperators.ADD),
                a12.reduceLanes(VectorOperators.ADD), a13.reduceLanes(VectorOperators.ADD));
    }
}
