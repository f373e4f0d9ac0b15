package dev.granitej.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Converts a weight matrix to ggml's {@code Q8_0} or {@code Q4_0} with ggml's reference rounding
 * ({@code quantize_row_q8_0_ref}, {@code quantize_row_q4_0_ref}), so a checkpoint quantized here holds the
 * same bytes llama-quantize would write for the same fp32 values.
 */
public final class Quantizer {

    private static final ValueLayout.OfShort I16_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Quantizer() {
    }

    /**
     * Quantizes {@code source} row by row into memory from {@code arena}.
     *
     * @throws IllegalArgumentException if {@code target} is not a block format, the row length is not a
     *                                  multiple of 32, or a weight is not finite
     */
    public static WeightMatrix quantize(WeightMatrix source, WeightFormat target, Arena arena) {
        checkArguments(source, target, arena);
        int rows = source.rows();
        int cols = source.cols();
        long rowBytes = target.bytesFor(cols);
        MemorySegment out = arena.allocate(rowBytes * rows, 64);
        quantizeRows(source, 0, rows, target, out, 0);
        return WeightMatrix.of(target, out, rows, cols);
    }

    private static void checkArguments(WeightMatrix source, WeightFormat target, Arena arena) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(arena, "arena");
        if (!target.isBlockQuantized()) {
            throw new IllegalArgumentException("quantize target must be Q8_0 or Q4_0, was " + target);
        }
        if (source.cols() % WeightFormat.BLOCK != 0) {
            throw new IllegalArgumentException("cannot quantize a " + source.rows() + "x" + source.cols()
                    + " matrix to " + target + ": row length " + source.cols() + " is not a multiple of "
                    + WeightFormat.BLOCK);
        }
    }

    /**
     * {@link #quantize}, laid out for the fastest decode ({@link WeightMatrix#ofRepacked}): rows interleaved by
     * groups ({@link RowGroupMatrix}), quantized a group of rows at a time straight into that layout. The values are
     * the same.
     */
    public static WeightMatrix quantizeRepacked(WeightMatrix source, WeightFormat target, Arena arena) {
        checkArguments(source, target, arena);
        int rows = source.rows();
        int cols = source.cols();
        int group = RowGroupMatrix.GROUP;
        long rowBytes = target.bytesFor(cols);
        MemorySegment out = arena.allocate(rowBytes * rows, 64);
        MemorySegment groupRows = MemorySegment.ofArray(new byte[(int) (group * rowBytes)]);
        int full = rows / group;
        for (int g = 0; g < full; g++) {
            quantizeRows(source, g * group, group, target, groupRows, 0);
            RowGroupMatrix.packGroup(target, groupRows, cols, out, g * group * rowBytes);
        }
        quantizeRows(source, full * group, rows - full * group, target, out, full * group * rowBytes);
        return WeightMatrix.ofRepacked(target, out, rows, cols);
    }

    /** Quantizes rows {@code [first, first + count)} of {@code source} to ggml rows at {@code out[at..]}. */
    private static void quantizeRows(WeightMatrix source, int first, int count, WeightFormat target,
                                     MemorySegment out, long at) {
        int cols = source.cols();
        long rowBytes = target.bytesFor(cols);
        float[] row = new float[cols];
        for (int k = 0; k < count; k++) {
            int r = first + k;
            source.readRow(r, row, 0);
            long rowAt = at + k * rowBytes;
            for (int blk = 0; blk < cols / WeightFormat.BLOCK; blk++) {
                int from = blk * WeightFormat.BLOCK;
                checkFinite(row, from, r);
                if (target == WeightFormat.Q8_0) {
                    quantizeQ8Block(row, from, out, rowAt + (long) blk * Q8Matrix.BLOCK_BYTES);
                } else {
                    quantizeQ4Block(row, from, out, rowAt + (long) blk * Q4Matrix.BLOCK_BYTES);
                }
            }
        }
    }

    /** {@code d = amax/127}, {@code q = roundf(x/d)} (half away from zero, as C's {@code roundf}). */
    static void quantizeQ8Block(float[] x, int from, MemorySegment out, long at) {
        float amax = 0f;
        for (int j = 0; j < WeightFormat.BLOCK; j++) {
            amax = Math.max(amax, Math.abs(x[from + j]));
        }
        float d = amax / 127f;
        float id = d != 0f ? 1f / d : 0f;
        out.set(I16_LE, at, Float.floatToFloat16(d));
        for (int j = 0; j < WeightFormat.BLOCK; j++) {
            out.set(ValueLayout.JAVA_BYTE, at + 2 + j, (byte) roundHalfAway(x[from + j] * id));
        }
    }

    /**
     * {@code d = max/−8} where {@code max} is the weight of largest magnitude (sign kept),
     * {@code q = min(15, (int)(x/d + 8.5))}; weight j goes to the low nibble of byte j, weight 16+j to the high.
     */
    static void quantizeQ4Block(float[] x, int from, MemorySegment out, long at) {
        float amax = 0f;
        float max = 0f;
        for (int j = 0; j < WeightFormat.BLOCK; j++) {
            float v = x[from + j];
            if (amax < Math.abs(v)) {
                amax = Math.abs(v);
                max = v;
            }
        }
        float d = max / -8f;
        float id = d != 0f ? 1f / d : 0f;
        out.set(I16_LE, at, Float.floatToFloat16(d));
        int half = WeightFormat.BLOCK / 2;
        for (int j = 0; j < half; j++) {
            int lo = Math.min(15, (int) (x[from + j] * id + 8.5f));
            int hi = Math.min(15, (int) (x[from + half + j] * id + 8.5f));
            out.set(ValueLayout.JAVA_BYTE, at + 2 + j, (byte) (lo | (hi << 4)));
        }
    }

    /** C's {@code roundf}: halfway cases away from zero (Java's {@link Math#round} rounds them up). */
    static int roundHalfAway(float v) {
        return (int) Math.copySign(Math.floor(Math.abs((double) v) + 0.5), v);
    }

    private static void checkFinite(float[] row, int from, int r) {
        for (int j = from; j < from + WeightFormat.BLOCK; j++) {
            if (!Float.isFinite(row[j])) {
                throw new IllegalArgumentException("cannot quantize non-finite weight " + row[j] + " at row " + r
                        + ", column " + j);
            }
        }
    }
}
