package dev.granitej.io;

import dev.granitej.kernels.WeightFormat;
import dev.granitej.kernels.WeightMatrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * One tensor of a checkpoint: its name, element type, shape and bytes (a slice of the mapped file,
 * never copied). Immutable.
 */
public record Tensor(String name, DType dtype, long[] shape, MemorySegment data, Path file) {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public Tensor {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements (the product of the shape). */
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Throws unless the shape equals {@code expected}. */
    public Tensor requireShape(long... expected) {
        if (!Arrays.equals(shape, expected)) {
            throw new CheckpointException(file.getFileName() + ": tensor '" + name + "' has shape "
                    + Arrays.toString(shape) + ", expected " + Arrays.toString(expected));
        }
        return this;
    }

    /** The tensor as a weight matrix of {@code rows × cols}; its element count must match. */
    public WeightMatrix asMatrix(int rows, int cols) {
        if (elementCount() != (long) rows * cols) {
            throw new CheckpointException(file.getFileName() + ": tensor '" + name + "' with shape "
                    + Arrays.toString(shape) + " cannot be viewed as a " + rows + "x" + cols + " matrix");
        }
        return WeightMatrix.of(weightFormat(), data, rows, cols);
    }

    /** The kernels' format for this tensor's dtype; only floating-point weights qualify. */
    public WeightFormat weightFormat() {
        return switch (dtype) {
            case F32 -> WeightFormat.F32;
            case BF16 -> WeightFormat.BF16;
            case F16 -> WeightFormat.F16;
            default -> throw new CheckpointException(file.getFileName() + ": tensor '" + name + "' has dtype "
                    + dtype + "; weights must be F32, BF16 or F16");
        };
    }

    /** Copies a floating-point tensor into a new fp32 array (for small parameters such as norms and biases). */
    public float[] toFloatArray() {
        long n = elementCount();
        if (n > Integer.MAX_VALUE - 8) {
            throw new CheckpointException(file.getFileName() + ": tensor '" + name + "' is too large to copy ("
                    + n + " elements)");
        }
        float[] out = new float[(int) n];
        switch (weightFormat()) {
            case F32 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = data.get(F32, i * 4L);
                }
            }
            case BF16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.intBitsToFloat(data.get(I16, i * 2L) << 16);
                }
            }
            case F16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.float16ToFloat(data.get(I16, i * 2L));
                }
            }
        }
        return out;
    }

    /** Copies an integer tensor (I64 or I32) into a new long array. */
    public long[] toLongArray() {
        long n = elementCount();
        if (n > Integer.MAX_VALUE - 8) {
            throw new CheckpointException(file.getFileName() + ": tensor '" + name + "' is too large to copy");
        }
        long[] out = new long[(int) n];
        switch (dtype) {
            case I64 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = data.get(I64, i * 8L);
                }
            }
            case I32 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = data.get(I32, i * 4L);
                }
            }
            default -> throw new CheckpointException(file.getFileName() + ": tensor '" + name + "' has dtype "
                    + dtype + ", expected I64 or I32");
        }
        return out;
    }

    @Override
    public String toString() {
        return "Tensor[" + name + ", " + dtype + ", " + Arrays.toString(shape) + "]";
    }
}
