package dev.granitej.bench.kernels;

import dev.granitej.kernels.Quantizer;
import dev.granitej.kernels.WeightFormat;
import dev.granitej.kernels.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/** Random weight matrices for the kernel benchmarks (weight values do not change the speed). */
final class BenchMatrices {

    private static final ValueLayout.OfFloat F32_LE =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private BenchMatrices() {
    }

    /** Parses {@code "ROWSxCOLS"}. */
    static int[] shape(String text) {
        String[] parts = text.split("x");
        return new int[]{Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
    }

    /** Random weights; block formats quantized in the layout the engine loads them in (Q4_0 repacked). */
    static WeightMatrix random(WeightFormat format, int rows, int cols, Arena arena) {
        SplittableRandom random = new SplittableRandom(1);
        if (format.isBlockQuantized()) {
            return Quantizer.quantizeRepacked(random(WeightFormat.F32, rows, cols, arena), format, arena);
        }
        long n = (long) rows * cols;
        MemorySegment seg = arena.allocate(format.bytesFor(n), 64);
        for (long i = 0; i < n; i++) {
            float v = (float) (random.nextDouble() * 2 - 1) * 0.05f;
            switch (format) {
                case F32 -> seg.set(F32_LE, i * 4, v);
                case BF16 -> seg.set(I16_LE, i * 2, (short) (Float.floatToRawIntBits(v) >>> 16));
                case F16 -> seg.set(I16_LE, i * 2, Float.floatToFloat16(v));
                default -> throw new AssertionError(format);
            }
        }
        return WeightMatrix.of(format, seg, rows, cols);
    }

    static float[] activations(int n) {
        SplittableRandom random = new SplittableRandom(2);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return x;
    }
}
