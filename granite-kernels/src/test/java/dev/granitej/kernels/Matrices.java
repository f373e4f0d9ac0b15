package dev.granitej.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;

/** Random weight matrices of every format for the kernel tests. */
final class Matrices {

    private static final ValueLayout.OfFloat F32_LE =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Matrices() {
    }

    /** A random matrix; F16 includes subnormals, block formats are quantized from Gaussian fp32. */
    static WeightMatrix random(WeightFormat format, int rows, int cols, Random random) {
        Arena arena = Arena.ofAuto();
        if (format.isBlockQuantized()) {
            return Quantizer.quantize(random(WeightFormat.F32, rows, cols, random), format, arena);
        }
        long n = (long) rows * cols;
        MemorySegment seg = arena.allocate(format.bytesFor(n) + 8, 1).asSlice(1, format.bytesFor(n) + 7);
        for (long i = 0; i < n; i++) {
            float v = (float) random.nextGaussian();
            switch (format) {
                case F32 -> seg.set(F32_LE, i * 4, v);
                case BF16 -> seg.set(I16_LE, i * 2, (short) (Float.floatToRawIntBits(v) >>> 16));
                case F16 -> seg.set(I16_LE, i * 2, random.nextInt(8) == 0
                        ? (short) (random.nextInt(0x400) | (random.nextBoolean() ? 0x8000 : 0)) // subnormal
                        : Float.floatToFloat16(v));
                default -> throw new AssertionError(format);
            }
        }
        return WeightMatrix.of(format, seg, rows, cols);
    }

    /** {@code Σ|W[row][i]·x[xOff+i]|}: the scale of the dot's rounding error. */
    static double absDot(WeightMatrix m, int row, float[] x, int xOff) {
        double s = 0;
        for (int i = 0; i < m.cols(); i++) {
            s += Math.abs((double) m.get(row, i) * x[xOff + i]);
        }
        return s;
    }

    static float[] gaussian(int n, Random random) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextGaussian();
        }
        return a;
    }
}
