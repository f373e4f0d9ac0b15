package dev.granitej.kernels;

import java.lang.foreign.MemorySegment;

/** An IEEE float16 weight matrix, accumulated in fp32. */
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
    public float dot(int row, float[] x, int xOff) {
        return dotScalar(row, x, xOff);
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
}
