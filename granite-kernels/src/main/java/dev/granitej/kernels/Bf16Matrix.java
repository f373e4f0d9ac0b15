package dev.granitej.kernels;

import java.lang.foreign.MemorySegment;

/** A bfloat16 weight matrix, accumulated in fp32. */
public final class Bf16Matrix extends WeightMatrix {

    Bf16Matrix(MemorySegment data, int rows, int cols) {
        super(data, rows, cols);
    }

    @Override
    public WeightFormat format() {
        return WeightFormat.BF16;
    }

    static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat(bits << 16);
    }

    @Override
    public float get(int row, int col) {
        return bf16ToFloat(data.get(I16_LE, ((long) row * cols + col) * 2));
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
            sum += bf16ToFloat(data.get(I16_LE, base + i * 2L)) * x[xOff + i];
        }
        return sum;
    }
}
