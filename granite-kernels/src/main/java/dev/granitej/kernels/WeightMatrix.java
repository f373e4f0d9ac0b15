package dev.granitej.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * A read-only row-major matrix {@code W[rows][cols]} stored in a memory segment (usually a mapped
 * checkpoint file), with the products a linear layer needs: {@code y = W·x} for one token and
 * {@code Y = X·Wᵀ} for many. Instances are immutable and safe to share between threads; every
 * buffer is owned by the caller.
 */
public abstract sealed class WeightMatrix permits F32Matrix, Bf16Matrix, F16Matrix {

    static final ValueLayout.OfFloat F32_LE =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    final MemorySegment data;
    final int rows;
    final int cols;

    WeightMatrix(MemorySegment data, int rows, int cols) {
        this.data = Objects.requireNonNull(data, "data");
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("matrix shape must be positive: " + rows + "x" + cols);
        }
        long need = format().bytesFor((long) rows * cols);
        if (data.byteSize() < need) {
            throw new IllegalArgumentException("segment of " + data.byteSize() + " bytes is too small for a "
                    + format() + " matrix " + rows + "x" + cols + " (" + need + " bytes)");
        }
        this.rows = rows;
        this.cols = cols;
    }

    /** Wraps {@code rows × cols} weights of the given format starting at the segment's first byte. */
    public static WeightMatrix of(WeightFormat format, MemorySegment data, int rows, int cols) {
        return switch (format) {
            case F32 -> new F32Matrix(data, rows, cols);
            case BF16 -> new Bf16Matrix(data, rows, cols);
            case F16 -> new F16Matrix(data, rows, cols);
        };
    }

    public abstract WeightFormat format();

    public final int rows() {
        return rows;
    }

    public final int cols() {
        return cols;
    }

    /** Bytes of weights this matrix covers. */
    public final long byteSize() {
        return format().bytesFor((long) rows * cols);
    }

    /** A view of rows {@code [first, first + count)}, sharing the same memory. */
    public final WeightMatrix rows(int first, int count) {
        Objects.checkFromIndexSize(first, count, rows);
        long rowBytes = format().bytesFor(cols);
        return of(format(), data.asSlice(first * rowBytes, count * rowBytes), count, cols);
    }

    /** The weight at {@code (row, col)} as a float; for tests and one-off reads, not for hot loops. */
    public abstract float get(int row, int col);

    /** {@code Σ_i W[row][i]·x[xOff + i]}, the kernel the current {@link Kernels} mode selects. */
    public abstract float dot(int row, float[] x, int xOff);

    /** The scalar twin of {@link #dot}: the test oracle and the fallback. */
    public abstract float dotScalar(int row, float[] x, int xOff);

    /** {@code y[yOff + r] = W[r]·x} for rows {@code r} in {@code [rowFrom, rowTo)}. */
    public void matvec(float[] x, int xOff, float[] y, int yOff, int rowFrom, int rowTo) {
        Objects.checkFromToIndex(rowFrom, rowTo, rows);
        for (int r = rowFrom; r < rowTo; r++) {
            y[yOff + r] = dot(r, x, xOff);
        }
    }

    /** {@code y = W·x} over all rows. */
    public final void matvec(float[] x, float[] y) {
        matvec(x, 0, y, 0, 0, rows);
    }

    /**
     * For {@code tokens} input rows of {@code x} (row t at {@code t*xStride}) writes
     * {@code y[t*yStride + r] = W[r]·x[t]} for rows {@code r} in {@code [rowFrom, rowTo)}.
     */
    public void matmul(float[] x, int xStride, float[] y, int yStride, int tokens, int rowFrom, int rowTo) {
        Objects.checkFromToIndex(rowFrom, rowTo, rows);
        for (int r = rowFrom; r < rowTo; r++) {
            for (int t = 0; t < tokens; t++) {
                y[t * yStride + r] = dot(r, x, t * xStride);
            }
        }
    }
}
