package dev.granitej.kernels;

import java.lang.foreign.MemorySegment;

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
    public float dot(int row, float[] x, int xOff) {
        return dotScalar(row, x, xOff);
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
}
