package dev.granitej.kernels;

import static dev.granitej.kernels.Simd.F;
import static dev.granitej.kernels.Simd.LANES;
import static dev.granitej.kernels.Simd.PAIRS;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * A block-quantized matrix ({@code Q4_0}, {@code Q8_0}) repacked for decode: ggml's blocks (see {@link Q4Matrix},
 * {@link Q8Matrix}), laid out so that one vector holds the same weight of many rows. Rows come in groups of
 * {@value #GROUP}; block {@code b} of group {@code g} is 32 ggml blocks' bytes at {@code (g·blocks + b)} times
 * that size: the group's 32 fp16 scales, then for each byte {@code j} of a ggml block's data its 32 rows' byte
 * {@code j}. The last {@code rows % 32} rows follow the groups as plain ggml rows. The size is ggml's.
 *
 * <p>Why: in ggml's layout a row's dot product ends each block with a scale to widen, broadcast and apply, and
 * each row with a horizontal sum; here the lanes are rows, so a block's scales are one vector, the activations are
 * broadcast once for all the rows, and a group's results are stored as they are (decode's integer kernels leave
 * each pass's even rows, then its odd, and {@link #interleave} puts them in order once per group and token). One
 * thread reads 8512×2048 Q4_0 matrices 1.2-1.45x as fast from memory as with the four-row ggml kernel, 1.6x from
 * cache (granite-bench README, section 5.0). Prefill decodes a whole group at a time, as it is stored (lanes are
 * rows), and runs its own outer-product tiles over it ({@link #matmulGroups}): rows decoded one by one
 * ({@link #decodeRow}, whose bytes lie 32 apart here) made an h-1b prefill 0.88x as fast.
 *
 * <p>Decode multiplies in integers, as llama.cpp does: each token's activations are quantized once per product
 * to 8 bits per block of 32 ({@link Activations}: {@code x ≈ dx·xq}, {@code |xq| ≤ 127}), a row's block sum
 * {@code c} over the weights' integers is exact, and then, per block in order, {@code acc = fma(c, d·dx, acc)}.
 * The integer sums do not depend on their order, and {@link #dotVector} computes the same sequence in scalar code
 * ({@link #laneDot}), so every decode path (one token, a few, one row, a partial group, any thread count) gives
 * each row the same bits. Products over a vector of tokens or more (prefill) give each (row, token)
 * {@link PanelMatmul}'s chain over the float weights instead, whatever the range or thread split, and so does
 * {@link #dotScalar}, the plain product of the stored weights. Scales are widened exactly for finite values (the
 * quantizer writes no others).
 */
public abstract sealed class RowGroupMatrix extends WeightMatrix permits Q4PackedMatrix, Q8PackedMatrix {

    /** Rows per group. */
    public static final int GROUP = 32;
    /** Bytes of a group block's scales, before its data bytes. */
    static final int SCALE_BYTES = 2 * GROUP;
    /** Rows of a group that a decode kernel sums in one vector of shorts: two float vectors. */
    static final int PASS_ROWS = 2 * LANES;
    /** Shorts of the float vectors' width: {@link #PASS_ROWS} rows' sums. */
    static final VectorSpecies<Short> SUMS = VectorSpecies.of(short.class, F.vectorShape());
    /** Bytes with one lane per row of a pass: one load of {@link #PASS_ROWS} rows' byte. */
    static final VectorSpecies<Byte> PASS_BYTES = VectorSpecies.of(byte.class,
            VectorShape.forBitSize(F.vectorBitSize() / 2));

    /**
     * Groups side by side in a single token's product: streams through memory. On a Zen 2 core (AVX2) h-1b decodes
     * on 1 thread at 8.3-8.4 t/s with three in Q4_0, 8.1-8.3 with two or four, 6.6-7.5 with six or eight (their rows
     * lie a multiple of 4 KiB apart, so they share L1 sets).
     */
    static final int STREAMS = 3;

    /** A pass's even rows' results (lanes {@code 0..}) and odd rows' (after them) back in row order: the low half. */
    private static final VectorShuffle<Float> ZIP_LOW = VectorShuffle.fromOp(F,
            m -> m % 2 == 0 ? m / 2 : m / 2 - LANES);
    /** The high half of {@link #ZIP_LOW}. */
    private static final VectorShuffle<Float> ZIP_HIGH = VectorShuffle.fromOp(F,
            m -> m % 2 == 0 ? LANES / 2 + m / 2 : LANES / 2 + m / 2 - LANES);

    final int blocks;
    final int groupRows;
    /** Bytes of one block of a group: 32 scales and 32 rows' data bytes. */
    final long groupBlockBytes;
    final long groupBytes;
    /** The last {@code rows % GROUP} rows, in ggml's layout; null when there are none. */
    final WeightMatrix tail;

    RowGroupMatrix(MemorySegment data, int rows, int cols) {
        super(data, rows, cols);
        this.blocks = cols / WeightFormat.BLOCK;
        this.groupRows = rows / GROUP * GROUP;
        this.groupBlockBytes = groupBlockBytes(format());
        this.groupBytes = blocks * groupBlockBytes;
        this.tail = groupRows == rows ? null
                : WeightMatrix.of(format(), this.data.asSlice(groupRows / GROUP * groupBytes), rows - groupRows, cols);
    }

    /** Bytes of one block of a group in {@code format}: {@link #groupBlockBytes}, and the kernels' constant. */
    static long groupBlockBytes(WeightFormat format) {
        return GROUP * format.bytesFor(WeightFormat.BLOCK);
    }

    /**
     * Repacks {@code rows} ggml rows of {@code src} (row r at {@code r·rowBytes}) in {@code format} into a new
     * segment of {@code arena}.
     */
    static WeightMatrix pack(WeightFormat format, MemorySegment src, int rows, int cols, Arena arena) {
        long rowBytes = format.bytesFor(cols);
        MemorySegment out = arena.allocate(rowBytes * rows, 64);
        int full = rows / GROUP;
        for (int g = 0; g < full; g++) {
            packGroup(format, src.asSlice(g * GROUP * rowBytes, GROUP * rowBytes), cols, out, g * GROUP * rowBytes);
        }
        long tailAt = full * GROUP * rowBytes;
        MemorySegment.copy(src, tailAt, out, tailAt, (rows - full * GROUP) * rowBytes);
        return WeightMatrix.ofRepacked(format, out, rows, cols);
    }

    /** Writes the {@value #GROUP} ggml rows of {@code src} in {@code format} as one group at {@code out[at..]}. */
    static void packGroup(WeightFormat format, MemorySegment src, int cols, MemorySegment out, long at) {
        long rowBytes = format.bytesFor(cols);
        long blockBytes = format.bytesFor(WeightFormat.BLOCK);
        for (int b = 0; b < cols / WeightFormat.BLOCK; b++) {
            long o = at + b * GROUP * blockBytes;
            for (int r = 0; r < GROUP; r++) {
                long s = r * rowBytes + b * blockBytes;
                out.set(I16_LE, o + 2L * r, src.get(I16_LE, s));
                for (int j = 0; j < blockBytes - 2; j++) {
                    out.set(ValueLayout.JAVA_BYTE, o + SCALE_BYTES + (long) j * GROUP + r,
                            src.get(ValueLayout.JAVA_BYTE, s + 2 + j));
                }
            }
        }
    }

    @Override
    int rowAlignment() {
        return GROUP;
    }

    /** Where {@code row}'s block {@code blk} starts: its group block (the row's scale and bytes lie within it). */
    final long groupBlock(int row, int blk) {
        return (row / GROUP * (long) blocks + blk) * groupBlockBytes;
    }

    /** The data byte {@code j} of a row's block, the row at {@code lane} of the group block at {@code groupBlock}. */
    final byte dataByte(long groupBlock, int lane, int j) {
        return data.get(ValueLayout.JAVA_BYTE, groupBlock + SCALE_BYTES + (long) j * GROUP + lane);
    }

    /** The scale of a row's block, the row at {@code lane} of the group block at {@code groupBlock}. */
    final float scale(long groupBlock, int lane) {
        return Float.float16ToFloat(data.get(I16_LE, groupBlock + 2L * lane));
    }

    @Override
    public final float get(int row, int col) {
        if (row >= groupRows) {
            return tail.get(row - groupRows, col);
        }
        long at = groupBlock(row, col / WeightFormat.BLOCK);
        return scale(at, row % GROUP) * quant(at, row % GROUP, col % WeightFormat.BLOCK);
    }

    /**
     * The integer of weight {@code j} of a row's block ({@code q}, {@code w = d·q}), the row at {@code lane} of the
     * group block at {@code groupBlock}.
     */
    abstract int quant(long groupBlock, int lane, int j);

    /** As the ggml format's {@code dotScalar}: the same products in the same order. */
    @Override
    public final float dotScalar(int row, float[] x, int xOff) {
        if (row >= groupRows) {
            return tail.dotScalar(row - groupRows, x, xOff);
        }
        int lane = row % GROUP;
        float sum = 0f;
        for (int blk = 0, xb = xOff; blk < blocks; blk++, xb += WeightFormat.BLOCK) {
            long at = groupBlock(row, blk);
            sum += scale(at, lane) * blockDot(at, lane, x, xb);
        }
        return sum;
    }

    /** The ggml format's float sum of one block's products, before its scale. */
    abstract float blockDot(long groupBlock, int lane, float[] x, int xb);

    /** Dequantizes {@code d·q} per weight, as {@link #get}. */
    @Override
    final void decodeRow(int row, float[] dst, int dstOff) {
        if (row >= groupRows) {
            if (PAIRS) {
                tail.readRow(row - groupRows, dst, dstOff);
            } else {
                tail.decodeRow(row - groupRows, dst, dstOff);
            }
            return;
        }
        int lane = row % GROUP;
        for (int blk = 0; blk < blocks; blk++) {
            long at = groupBlock(row, blk);
            float d = scale(at, lane);
            for (int j = 0; j < WeightFormat.BLOCK; j++) {
                dst[dstOff + blk * WeightFormat.BLOCK + j] = d * quant(at, lane, j);
            }
        }
    }

    /**
     * One lane of the decode kernels in scalar code (see the class comment): the same bits. The ggml rows after the
     * groups get the same sequence, in scalar code too: with ggml's vector kernel, called a few times per product,
     * they ran in C1's code (slow for the Vector API) long after start-up, and a second kind of segment in the
     * kernels (a padded copy of them on the heap) made every product 2x slower.
     */
    @Override
    final float dotVector(int row, float[] x, int xOff) {
        return laneDot(row, Activations.of(x, xOff, cols));
    }

    /** {@link #dotVector} of the token {@code a}. */
    final float laneDot(int row, Activations a) {
        if (row >= groupRows) {
            long at = groupRows / GROUP * groupBytes + (row - groupRows) * rowBytes;
            return laneDot(at, format().bytesFor(WeightFormat.BLOCK), 0, 2, 1, a);
        }
        int lane = row % GROUP;
        return laneDot(row / GROUP * groupBytes, groupBlockBytes, 2 * lane, SCALE_BYTES + lane, GROUP, a);
    }

    /**
     * The lane sequence over blocks {@code blockStep} bytes apart from {@code first}: a block's scale at
     * {@code scaleOff}, its data byte j at {@code byteOff + j·byteStride}; per block the exact integer sum
     * {@code c}, then {@code acc = fma(c, d·dx, acc)} with {@code d} widened as the kernels widen it.
     */
    final float laneDot(long first, long blockStep, int scaleOff, int byteOff, int byteStride, Activations a) {
        float acc = 0f;
        for (int blk = 0; blk < blocks; blk++) {
            long at = first + blk * blockStep;
            int c = blockSum(at + byteOff, byteStride, a, blk);
            int h = data.get(I16_LE, at + scaleOff);
            float d = Float.intBitsToFloat((h << 16 & 0x8000_0000) | (h & 0x7fff) << 13) * HalfFloats.REBIAS;
            acc = Math.fma((float) c, d * a.scale[blk], acc);
        }
        return acc;
    }

    /**
     * A row's exact integer sum over block {@code blk} against {@code a}: its data byte j at
     * {@code at + j·byteStride}.
     */
    abstract int blockSum(long at, int byteStride, Activations a, int blk);

    /**
     * A token's activations as 8-bit integers per block of 32, as llama.cpp's {@code Q8_0}: {@code dx = max|x|/127},
     * {@code xq = rint(x/dx)} (so {@code |x − dx·xq| ≤ dx/2}), and {@code offset = −8·Σxq}, the {@code − 8} of every
     * weight of the block. A block with a non-finite activation gets {@code dx = NaN}, so the rows' results are NaN
     * as a float product's would be; a block whose largest magnitude is below {@code 127·2⁻¹²⁶} counts as zeros.
     * Taken once per token and product (scalar code: the same values in every compiler tier). {@link #coef} and
     * {@link #offset} serve {@code Q4_0}'s kernels.
     */
    static final class Activations {
        private static final int HALF = WeightFormat.BLOCK / 2;

        final short[] q;
        /**
         * The factors the vector kernels multiply a whole nibble byte {@code p = lo + 16·hi} and its high nibble by:
         * per block, {@code q[j]} for {@code p} and {@code q[16+j] − 16·q[j]} for {@code hi}, since
         * {@code p·q[j] + hi·(q[16+j] − 16·q[j]) = lo·q[j] + hi·q[16+j]}. The low nibble needs no mask then (one
         * instruction fewer for every 16 rows and 2 weights: 1.05-1.1x on AVX2).
         */
        final short[] coef;
        final float[] scale;
        final short[] offset;
        /**
         * The factors one format's single-token kernel multiplies by ({@link #q} or {@link #coef}), each repeated
         * over a vector of shorts ({@link #SUMS}), so that the kernel loads it (an operand of the multiply) rather
         * than broadcasting it: on a Zen 2 core (AVX2) a broadcast from memory costs two operations in a loop that
         * is bound by them. Filled by {@link #widen} before the threads fork; empty until the first call.
         */
        private short[] wide = new short[0];
        /** The array {@link #wide} repeats, null when it is stale (after {@link #quantize}). */
        private short[] wideOf;

        /** Room for rows of up to {@code cols} columns (the products index it by block from 0). */
        Activations(int cols) {
            q = new short[cols];
            coef = new short[cols];
            scale = new float[cols / WeightFormat.BLOCK];
            offset = new short[cols / WeightFormat.BLOCK];
        }

        /** The longest rows these arrays hold. */
        int columns() {
            return q.length;
        }

        /** {@code x[xOff .. xOff + cols)} quantized into new arrays. */
        static Activations of(float[] x, int xOff, int cols) {
            return new Activations(cols).quantize(x, xOff, cols);
        }

        /** {@code x[xOff .. xOff + cols)} quantized into these arrays ({@code cols ≤ columns()}); returns this. */
        Activations quantize(float[] x, int xOff, int cols) {
            for (int blk = 0; blk < cols / WeightFormat.BLOCK; blk++) {
                int xb = xOff + blk * WeightFormat.BLOCK;
                float max = blockMax(x, xb);
                float dx = blockScale(max);
                float inverse = dx > 0f ? 1f / dx : 0f;
                int sum = 0;
                for (int i = 0; i < WeightFormat.BLOCK; i++) {
                    // to nearest, ties to even (Math.rint, one instruction; Math.round's ties up cost 1.65x)
                    int v = (int) Math.rint(x[xb + i] * inverse);
                    q[blk * WeightFormat.BLOCK + i] = (short) v;
                    sum += v;
                }
                for (int j = blk * WeightFormat.BLOCK; j < blk * WeightFormat.BLOCK + HALF; j++) {
                    coef[j] = q[j];
                    coef[j + HALF] = (short) (q[j + HALF] - 16 * q[j]);
                }
                scale[blk] = Float.isFinite(max) ? dx : Float.NaN;
                offset[blk] = (short) (-8 * sum);
            }
            wideOf = null;
            return this;
        }

        /**
         * Repeats {@code factors[0 .. cols)} ({@link #q} or {@link #coef}) over {@link #wide}, each over a vector of
         * {@link #SUMS}; allocates only when the columns outgrow the array. Returns this.
         */
        Activations widen(short[] factors, int cols) {
            int lanes = SUMS.length();
            if (wide.length < cols * lanes) {
                wide = new short[cols * lanes];
            }
            for (int c = 0; c < cols; c++) {
                ShortVector.broadcast(SUMS, factors[c]).intoArray(wide, c * lanes);
            }
            wideOf = factors;
            return this;
        }

        /**
         * {@link #wide} as {@link #widen} left it from {@code factors}; an {@link IllegalStateException} if it was
         * widened from another array or before the last {@link #quantize} (a kernel would read stale factors).
         */
        short[] wide(short[] factors) {
            if (wideOf != factors) {
                throw new IllegalStateException("activations not widened for this kernel since they were quantized");
            }
            return wide;
        }

        /**
         * {@code ‖x − dx·xq‖₂} over {@code x[xOff .. xOff + cols)}: how far {@link #quantize} rounds the token,
         * computed as it rounds it, without storing it.
         */
        static double roundingNorm(float[] x, int xOff, int cols) {
            double squares = 0;
            for (int blk = 0; blk < cols / WeightFormat.BLOCK; blk++) {
                int xb = xOff + blk * WeightFormat.BLOCK;
                float dx = blockScale(blockMax(x, xb));
                float inverse = dx > 0f ? 1f / dx : 0f;
                for (int i = 0; i < WeightFormat.BLOCK; i++) {
                    double e = x[xb + i] - (double) dx * Math.rint(x[xb + i] * inverse);
                    squares += e * e;
                }
            }
            return Math.sqrt(squares);
        }

        private static float blockMax(float[] x, int xb) {
            float max = 0f;
            for (int i = 0; i < WeightFormat.BLOCK; i++) {
                max = Math.max(max, Math.abs(x[xb + i]));
            }
            return max;
        }

        /** {@code dx} of a block whose largest magnitude is {@code max}. */
        private static float blockScale(float max) {
            float dx = max / 127f;
            // a subnormal dx rounds coarsely (|xq| could pass 127) and its inverse may overflow: a block this small
            // (|x| < 1.5e-36) counts as zero
            return dx < Float.MIN_NORMAL ? 0f : dx;
        }
    }

    /**
     * {@code y[yOff + r] = dotVector(r, x)} for rows {@code [from, to)} of the token {@code a}: the whole groups in
     * streams ({@link #groupsInStreams}) or in pairs ({@link #groupsInPairs}) as {@link #inStreams} says, the rows
     * outside them by {@link #laneDot}. {@code a} must be widened ({@link #decodeActivations}).
     */
    final void rowsVector(Activations a, float[] y, int yOff, int from, int to) {
        rowsVector(a, y, yOff, from, to, inStreams());
    }

    /** {@link #rowsVector} with the whole groups in streams or in pairs, as {@code streams} says (tests run both). */
    void rowsVector(Activations a, float[] y, int yOff, int from, int to, boolean streams) {
        int end = Math.min(to, groupRows);
        int first = Math.min(end, (from + GROUP - 1) / GROUP * GROUP);
        int last = first + (end - first) / GROUP * GROUP;
        for (int r = from; r < first; r++) {
            y[yOff + r] = laneDot(r, a);
        }
        if (streams) {
            groupsInStreams(a, y, yOff, first, last);
        } else {
            groupsInPairs(a, y, yOff, first, last);
        }
        for (int r = Math.max(from, last); r < to; r++) {
            y[yOff + r] = laneDot(r, a);
        }
    }

    /**
     * The whole groups of rows {@code [first, last)} in {@link #STREAMS} parts side by side ({@link #passGroups}),
     * those left over side by side too.
     */
    final void groupsInStreams(Activations a, float[] y, int yOff, int first, int last) {
        int part = (last - first) / GROUP / STREAMS;
        for (int g = 0; g < part; g++) {
            int r0 = first + g * GROUP;
            passGroups(r0 / GROUP * groupBytes, part * groupBytes, STREAMS, a, y, yOff + r0, part * GROUP);
        }
        int r = first + STREAMS * part * GROUP;
        if (r < last) {
            passGroups(r / GROUP * groupBytes, groupBytes, (last - r) / GROUP, a, y, yOff + r, GROUP);
        }
    }


    /** A group's results, each pass's window holding its even rows then its odd, put back in row order. */
    static void interleave(float[] y, int y0) {
        for (int lane0 = 0; lane0 < GROUP; lane0 += PASS_ROWS) {
            int yo = y0 + lane0;
            FloatVector even = FloatVector.fromArray(F, y, yo);
            FloatVector odd = FloatVector.fromArray(F, y, yo + LANES);
            even.rearrange(ZIP_LOW, odd).intoArray(y, yo);
            even.rearrange(ZIP_HIGH, odd).intoArray(y, yo + LANES);
        }
    }

    /** Whether {@link #rowsVector} runs whole groups in streams, as by default, or in pairs. */
    boolean inStreams() {
        return true;
    }

    /**
     * The whole groups of rows {@code [first, last)} two at a time, for formats with a kernel for that; the default
     * runs them in streams.
     */
    void groupsInPairs(Activations a, float[] y, int yOff, int first, int last) {
        groupsInStreams(a, y, yOff, first, last);
    }

    /**
     * The {@code groups} groups at {@code groupAt0}, {@code groupAt0 + stride}, … against the token {@code a}, the
     * rows of group {@code k} into {@code y[y0 + k·yStride ..]}, each row's bits those of {@link #laneDot}:
     * {@link #sumGroups}, then each group's rows put back in order.
     */
    final void passGroups(long groupAt0, long stride, int groups, Activations a, float[] y, int y0, int yStride) {
        sumGroups(groupAt0, stride, groups, a, y, y0, yStride);
        for (int k = 0; k < groups; k++) {
            interleave(y, y0 + k * yStride);
        }
    }

    /**
     * {@link #passGroups} but for the order of the results: each pass's window holds its even rows, then its odd. A
     * method of its own, too big for C2 to inline into {@code passGroups}: the two-vector shuffles that put the rows
     * back in order count type-check traps of their own, and in the kernel they took it past the limit (its compile
     * then made them virtual calls).
     */
    abstract void sumGroups(long groupAt0, long stride, int groups, Activations a, float[] y, int y0, int yStride);

    /**
     * Quantizes {@code x} into new arrays at each call; the model's products go through {@link #matmulExact} with a
     * {@link MatmulScratch} instead, which quantizes once per product and allocates nothing.
     */
    @Override
    public void matvec(float[] x, int xOff, float[] y, int yOff, int rowFrom, int rowTo) {
        Objects.checkFromToIndex(rowFrom, rowTo, rows);
        if (!Kernels.VECTOR) {
            super.matvec(x, xOff, y, yOff, rowFrom, rowTo);
        } else if (rowFrom < rowTo) {
            rowsVector(decodeActivations(x, xOff), y, yOff, rowFrom, rowTo);
        }
    }

    /**
     * Tokens over chunks of groups that stay in L2 while all the tokens pass (the weights come from memory once),
     * each token's activations quantized once, into {@code scratch}, for all the chunks: each value is the
     * one-token result.
     */
    @Override
    void exactRange(float[] x, int xStride, float[] y, int yStride, int tokens, int rowFrom, int rowTo,
                    MatmulScratch scratch) {
        if (!Kernels.VECTOR) {
            matmulScalar(x, xStride, y, yStride, tokens, rowFrom, rowTo);
        } else if (rowFrom < rowTo) {
            exactRows(quantized(x, 0, xStride, tokens, scratch), y, yStride, tokens, rowFrom, rowTo);
        }
    }

    /** {@link #matmulExact} over the threads, the activations quantized once before they fork. */
    @Override
    void exactOverRows(Parallel pool, float[] x, int xStride, float[] y, int yStride, int tokens,
                       MatmulScratch scratch) {
        if (!Kernels.VECTOR) {
            super.exactOverRows(pool, x, xStride, y, yStride, tokens, scratch);
            return;
        }
        forRows(pool, scratch.exactTask(), x, xStride, y, yStride, tokens, quantized(x, 0, xStride, tokens, scratch));
    }

    /** The quantized tokens' rows; without them (scalar mode) the float rows as every format's. */
    @Override
    void exactChunk(ExactTask task, int chunk, int from, int to) {
        if (task.activations == null) {
            super.exactChunk(task, chunk, from, to);
        } else if (task.matvec) {
            rowsVector(task.activations[0], task.y, task.yOff, from, to);
        } else {
            exactRows(task.activations, task.y, task.yStride, task.tokens, from, to);
        }
    }

    /** The token quantized once into {@code scratch}, shared by the chunks (none in scalar mode). */
    @Override
    Activations[] matvecActivations(float[] x, int xOff, MatmulScratch scratch) {
        return Kernels.VECTOR ? quantized(x, xOff, 0, 1, scratch) : null;
    }

    /** The 8-bit blocks of {@link Activations} in vector mode; floats as they are in scalar mode. */
    @Override
    public double inputRounding(float[] x, int xOff) {
        Objects.checkFromIndexSize(xOff, cols, x.length);
        return Kernels.VECTOR ? Activations.roundingNorm(x, xOff, cols) : 0;
    }

    /**
     * The {@code tokens} rows of {@code x} (row t at {@code xOff + t·xStride}) quantized into {@code scratch}, the
     * last widened for {@link #sumGroups} when {@link #exactRows} runs it alone (an odd count). Only that one: the
     * kernels for several tokens broadcast their factors, since every token's widened copy (32 bytes a column) is
     * read again for each chunk of rows, and sixteen of them do not stay in L2 (h-1b, 16 Q8_0 sessions on a Zen 2
     * core: 17.6 against 19.3 t/s with all widened).
     */
    private Activations[] quantized(float[] x, int xOff, int xStride, int tokens, MatmulScratch scratch) {
        Activations[] a = scratch.activations(tokens, cols);
        for (int t = 0; t < tokens; t++) {
            a[t].quantize(x, xOff + t * xStride, cols);
        }
        if (tokens % 2 == 1) {
            widened(a[tokens - 1]);
        }
        return a;
    }

    /** {@code x[xOff .. xOff + cols)} quantized into new arrays and widened: ready for {@link #rowsVector}. */
    final Activations decodeActivations(float[] x, int xOff) {
        return widened(Activations.of(x, xOff, cols));
    }

    /** {@code a} with this format's {@link #factors} widened over this matrix's columns; returns it. */
    private Activations widened(Activations a) {
        return a.widen(factors(a), cols);
    }

    /**
     * The factors of {@code a} that {@link #sumGroups} multiplies by ({@link Activations#q} or
     * {@link Activations#coef}): {@link Activations#widen} repeats them, and the kernel reads them back by this.
     */
    abstract short[] factors(Activations a);

    /** Rows {@code [rowFrom, rowTo)} of {@link #matmulExact} against the quantized tokens {@code a}. */
    private void exactRows(Activations[] a, float[] y, int yStride, int tokens, int rowFrom, int rowTo) {
        if (tokens == 1) {
            // nothing to reuse across tokens: the whole range at once keeps rowsVector's streams a third or half of
            // the range apart (within a chunk they were a group apart, or one alone: 4096 columns make a chunk one
            // group)
            rowsVector(a[0], y, 0, rowFrom, rowTo);
            return;
        }
        int chunk = (int) Math.max(GROUP, EXACT_CHUNK_BYTES / rowBytes / GROUP * GROUP);
        for (int r0 = rowFrom; r0 < rowTo; r0 += chunk) {
            int r1 = Math.min(rowTo, r0 + chunk);
            int t = 0;
            for (; t + 4 <= tokens; t += 4) {
                tokenRun(a, t, 4, y, yStride, r0, r1);
            }
            for (; t + 2 <= tokens; t += 2) {
                tokenRun(a, t, 2, y, yStride, r0, r1);
            }
            if (t < tokens) {
                rowsVector(a[t], y, t * yStride, r0, r1);
            }
        }
    }

    /** Below a vector of tokens: the integer kernels beat a float tile there. */
    @Override
    boolean matmulIsExact(int tokens) {
        return tokens < LANES;
    }

    /** Below a vector of tokens as {@link #matmulExact}; from there on {@link #matmulGroups}. */
    @Override
    public void matmul(float[] x, int xStride, float[] y, int yStride, int tokens, int rowFrom, int rowTo) {
        if (!Kernels.VECTOR) {
            super.matmul(x, xStride, y, yStride, tokens, rowFrom, rowTo);
        } else if (matmulIsExact(tokens)) {
            matmulExact(x, xStride, y, yStride, tokens, rowFrom, rowTo);
        } else {
            Objects.checkFromToIndex(rowFrom, rowTo, rows);
            matmulGroups(x, xStride, y, yStride, tokens, rowFrom, rowTo, null, 0);
        }
    }

    /**
     * Per chunk a decoded group ({@link #decodeGroup}); where rows outside whole groups remain, room for their
     * panels too, and the tokens laid out for them once ({@link PanelMatmul#transpose}).
     */
    @Override
    void prepareRows(float[] x, int xStride, int tokens, MatmulScratch scratch, int chunks) {
        if (groupRows == rows) {
            scratch.reserve(chunks, groupFloats(), 0);
            return;
        }
        scratch.reserve(chunks, Math.max(groupFloats(), PanelMatmul.ROWS * PanelMatmul.panelStride(cols)),
                accumulatorFloats(tokens));
        PanelMatmul.transpose(x, xStride, tokens, cols, scratch.transposed(PanelMatmul.transposedSize(tokens, cols)));
    }

    @Override
    void matmulRows(float[] x, int xStride, float[] y, int yStride, int tokens, int rowFrom, int rowTo,
                    MatmulScratch scratch, int chunk) {
        matmulGroups(x, xStride, y, yStride, tokens, rowFrom, rowTo, scratch, chunk);
    }

    /** Floats of a group decoded by {@link #decodeGroup}. */
    final int groupFloats() {
        return cols * GROUP;
    }


    /**
     * {@link #rowsVector} for the {@code n} tokens {@code a[t .. t + n)} (2 or 4; token {@code t + k}'s results at
     * {@code y[(t + k)·yStride ..]}): whole groups by {@link #pairGroup} or {@link #quadGroup}, the rows outside them
     * token by token.
     */
    private void tokenRun(Activations[] a, int t, int n, float[] y, int yStride, int from, int to) {
        int end = Math.min(to, groupRows);
        int first = Math.min(end, (from + GROUP - 1) / GROUP * GROUP);
        int last = first + (end - first) / GROUP * GROUP;
        for (int k = 0; k < n; k++) {
            rowsVector(a[t + k], y, (t + k) * yStride, from, first);
        }
        for (int r = first; r < last; r += GROUP) {
            long groupAt = r / GROUP * groupBytes;
            if (n == 4) {
                quadGroup(groupAt, a, t, y, t * yStride + r, yStride);
            } else {
                pairGroup(groupAt, a, t, y, t * yStride + r, yStride);
            }
        }
        for (int k = 0; k < n; k++) {
            rowsVector(a[t + k], y, (t + k) * yStride, Math.max(from, last), to);
        }
    }

    /**
     * The group at {@code groupAt} against the tokens {@code a[t]} and {@code a[t + 1]}, its rows into
     * {@code y[y0 ..]} and {@code y[y0 + yStride ..]}: each weight vector loaded and widened once for both, each
     * row's bits those of {@link #laneDot}.
     */
    final void pairGroup(long groupAt, Activations[] a, int t, float[] y, int y0, int yStride) {
        for (int lane = 0; lane < GROUP; lane += PASS_ROWS) {
            pass2(groupAt, lane, a[t], a[t + 1], y, y0 + lane, y0 + yStride + lane);
        }
        interleave(y, y0);
        interleave(y, y0 + yStride);
    }

    /**
     * {@link #sumGroups} for two tokens, one group and {@link #PASS_ROWS} rows of it ({@code ta}, {@code tb}, each
     * window's even rows then its odd to {@code ya} and {@code yb}): each weight vector is widened once for both,
     * and each token's sums are {@code sumGroups}'s, so its results are too.
     */
    abstract void pass2(long groupAt, int lane0, Activations ta, Activations tb, float[] y, int ya, int yb);

    /** {@link #pairGroup} for the four tokens {@code a[t .. t + 4)}, the rows of token {@code t + k} at
     * {@code y[y0 + k·yStride ..]}. */
    abstract void quadGroup(long groupAt, Activations[] a, int t, float[] y, int y0, int yStride);

    /**
     * Products over a vector of tokens or more (prefill): each whole group is decoded once, column-major (lanes are
     * rows, as stored, so no transposition), into {@code w}, then run against the tokens twelve at a time by
     * {@link #tile12}; rows outside whole groups go through decoded panels ({@link #matmulPanels}). Every result
     * is the fused multiply-add chain over the columns that {@link PanelMatmul} computes, so it does not depend on
     * the row range, the thread split or the tile. Its buffers come from chunk {@code chunk} of {@code scratch}
     * readied by {@link #prepareRows}, or are allocated where {@code scratch} is null.
     */
    private void matmulGroups(float[] x, int xStride, float[] y, int yStride, int tokens, int rowFrom, int rowTo,
                              MatmulScratch scratch, int chunk) {
        if (rowFrom >= groupRows) {
            panels(x, xStride, y, yStride, tokens, rowFrom, rowTo, scratch, chunk);
            return;
        }
        int end = Math.min(rowTo, groupRows);
        int first = Math.min(end, (rowFrom + GROUP - 1) / GROUP * GROUP);
        if (rowFrom < first) {
            panels(x, xStride, y, yStride, tokens, rowFrom, first, scratch, chunk);
        }
        int r = first;
        if (r + GROUP <= end) {
            float[] w = scratch == null ? new float[groupFloats()] : scratch.panel(chunk);
            for (; r + GROUP <= end; r += GROUP) {
                decodeGroup(r / GROUP, w);
                for (int lane = 0; lane < GROUP; lane += PASS_ROWS) {
                    int t = 0;
                    // tile12's 24 accumulators need AVX-512's 32 registers; with AVX2's 16 they would spill
                    for (; t + 12 <= tokens && Simd.REGISTERS_32; t += 12) {
                        tile12(w, lane, x, t * xStride, xStride, y, t * yStride + r + lane, yStride);
                    }
                    for (; t + 4 <= tokens; t += 4) {
                        tile4(w, lane, x, t * xStride, xStride, y, t * yStride + r + lane, yStride);
                    }
                    for (; t < tokens; t++) {
                        tile1(w, lane, x, t * xStride, xStride, y, t * yStride + r + lane, yStride);
                    }
                }
            }
        }
        if (r < rowTo) {
            panels(x, xStride, y, yStride, tokens, r, rowTo, scratch, chunk);
        }
    }

    /**
     * Rows {@code [rowFrom, rowTo)} outside whole groups on decoded panels: with the tokens {@link #prepareRows}
     * laid out and chunk {@code chunk}'s buffers, or allocating them where {@code scratch} is null.
     */
    private void panels(float[] x, int xStride, float[] y, int yStride, int tokens, int rowFrom, int rowTo,
                        MatmulScratch scratch, int chunk) {
        if (scratch == null) {
            matmulPanels(x, xStride, y, yStride, tokens, rowFrom, rowTo);
        } else {
            multiplyPanels(scratch.transposed(PanelMatmul.transposedSize(tokens, cols)), tokens, y, yStride, rowFrom,
                    rowTo, scratch.panel(chunk), scratch.accumulators(chunk));
        }
    }


    /** Group {@code g} dequantized to {@code w} column-major: row k's weight of column c at {@code c·32 + k}. */
    abstract void decodeGroup(int g, float[] w);

    /**
     * 12 tokens × rows {@code lane0 ..} ({@link #PASS_ROWS}) of a group decoded column-major in {@code w} (column
     * {@code c}'s 32 rows at {@code c·32}): per column two weight vectors, each token's activation broadcast, one
     * fused multiply-add per token and vector, so each result is the chain {@code s = fma(w_c, x_c, s)} over the
     * columns from zero, as {@link PanelMatmul}'s.
     */
    private void tile12(float[] w, int lane0, float[] x, int xOff, int xStride, float[] y, int yOff, int yStride) {
        FloatVector a00 = FloatVector.zero(F);
        FloatVector a01 = a00;
        FloatVector a10 = FloatVector.zero(F);
        FloatVector a11 = a10;
        FloatVector a20 = FloatVector.zero(F);
        FloatVector a21 = a20;
        FloatVector a30 = FloatVector.zero(F);
        FloatVector a31 = a30;
        FloatVector a40 = FloatVector.zero(F);
        FloatVector a41 = a40;
        FloatVector a50 = FloatVector.zero(F);
        FloatVector a51 = a50;
        FloatVector a60 = FloatVector.zero(F);
        FloatVector a61 = a60;
        FloatVector a70 = FloatVector.zero(F);
        FloatVector a71 = a70;
        FloatVector a80 = FloatVector.zero(F);
        FloatVector a81 = a80;
        FloatVector a90 = FloatVector.zero(F);
        FloatVector a91 = a90;
        FloatVector a100 = FloatVector.zero(F);
        FloatVector a101 = a100;
        FloatVector a110 = FloatVector.zero(F);
        FloatVector a111 = a110;
        for (int c = 0; c < cols; c++) {
            FloatVector w0 = FloatVector.fromArray(F, w, c * GROUP + lane0);
            FloatVector w1 = FloatVector.fromArray(F, w, c * GROUP + lane0 + LANES);
            int xc = xOff + c;
            FloatVector xt = FloatVector.broadcast(F, x[xc]);
            a00 = w0.fma(xt, a00);
            a01 = w1.fma(xt, a01);
            xt = FloatVector.broadcast(F, x[xc + xStride]);
            a10 = w0.fma(xt, a10);
            a11 = w1.fma(xt, a11);
            xt = FloatVector.broadcast(F, x[xc + 2 * xStride]);
            a20 = w0.fma(xt, a20);
            a21 = w1.fma(xt, a21);
            xt = FloatVector.broadcast(F, x[xc + 3 * xStride]);
            a30 = w0.fma(xt, a30);
            a31 = w1.fma(xt, a31);
            xt = FloatVector.broadcast(F, x[xc + 4 * xStride]);
            a40 = w0.fma(xt, a40);
            a41 = w1.fma(xt, a41);
            xt = FloatVector.broadcast(F, x[xc + 5 * xStride]);
            a50 = w0.fma(xt, a50);
            a51 = w1.fma(xt, a51);
            xt = FloatVector.broadcast(F, x[xc + 6 * xStride]);
            a60 = w0.fma(xt, a60);
            a61 = w1.fma(xt, a61);
            xt = FloatVector.broadcast(F, x[xc + 7 * xStride]);
            a70 = w0.fma(xt, a70);
            a71 = w1.fma(xt, a71);
            xt = FloatVector.broadcast(F, x[xc + 8 * xStride]);
            a80 = w0.fma(xt, a80);
            a81 = w1.fma(xt, a81);
            xt = FloatVector.broadcast(F, x[xc + 9 * xStride]);
            a90 = w0.fma(xt, a90);
            a91 = w1.fma(xt, a91);
            xt = FloatVector.broadcast(F, x[xc + 10 * xStride]);
            a100 = w0.fma(xt, a100);
            a101 = w1.fma(xt, a101);
            xt = FloatVector.broadcast(F, x[xc + 11 * xStride]);
            a110 = w0.fma(xt, a110);
            a111 = w1.fma(xt, a111);
        }
        a00.intoArray(y, yOff);
        a01.intoArray(y, yOff + LANES);
        a10.intoArray(y, yOff + yStride);
        a11.intoArray(y, yOff + yStride + LANES);
        a20.intoArray(y, yOff + 2 * yStride);
        a21.intoArray(y, yOff + 2 * yStride + LANES);
        a30.intoArray(y, yOff + 3 * yStride);
        a31.intoArray(y, yOff + 3 * yStride + LANES);
        a40.intoArray(y, yOff + 4 * yStride);
        a41.intoArray(y, yOff + 4 * yStride + LANES);
        a50.intoArray(y, yOff + 5 * yStride);
        a51.intoArray(y, yOff + 5 * yStride + LANES);
        a60.intoArray(y, yOff + 6 * yStride);
        a61.intoArray(y, yOff + 6 * yStride + LANES);
        a70.intoArray(y, yOff + 7 * yStride);
        a71.intoArray(y, yOff + 7 * yStride + LANES);
        a80.intoArray(y, yOff + 8 * yStride);
        a81.intoArray(y, yOff + 8 * yStride + LANES);
        a90.intoArray(y, yOff + 9 * yStride);
        a91.intoArray(y, yOff + 9 * yStride + LANES);
        a100.intoArray(y, yOff + 10 * yStride);
        a101.intoArray(y, yOff + 10 * yStride + LANES);
        a110.intoArray(y, yOff + 11 * yStride);
        a111.intoArray(y, yOff + 11 * yStride + LANES);
    }

    /**
     * 4 tokens × rows {@code lane0 ..} ({@link #PASS_ROWS}) of a group decoded column-major in {@code w} (column
     * {@code c}'s 32 rows at {@code c·32}): per column two weight vectors, each token's activation broadcast, one
     * fused multiply-add per token and vector, so each result is the chain {@code s = fma(w_c, x_c, s)} over the
     * columns from zero, as {@link PanelMatmul}'s.
     */
    private void tile4(float[] w, int lane0, float[] x, int xOff, int xStride, float[] y, int yOff, int yStride) {
        FloatVector a00 = FloatVector.zero(F);
        FloatVector a01 = a00;
        FloatVector a10 = FloatVector.zero(F);
        FloatVector a11 = a10;
        FloatVector a20 = FloatVector.zero(F);
        FloatVector a21 = a20;
        FloatVector a30 = FloatVector.zero(F);
        FloatVector a31 = a30;
        for (int c = 0; c < cols; c++) {
            FloatVector w0 = FloatVector.fromArray(F, w, c * GROUP + lane0);
            FloatVector w1 = FloatVector.fromArray(F, w, c * GROUP + lane0 + LANES);
            int xc = xOff + c;
            FloatVector xt = FloatVector.broadcast(F, x[xc]);
            a00 = w0.fma(xt, a00);
            a01 = w1.fma(xt, a01);
            xt = FloatVector.broadcast(F, x[xc + xStride]);
            a10 = w0.fma(xt, a10);
            a11 = w1.fma(xt, a11);
            xt = FloatVector.broadcast(F, x[xc + 2 * xStride]);
            a20 = w0.fma(xt, a20);
            a21 = w1.fma(xt, a21);
            xt = FloatVector.broadcast(F, x[xc + 3 * xStride]);
            a30 = w0.fma(xt, a30);
            a31 = w1.fma(xt, a31);
        }
        a00.intoArray(y, yOff);
        a01.intoArray(y, yOff + LANES);
        a10.intoArray(y, yOff + yStride);
        a11.intoArray(y, yOff + yStride + LANES);
        a20.intoArray(y, yOff + 2 * yStride);
        a21.intoArray(y, yOff + 2 * yStride + LANES);
        a30.intoArray(y, yOff + 3 * yStride);
        a31.intoArray(y, yOff + 3 * yStride + LANES);
    }

    /**
     * 1 tokens × rows {@code lane0 ..} ({@link #PASS_ROWS}) of a group decoded column-major in {@code w} (column
     * {@code c}'s 32 rows at {@code c·32}): per column two weight vectors, each token's activation broadcast, one
     * fused multiply-add per token and vector, so each result is the chain {@code s = fma(w_c, x_c, s)} over the
     * columns from zero, as {@link PanelMatmul}'s.
     */
    private void tile1(float[] w, int lane0, float[] x, int xOff, int xStride, float[] y, int yOff, int yStride) {
        FloatVector a00 = FloatVector.zero(F);
        FloatVector a01 = a00;
        for (int c = 0; c < cols; c++) {
            FloatVector w0 = FloatVector.fromArray(F, w, c * GROUP + lane0);
            FloatVector w1 = FloatVector.fromArray(F, w, c * GROUP + lane0 + LANES);
            int xc = xOff + c;
            FloatVector xt = FloatVector.broadcast(F, x[xc]);
            a00 = w0.fma(xt, a00);
            a01 = w1.fma(xt, a01);
        }
        a00.intoArray(y, yOff);
        a01.intoArray(y, yOff + LANES);
    }

    /** Not used ({@link #matmul} takes small products itself): plain dots. */
    @Override
    void tile(int row, float[] x, int xOff, int xStride, float[] y, int yOff, int yStride, float[] sums) {
        for (int t = 0; t < TILE_TOKENS; t++) {
            y[yOff + t * yStride + row] = dotVector(row, x, xOff + t * xStride);
            y[yOff + t * yStride + row + 1] = dotVector(row + 1, x, xOff + t * xStride);
        }
    }

    /**
     * No: {@link #matmul} runs its own products over whole groups (which {@code matmul}'s thread split keeps
     * whole, {@link #rowAlignment}); {@link #decodeRow} serves the rows outside them.
     */
    @Override
    boolean decodesPanels() {
        return false;
    }

    /** Rows {@code [first, first + count)}: {@code first} a multiple of {@value #GROUP}, and so the count unless
     * the view runs to the last row. */
    @Override
    WeightMatrix slice(int first, int count) {
        if (first % GROUP != 0 || (count % GROUP != 0 && first + count != rows)) {
            throw new IllegalArgumentException("rows [" + first + ", " + (first + count) + ") of a repacked "
                    + format() + " matrix: a view must start at a multiple of " + GROUP + " rows and span whole "
                    + "groups or run to the last row");
        }
        return WeightMatrix.ofRepacked(format(), data.asSlice(first / GROUP * groupBytes, count * rowBytes), count,
                cols);
    }
}
