package dev.granitej.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * A read-only row-major matrix {@code W[rows][cols]} stored in a memory segment (usually a mapped
 * checkpoint file), with the products a linear layer needs: {@code y = W·x} for one token and
 * {@code Y = X·Wᵀ} for many. Instances are immutable and safe to share between threads; every
 * buffer is owned by the caller.
 *
 * <p>Each format supplies a scalar {@link #dotScalar} (the oracle), a Vector API dot, a vectorised
 * {@link #decodeRow} with which {@link #matmul} decodes panels of rows to floats once per block of tokens and
 * runs them through {@link PanelMatmul}'s f32 outer-product tiles, and a register tile on the stored weights
 * ({@value #TILE_ROWS} rows × {@value #TILE_TOKENS} tokens) for formats or widths without a panel decode. The
 * segment should be native (a mapped file) or a heap segment over a {@code byte[]}: the Vector API reads no other
 * heap segments, so weights given in, say, a {@code float[]} segment are copied once.
 */
public abstract sealed class WeightMatrix permits F32Matrix, Bf16Matrix, F16Matrix, Q8Matrix, Q4Matrix,
        RowGroupMatrix {

    static final ValueLayout.OfFloat F32_LE =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Rows per register tile of the vector matmul. */
    static final int TILE_ROWS = 2;
    /** Tokens per register tile of the vector matmul. */
    static final int TILE_TOKENS = 4;
    /** Activations of one token block of a panel's product: a whole number of groups about this size. */
    private static final int TOKEN_BLOCK_BYTES = 512 * 1024;
    /** Rows per task when a product is split over a {@link Parallel}: enough work to amortise a hand-off. */
    private static final int MIN_ROWS_PER_TASK = 16;
    /**
     * Bytes of weight rows {@link #matmulExact} runs all its tokens over before moving on. Row by row, every row
     * streamed all the tokens' activations through L1 (16 tokens of 1536 columns are 96 KiB, twice L1), so the
     * loads of activations from L2 bounded it; a chunk of rows this size stays in L2 while four tokens'
     * activations stay in L1, and the weights come from memory once all the same.
     */
    static final long EXACT_CHUNK_BYTES = 64 * 1024;
    /**
     * The narrowest rows that {@link #dotRowsVector} runs four at a time, where the format has the kernel
     * ({@link #fourStreams}): h-350m's 768-column rows decode 1.15-1.2x faster with it on one thread (an earlier
     * measurement that found them slower ran the four streams a few rows apart, in matmulExact's chunks, rather
     * than a quarter of the range apart).
     */
    static final int FOUR_STREAM_COLS = 768;

    final MemorySegment data;
    final int rows;
    final int cols;
    /** Bytes from one row to the next. */
    final long rowBytes;

    WeightMatrix(MemorySegment data, int rows, int cols) {
        Objects.requireNonNull(data, "data");
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("matrix shape must be positive: " + rows + "x" + cols);
        }
        if (format().isBlockQuantized() && cols % WeightFormat.BLOCK != 0) {
            throw new IllegalArgumentException(format() + " matrix " + rows + "x" + cols + ": row length "
                    + cols + " is not a multiple of the block size " + WeightFormat.BLOCK);
        }
        long need = format().bytesFor((long) rows * cols);
        if (data.byteSize() < need) {
            throw new IllegalArgumentException("segment of " + data.byteSize() + " bytes is too small for a "
                    + format() + " matrix " + rows + "x" + cols + " (" + need + " bytes)");
        }
        this.data = vectorReadable(data, need);
        this.rows = rows;
        this.cols = cols;
        this.rowBytes = format().bytesFor(cols);
    }

    /**
     * The Vector API reads native segments and heap segments over {@code byte[]} only: weights in another heap
     * segment (say {@code MemorySegment.ofArray(float[])}, handy in tests) are copied once into a byte array.
     */
    private static MemorySegment vectorReadable(MemorySegment data, long bytes) {
        if (data.isNative() || data.heapBase().orElse(null) instanceof byte[]) {
            return data;
        }
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a heap segment over a non-byte array cannot hold " + bytes
                    + " bytes of weights; use a native segment");
        }
        MemorySegment copy = MemorySegment.ofArray(new byte[(int) bytes]);
        copy.copyFrom(data.asSlice(0, bytes));
        return copy;
    }

    /**
     * Wraps {@code rows × cols} weights of the given format starting at the segment's first byte (no copy,
     * except for heap segments over arrays other than {@code byte[]}, see the class comment).
     */
    public static WeightMatrix of(WeightFormat format, MemorySegment data, int rows, int cols) {
        return switch (format) {
            case F32 -> new F32Matrix(data, rows, cols);
            case BF16 -> new Bf16Matrix(data, rows, cols);
            case F16 -> new F16Matrix(data, rows, cols);
            case Q8_0 -> new Q8Matrix(data, rows, cols);
            case Q4_0 -> new Q4Matrix(data, rows, cols);
        };
    }

    /**
     * Wraps weights in the layout {@link Quantizer#quantizeRepacked} writes: {@code Q4_0} and {@code Q8_0} with rows
     * interleaved by groups of 32 ({@link Q4PackedMatrix}, {@link Q8PackedMatrix}), every other format as {@link #of}.
     */
    public static WeightMatrix ofRepacked(WeightFormat format, MemorySegment data, int rows, int cols) {
        return switch (format) {
            case Q4_0 -> new Q4PackedMatrix(data, rows, cols);
            case Q8_0 -> new Q8PackedMatrix(data, rows, cols);
            default -> of(format, data, rows, cols);
        };
    }

    public abstract WeightFormat format();

    /**
     * Rows the products split between threads at (and a view starts at): a range that starts or ends inside such
     * a unit is computed right, only slower.
     */
    int rowAlignment() {
        return 1;
    }

    public final int rows() {
        return rows;
    }

    public final int cols() {
        return cols;
    }

    /** Bytes of weights this matrix covers. */
    public final long byteSize() {
        return rowBytes * rows;
    }

    /** The memory this matrix reads (exactly {@link #byteSize()} bytes or more). */
    public final MemorySegment segment() {
        return data;
    }

    /** A view of rows {@code [first, first + count)}, sharing the same memory. */
    public final WeightMatrix rows(int first, int count) {
        Objects.checkFromIndexSize(first, count, rows);
        return slice(first, count);
    }

    /** {@link #rows(int, int)} after its checks. */
    WeightMatrix slice(int first, int count) {
        return of(format(), data.asSlice(first * rowBytes, count * rowBytes), count, cols);
    }

    /** The weight at {@code (row, col)} as a float; for tests and one-off reads, not for hot loops. */
    public abstract float get(int row, int col);

    /** Writes row {@code row} as floats to {@code dst[dstOff .. dstOff+cols)}; not for hot loops. */
    public void readRow(int row, float[] dst, int dstOff) {
        Objects.checkIndex(row, rows);
        Objects.checkFromIndexSize(dstOff, cols, dst.length);
        for (int i = 0; i < cols; i++) {
            dst[dstOff + i] = get(row, i);
        }
    }

    /** {@code Σ_i W[row][i]·x[xOff + i]}, the kernel the current {@link Kernels} mode selects. */
    public final float dot(int row, float[] x, int xOff) {
        return Kernels.VECTOR ? dotVector(row, x, xOff) : dotScalar(row, x, xOff);
    }

    /**
     * {@link #dot}'s value, bit for bit, for rows dotted only a few at a time (the lm_head's refinement, a handful of
     * rows a decode step): computed in scalar code where the format has a scalar replica of its vector chain. Called
     * that rarely, the vector kernel runs in C1's code for tens of seconds after start-up, where every vector is a
     * heap object (h-tiny Q4_0: 130 KB a decode step 35 s in); the replica allocates nothing in any tier, and a
     * few rows cost microseconds. Formats without one compute {@link #dot}.
     */
    public final float dotFew(int row, float[] x, int xOff) {
        return Kernels.VECTOR ? dotVectorReplica(row, x, xOff) : dotScalar(row, x, xOff);
    }

    /** {@link #dotVector}'s bits in scalar code; the default is {@link #dotVector} itself. */
    float dotVectorReplica(int row, float[] x, int xOff) {
        return dotVector(row, x, xOff);
    }

    /** The scalar twin of {@link #dot}: the test oracle and the fallback. */
    public abstract float dotScalar(int row, float[] x, int xOff);

    /** The Vector API dot, with several accumulators. */
    abstract float dotVector(int row, float[] x, int xOff);

    /**
     * Floats of the scratch that {@link #dotVector4} and {@link #tile} store their accumulators (eight vectors at
     * most) and then their sums in (see {@link Simd#sumEach}).
     */
    static final int SUMS = 8 * (Simd.LANES + 1);

    /**
     * Four tokens against one row, each result bit-identical to {@link #dotVector} for that token: the same
     * accumulators in the same order, with the row's weights loaded (and converted) once for all four. Formats
     * whose weights are worth loading once override this; the default is four plain dots.
     */
    void dotVector4(int row, float[] x, int xOff, int xStride, float[] y, int yOff, int yStride, float[] sums) {
        // sums: scratch of SUMS floats where overrides store their accumulators
        for (int t = 0; t < 4; t++) {
            y[yOff + t * yStride] = dotVector(row, x, xOff + t * xStride);
        }
    }

    /**
     * {@link #dotVector4} for three tokens, for formats whose four-token kernel would spill registers
     * ({@link #exactTokens}); the default is three plain dots.
     */
    void dotVector3(int row, float[] x, int xOff, int xStride, float[] y, int yOff, int yStride, float[] sums) {
        for (int t = 0; t < 3; t++) {
            y[yOff + t * yStride] = dotVector(row, x, xOff + t * xStride);
        }
    }

    /** {@link #dotVector4} for two tokens, where {@link #exactTokens} is three; the default is two plain dots. */
    void dotVector2(int row, float[] x, int xOff, int xStride, float[] y, int yOff, int yStride, float[] sums) {
        for (int t = 0; t < 2; t++) {
            y[yOff + t * yStride] = dotVector(row, x, xOff + t * xStride);
        }
    }

    /**
     * Tokens {@link #matmulExact} runs against each row at once: four ({@link #dotVector4}), or three
     * ({@link #dotVector3}) where a format's four-token kernel would spill.
     */
    int exactTokens() {
        return 4;
    }

    /**
     * For {@code tokens} activation rows of {@code x} (row t at {@code t·xStride}) writes
     * {@code y[t·yStride + r] = dot(r, x_t)} for rows {@code r} in {@code [rowFrom, rowTo)}: every value is
     * exactly what {@link #dot} gives for that token alone (in either kernel mode), while each weight row is
     * read from memory once for all tokens. For batches of independent sequences, whose results must not depend
     * on what else is in the batch; {@link #matmul} is faster but rounds differently. Allocates its buffers;
     * {@link #matmulExact(float[], int, float[], int, int, int, int, MatmulScratch)} reuses them.
     */
    public final void matmulExact(float[] x, int xStride, float[] y, int yStride, int tokens, int rowFrom,
                                  int rowTo) {
        matmulExact(x, xStride, y, yStride, tokens, rowFrom, rowTo, new MatmulScratch());
    }

    /**
     * {@link #matmulExact(float[], int, float[], int, int, int, int)} with its buffers taken from {@code scratch}
     * (which serves one call at a time): for callers that run products on threads of their own, a scratch each.
     */
    public final void matmulExact(float[] x, int xStride, float[] y, int yStride, int tokens, int rowFrom, int rowTo,
                                  MatmulScratch scratch) {
        Objects.checkFromToIndex(rowFrom, rowTo, rows);
        checkTokens(tokens);
        Objects.requireNonNull(scratch, "scratch");
        exactRange(x, xStride, y, yStride, tokens, rowFrom, rowTo, scratch);
    }

    /** {@link #matmulExact} over rows {@code [rowFrom, rowTo)} on the calling thread, the arguments checked. */
    void exactRange(float[] x, int xStride, float[] y, int yStride, int tokens, int rowFrom, int rowTo,
                    MatmulScratch scratch) {
        scratch.reserveSums(1);
        exactRows(x, xStride, y, yStride, tokens, rowFrom, rowTo, scratch.sums(0));
    }

    private static void checkTokens(int tokens) {
        if (tokens < 0) {
            throw new IllegalArgumentException("tokens must be >= 0, was " + tokens);
        }
    }

    /** The checks of the products over a pool that take a scratch. */
    private static void checkPoolCall(Parallel pool, int tokens, MatmulScratch scratch) {
        Objects.requireNonNull(pool, "pool");
        checkTokens(tokens);
        Objects.requireNonNull(scratch, "scratch");
    }

    /** The rows {@code [rowFrom, rowTo)} of {@link #matmulExact}, with {@code sums} a scratch of {@link #SUMS}. */
    private void exactRows(float[] x, int xStride, float[] y, int yStride, int tokens, int rowFrom, int rowTo,
                           float[] sums) {
        if (!Kernels.VECTOR) {
            matmulScalar(x, xStride, y, yStride, tokens, rowFrom, rowTo);
            return;
        }
        if (tokens == 1) {
            // nothing to reuse across tokens: one pass over the whole range keeps dotRowsVector's four streams a
            // quarter of the range apart (within a chunk they would be a few rows apart, read ~0.7x as fast)
            dotRowsVector(x, 0, y, 0, rowFrom, rowTo);
            return;
        }
        int chunk = (int) Math.max(1, EXACT_CHUNK_BYTES / rowBytes);
        for (int r0 = rowFrom; r0 < rowTo; r0 += chunk) {
            int r1 = Math.min(rowTo, r0 + chunk);
            for (int t = 0, n; t < tokens; t += n) {
                n = exactGroup(tokens - t);
                if (n == 1) {
                    dotRowsVector(x, t * xStride, y, t * yStride, r0, r1);
                    continue;
                }
                for (int r = r0; r < r1; r++) {
                    switch (n) {
                        case 4 -> dotVector4(r, x, t * xStride, xStride, y, t * yStride + r, yStride, sums);
                        case 3 -> dotVector3(r, x, t * xStride, xStride, y, t * yStride + r, yStride, sums);
                        default -> dotVector2(r, x, t * xStride, xStride, y, t * yStride + r, yStride, sums);
                    }
                }
            }
        }
    }

    /**
     * Tokens {@link #matmulExact} runs together next, {@code left} tokens left: fours, then single tokens; or,
     * where the format runs {@link #exactTokens three}, threes ending in pairs rather than in a single token (a
     * single token reads its rows alone: in batches of 16 it took as long as 2.3 tokens in threes).
     */
    private int exactGroup(int left) {
        if (exactTokens() == 4) {
            return left >= 4 ? 4 : 1;
        }
        return left == 4 ? 2 : Math.min(3, left);
    }

    /**
     * {@code y[yOff + r] = dotVector(r, x, xOff)} for rows {@code [rowFrom, rowTo)}, bit for bit. Where the format
     * has a four-row kernel ({@link #fourStreams}) a range of {@code 4q + k} rows runs as rows
     * {@code r, r+q, r+2q, r+3q} for {@code r} in its first quarter, then the last {@code k} alone: four
     * sequential streams through memory, which one core reads much faster than one (weights come from memory
     * at every decode step); where it has a two-row kernel instead ({@link #twoStreams}), two streams half the
     * range apart. Otherwise rows go in order: short rows visited out of order are read far slower.
     */
    final void dotRowsVector(float[] x, int xOff, float[] y, int yOff, int rowFrom, int rowTo) {
        int streams = cols < fourStreamCols() ? 1 : fourStreams() ? 4 : twoStreams() ? 2 : 1;
        int step = streams > 1 ? (rowTo - rowFrom) / streams : 0;
        for (int r = rowFrom; r < rowFrom + step; r++) {
            if (streams == 4) {
                dotRows4(r, step, x, xOff, y, yOff + r);
            } else {
                dotRows2(r, step, x, xOff, y, yOff + r);
            }
        }
        for (int r = rowFrom + streams * step; r < rowTo; r++) {
            y[yOff + r] = dotVector(r, x, xOff);
        }
    }

    /**
     * Whether this matrix has a two-row kernel, {@link #dotRows2}, that {@link #dotRowsVector} runs where it has
     * no four-row one (from {@link #fourStreamCols} columns too).
     */
    boolean twoStreams() {
        return false;
    }

    /**
     * Rows {@code row} and {@code row + step} against one token, stored at {@code y[yOff]} and
     * {@code y[yOff + step]}: bit for bit {@link #dotVector}, as {@link #dotRows4}. Only called where
     * {@link #twoStreams}.
     */
    void dotRows2(int row, int step, float[] x, int xOff, float[] y, int yOff) {
        y[yOff] = dotVector(row, x, xOff);
        y[yOff + step] = dotVector(row + step, x, xOff);
    }

    /**
     * Whether this matrix has a four-row kernel, {@link #dotRows4}, for its rows (at this vector width and row
     * length); {@link #dotRowsVector} uses it from {@link #fourStreamCols} columns.
     */
    boolean fourStreams() {
        return false;
    }

    /**
     * The narrowest rows {@link #dotRowsVector} runs four at a time, where {@link #fourStreams}:
     * {@link #FOUR_STREAM_COLS} unless the format's kernel pays off on shorter rows.
     */
    int fourStreamCols() {
        return FOUR_STREAM_COLS;
    }

    /**
     * Rows {@code row + k·step} ({@code k = 0..3}) against one token, each stored at {@code y[yOff + k·step]}:
     * bit for bit {@link #dotVector} (the same accumulators in the same order), the activations loaded once
     * for the four rows, their sums kept in registers. Only called where {@link #fourStreams} (and rows are at
     * least {@link #fourStreamCols} long).
     */
    void dotRows4(int row, int step, float[] x, int xOff, float[] y, int yOff) {
        for (int k = 0; k < 4; k++) {
            y[yOff + k * step] = dotVector(row + k * step, x, xOff);
        }
    }

    /** {@link #matmulExact} over all rows, split over {@code pool}'s threads. Allocates its buffers. */
    public final void matmulExact(Parallel pool, float[] x, int xStride, float[] y, int yStride, int tokens) {
        matmulExact(pool, x, xStride, y, yStride, tokens, new MatmulScratch());
    }

    /**
     * {@link #matmulExact} over all rows, split over {@code pool}'s threads, with its buffers taken from
     * {@code scratch} (which serves one call at a time).
     */
    public final void matmulExact(Parallel pool, float[] x, int xStride, float[] y, int yStride, int tokens,
                                  MatmulScratch scratch) {
        checkPoolCall(pool, tokens, scratch);
        exactOverRows(pool, x, xStride, y, yStride, tokens, scratch);
    }

    /** {@link #matmulExact} over all rows split over {@code pool}'s threads, the arguments checked. */
    void exactOverRows(Parallel pool, float[] x, int xStride, float[] y, int yStride, int tokens,
                       MatmulScratch scratch) {
        scratch.reserveSums(pool.threads());
        forRows(pool, scratch.exactTask(), x, xStride, y, yStride, tokens, null);
    }

    /**
     * {@code y[yOff + r] = W[r]·x[xOff ..]} over all rows split over {@code pool}'s threads, as
     * {@link #matvec(Parallel, float[], int, float[], int)} gives them, allocating nothing: the pool's body (and
     * Q4_0's quantized token) come from {@code scratch}, which serves one call at a time.
     */
    public final void matvec(Parallel pool, float[] x, int xOff, float[] y, int yOff, MatmulScratch scratch) {
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(scratch, "scratch");
        Objects.checkFromIndexSize(xOff, cols, x.length);
        Objects.checkFromIndexSize(yOff, rows, y.length);
        RowGroupMatrix.Activations[] token = matvecActivations(x, xOff, scratch);
        ExactTask task = scratch.exactTask();
        task.matvec = true;
        task.xOff = xOff;
        task.yOff = yOff;
        forRows(pool, task, x, 0, y, 0, 1, token);
    }

    /**
     * How far this matrix's one-token products may read their input from {@code x[xOff .. xOff + cols)}: the
     * Euclidean norm of {@code x − x̂}, where {@code x̂} is the token as those kernels round it (8-bit blocks for the
     * repacked block formats, in vector mode), so that {@code |W_r·x − W_r·x̂| ≤ ‖W_r‖₂·inputRounding}. 0 for
     * formats whose kernels read the floats as they are. Products over a vector of tokens or more read them as they
     * are in every format.
     */
    public double inputRounding(float[] x, int xOff) {
        Objects.checkFromIndexSize(xOff, cols, x.length);
        return 0;
    }

    /** The token a matvec over the pool shares between its chunks: none here, the block formats' quantized one. */
    RowGroupMatrix.Activations[] matvecActivations(float[] x, int xOff, MatmulScratch scratch) {
        return null;
    }

    /**
     * Runs {@code task}, filled in with this product, over all rows split over {@code pool}'s threads as
     * {@link #forRows(Parallel, int, ChunkBody)} does, allocating nothing.
     */
    final void forRows(Parallel pool, ExactTask task, float[] x, int xStride, float[] y, int yStride, int tokens,
                       RowGroupMatrix.Activations[] activations) {
        int unit = rowAlignment();
        task.matrix = this;
        task.unit = unit;
        task.x = x;
        task.xStride = xStride;
        task.y = y;
        task.yStride = yStride;
        task.tokens = tokens;
        task.activations = activations;
        try {
            forUnits(pool, unit, task);
        } finally {
            task.clear();
        }
    }

    /** Rows {@code [from, to)} of the exact product {@code task} holds, as chunk {@code chunk}. */
    void exactChunk(ExactTask task, int chunk, int from, int to) {
        if (task.matvec) {
            matvec(task.x, task.xOff, task.y, task.yOff, from, to);
        } else {
            exactRows(task.x, task.xStride, task.y, task.yStride, task.tokens, from, to, task.scratch().sums(chunk));
        }
    }

    /**
     * The register tile: for rows {@code row, row+1} and tokens {@code t = 0..3} (token t's activations at
     * {@code xOff + t·xStride}) writes {@code y[yOff + t·yStride + r] = W[r]·x_t}.
     */
    abstract void tile(int row, float[] x, int xOff, int xStride, float[] y, int yOff, int yStride, float[] sums);

    /** Rows of the wide register tiles, {@link #tile4x4} and {@link #tile4x6}. */
    static final int WIDE_ROWS = 4;
    /** Floats of the scratch the wide tiles store their accumulators (24 vectors at most) and sums in. */
    static final int WIDE_SUMS = 24 * Simd.LANES + 8;
    /** Floats of a scratch that serves every tile and exact kernel: {@link #SUMS} and {@link #WIDE_SUMS}. */
    static final int TILE_SUMS = Math.max(SUMS, WIDE_SUMS);
    /**
     * Tokens from which a format with wide tiles ({@link #wideTiles}) decodes panels instead: one full token group
     * of the outer-product tile ({@link PanelMatmul#GROUP}, 32 tokens at 512 bits). Below, the wide tiles on the
     * stored weights are faster: they read the weights while they multiply, where a panel is first decoded (its
     * weights coming in from memory) and then run through the half-width tile. h-1b's bf16 matrices, 16 tokens:
     * 1.2x the panels on 1 thread, 1.3x on 2; 32 tokens: 1.2x on 1 thread but 0.85x on 2 (there one thread's
     * decode overlaps the other's tile).
     */
    static final int WIDE_TILE_TOKENS_BELOW = PanelMatmul.GROUP;

    /**
     * Whether this format has its own {@link #tile4x4} and {@link #tile4x6}, which {@link #matmul} then runs
     * instead of {@link #tile} (and instead of decoded panels below {@link #WIDE_TILE_TOKENS_BELOW} tokens).
     */
    boolean wideTiles() {
        return false;
    }

    /**
     * {@link #tile} for rows {@code row..row+3}: the same accumulators, each result bit for bit what
     * {@link #tile} gives, every weight vector loaded (and widened) once for the four tokens. {@code sums}:
     * scratch of {@link #WIDE_SUMS} floats. The default is two 2-row tiles.
     */
    void tile4x4(int row, float[] x, int xOff, int xStride, float[] y, int yOff, int yStride, float[] sums) {
        tile(row, x, xOff, xStride, y, yOff, yStride, sums);
        tile(row + 2, x, xOff, xStride, y, yOff, yStride, sums);
    }

    /**
     * {@link #tile4x4} for six tokens, {@code t = 0..5}. The default runs 2-row tiles over tokens 0..3 and 2..5
     * (tokens 2 and 3 twice, to the same values).
     */
    void tile4x6(int row, float[] x, int xOff, int xStride, float[] y, int yOff, int yStride, float[] sums) {
        tile4x4(row, x, xOff, xStride, y, yOff, yStride, sums);
        tile4x4(row, x, xOff + 2 * xStride, xStride, y, yOff + 2 * yStride, yStride, sums);
    }

    /**
     * Finishes a wide tile of {@code tokens} (4 or 6) tokens whose vector loop stopped at column {@code from}:
     * sums the accumulators stored in {@code sums} (token t, row k at {@code (4t + k)·LANES}) and the scalar
     * tails exactly as {@link #finishTile} does, and stores them.
     */
    final void finishWide(int row, int tokens, int from, float[] x, int xOff, int xStride, float[] y, int yOff,
                          int yStride, float[] sums) {
        // sumEach writes a group's sums just past its accumulators, over the next group's: last group first
        for (int g = tokens / 2 - 1; g >= 0; g--) {
            int off = 8 * g * Simd.LANES;
            Simd.sumEach(sums, off, 8);
            int at = off + 8 * Simd.LANES;
            for (int j = 0; j < 8; j++) {
                int t = 2 * g + j / 4;
                int r = row + j % 4;
                int xt = xOff + t * xStride;
                float s = sums[at + j];
                for (int i = from; i < cols; i++) {
                    s += get(r, i) * x[xt + i];
                }
                y[yOff + t * yStride + r] = s;
            }
        }
    }

    /** {@code y[yOff + r] = W[r]·x} for rows {@code r} in {@code [rowFrom, rowTo)}. */
    public void matvec(float[] x, int xOff, float[] y, int yOff, int rowFrom, int rowTo) {
        Objects.checkFromToIndex(rowFrom, rowTo, rows);
        if (Kernels.VECTOR) {
            dotRowsVector(x, xOff, y, yOff, rowFrom, rowTo);
        } else {
            for (int r = rowFrom; r < rowTo; r++) {
                y[yOff + r] = dotScalar(r, x, xOff);
            }
        }
    }

    /** {@code y = W·x} over all rows. */
    public final void matvec(float[] x, float[] y) {
        matvec(x, 0, y, 0, 0, rows);
    }

    /** {@code y = W·x} over all rows, the rows split over {@code pool}'s threads. */
    public final void matvec(Parallel pool, float[] x, float[] y) {
        matvec(pool, x, 0, y, 0);
    }

    /** {@code y[yOff + r] = W[r]·x[xOff..]} over all rows, the rows split over {@code pool}'s threads. */
    public final void matvec(Parallel pool, float[] x, int xOff, float[] y, int yOff) {
        forRows(pool, rowAlignment(), (chunk, from, to) -> matvec(x, xOff, y, yOff, from, to));
    }

    /**
     * Runs {@code body} over all rows split over {@code pool}'s threads at multiples of {@code unit} rows (the last
     * range ending at the last row), each range {@link #MIN_ROWS_PER_TASK} rows or more where there are enough.
     */
    final void forRows(Parallel pool, int unit, ChunkBody body) {
        forUnits(pool, unit, (chunk, from, to) -> body.run(chunk, unitRow(from, unit), unitRow(to, unit)));
    }

    /**
     * Runs {@code body} over the units of {@code unit} rows that cover the matrix (the last one perhaps short; see
     * {@link #unitRow}), split over {@code pool}'s threads, each range {@link #MIN_ROWS_PER_TASK} rows or more
     * where there are enough.
     */
    private void forUnits(Parallel pool, int unit, ChunkBody body) {
        pool.forChunks(0, (rows + unit - 1) / unit, Math.max(1, MIN_ROWS_PER_TASK / unit), body);
    }

    /** The first row of unit {@code u} of {@code unit} rows ({@link #rows} for the end of the last). */
    final int unitRow(int u, int unit) {
        return Math.min(rows, u * unit);
    }

    /**
     * For {@code tokens} input rows of {@code x} (row t at {@code t*xStride}) writes
     * {@code y[t*yStride + r] = W[r]·x[t]} for rows {@code r} in {@code [rowFrom, rowTo)}.
     * In vector mode this runs the tiled kernel; in scalar mode {@link #matmulScalar}.
     */
    public void matmul(float[] x, int xStride, float[] y, int yStride, int tokens, int rowFrom, int rowTo) {
        if (Kernels.VECTOR) {
            matmulVector(x, xStride, y, yStride, tokens, rowFrom, rowTo);
        } else {
            matmulScalar(x, xStride, y, yStride, tokens, rowFrom, rowTo);
        }
    }

    /**
     * {@link #matmul} over all rows, the rows split over {@code pool}'s threads. Splits fall on whole panels
     * (which are whole row pairs too), so every row meets the same tile as on one thread and the result does not
     * depend on the thread count. Allocates its buffers; {@link #matmul(Parallel, float[], int, float[], int, int,
     * MatmulScratch)} reuses them.
     */
    public final void matmul(Parallel pool, float[] x, int xStride, float[] y, int yStride, int tokens) {
        matmul(pool, x, xStride, y, yStride, tokens, new MatmulScratch());
    }

    /**
     * {@link #matmul(Parallel, float[], int, float[], int, int)} with its buffers taken from {@code scratch}
     * (which serves one call at a time). On decoded panels the activations are laid out by token group once,
     * for all threads.
     */
    public final void matmul(Parallel pool, float[] x, int xStride, float[] y, int yStride, int tokens,
                             MatmulScratch scratch) {
        checkPoolCall(pool, tokens, scratch);
        if (Kernels.VECTOR && matmulIsExact(tokens)) {
            exactOverRows(pool, x, xStride, y, yStride, tokens, scratch);
            return;
        }
        int unit = PanelMatmul.ROWS;
        if (!Kernels.VECTOR || !usesPanels(tokens)) {
            // whole panels, or whole row groups where the format has them (see rowAlignment)
            if (Kernels.VECTOR) {
                prepareRows(x, xStride, tokens, scratch, pool.threads());
            }
            forRows(pool, rowAlignment() > 1 ? rowAlignment() : unit, (chunk, from, to) -> {
                if (Kernels.VECTOR) {
                    matmulRows(x, xStride, y, yStride, tokens, from, to, scratch, chunk);
                } else {
                    matmul(x, xStride, y, yStride, tokens, from, to);
                }
            });
            return;
        }
        float[] xT = scratch.transposed(PanelMatmul.transposedSize(tokens, cols));
        PanelMatmul.transpose(x, xStride, tokens, cols, xT);
        scratch.reserve(pool.threads(), unit * PanelMatmul.panelStride(cols), accumulatorFloats(tokens));
        forUnits(pool, unit, (chunk, from, to) -> multiplyPanels(xT, tokens, y, yStride, unitRow(from, unit),
                unitRow(to, unit), scratch.panel(chunk), scratch.accumulators(chunk)));
    }

    /**
     * Before a vector {@link #matmul} over {@code tokens} tokens that runs neither on decoded panels nor as the
     * exact product ({@link #matmulIsExact}) forks into {@code chunks} chunks: readies what {@link #matmulRows}
     * takes from {@code scratch}; by default each chunk's sums.
     */
    void prepareRows(float[] x, int xStride, int tokens, MatmulScratch scratch, int chunks) {
        scratch.reserveSums(chunks);
    }

    /**
     * The rows {@code [rowFrom, rowTo)} of such a product as chunk {@code chunk}, with the buffers that
     * {@link #prepareRows} readied; by default the tiles on the stored weights, their sums per chunk.
     */
    void matmulRows(float[] x, int xStride, float[] y, int yStride, int tokens, int rowFrom, int rowTo,
                    MatmulScratch scratch, int chunk) {
        matmulTiled(x, xStride, y, yStride, tokens, rowFrom, rowTo, scratch.sums(chunk));
    }

    /**
     * Whether the vector {@link #matmul} over {@code tokens} tokens is {@link #matmulExact}'s product, for formats
     * whose tiles do not pay off at that count.
     */
    boolean matmulIsExact(int tokens) {
        return false;
    }

    /** The Vector API kernel of {@link #matmul} for this format: decoded panels or tiles on the stored weights. */
    final void matmulVector(float[] x, int xStride, float[] y, int yStride, int tokens, int rowFrom, int rowTo) {
        if (usesPanels(tokens)) {
            matmulPanels(x, xStride, y, yStride, tokens, rowFrom, rowTo);
        } else {
            matmulTiled(x, xStride, y, yStride, tokens, rowFrom, rowTo);
        }
    }

    /**
     * Whether {@link #matmul} decodes panels of rows to floats ({@link #decodeRow}) and runs float tiles over
     * them, rather than running {@link #tile} on the stored weights. Formats with a vectorised decode say yes.
     */
    boolean decodesPanels() {
        return false;
    }

    /**
     * Whether a product over {@code tokens} tokens runs on decoded panels: not below one vector of tokens, where
     * the outer-product tile would compute mostly padding (a batch of four sequences filled a 32-token group)
     * and the tiles on the stored weights, four tokens at a time, are twice as fast; with wide tiles not below
     * {@link #WIDE_TILE_TOKENS_BELOW}.
     */
    private boolean usesPanels(int tokens) {
        return decodesPanels() && tokens >= (wideTiles() ? WIDE_TILE_TOKENS_BELOW : Simd.LANES);
    }

    /** Writes row {@code row} as floats to {@code dst[dstOff .. dstOff+cols)}, fast enough for {@link #matmul}. */
    void decodeRow(int row, float[] dst, int dstOff) {
        readRow(row, dst, dstOff);
    }

    /**
     * The Vector API matmul on decoded panels: the activations laid out by token group
     * ({@link PanelMatmul#transpose}), then {@link #multiplyPanels}. Allocates its buffers.
     */
    final void matmulPanels(float[] x, int xStride, float[] y, int yStride, int tokens, int rowFrom, int rowTo) {
        Objects.checkFromToIndex(rowFrom, rowTo, rows);
        checkTokens(tokens);
        if (tokens == 0 || rowFrom == rowTo) {
            return;
        }
        float[] xT = new float[PanelMatmul.transposedSize(tokens, cols)];
        PanelMatmul.transpose(x, xStride, tokens, cols, xT);
        multiplyPanels(xT, tokens, y, yStride, rowFrom, rowTo,
                new float[PanelMatmul.ROWS * PanelMatmul.panelStride(cols)], new float[accumulatorFloats(tokens)]);
    }

    /** Tokens per block: a whole number of groups of about {@link #TOKEN_BLOCK_BYTES} of activations. */
    private int blockTokens() {
        int group = PanelMatmul.GROUP;
        return Math.max(group, TOKEN_BLOCK_BYTES / (4 * cols) / group * group);
    }

    final int accumulatorFloats(int tokens) {
        return PanelMatmul.groups(Math.min(tokens, blockTokens())) * PanelMatmul.ACC;
    }

    /**
     * Rows {@code [rowFrom, rowTo)} against the tokens of {@code xT}: each panel of {@value PanelMatmul#ROWS} rows
     * is decoded once into {@code panel} (a short last panel padded with zero rows) and multiplied with all the
     * tokens, a block at a time ({@link PanelMatmul#multiply}). Decoding a panel once per block instead read its
     * weights from memory once per block: a fifth of an h-1b bf16 prompt pass, against a tenth now that the
     * activations come from L2/L3 for every panel.
     */
    final void multiplyPanels(float[] xT, int tokens, float[] y, int yStride, int rowFrom, int rowTo,
                                float[] panel, float[] acc) {
        int pr = PanelMatmul.ROWS;
        int stride = PanelMatmul.panelStride(cols);
        int blockTokens = blockTokens();
        for (int r = rowFrom; r < rowTo; r += pr) {
            int panelRows = Math.min(pr, rowTo - r);
            for (int k = 0; k < panelRows; k++) {
                decodeRow(r + k, panel, k * stride);
            }
            Arrays.fill(panel, panelRows * stride, pr * stride, 0f);
            for (int t0 = 0; t0 < tokens; t0 += blockTokens) {
                int n = Math.min(blockTokens, tokens - t0);
                PanelMatmul.multiply(panel, stride, cols, panelRows, xT, t0 * cols, n, acc, y, t0 * yStride + r,
                        yStride);
            }
        }
    }

    /** The scalar twin of {@link #matmul}: one {@link #dotScalar} per (token, row). */
    public final void matmulScalar(float[] x, int xStride, float[] y, int yStride, int tokens,
                                   int rowFrom, int rowTo) {
        Objects.checkFromToIndex(rowFrom, rowTo, rows);
        for (int r = rowFrom; r < rowTo; r++) {
            for (int t = 0; t < tokens; t++) {
                y[t * yStride + r] = dotScalar(r, x, t * xStride);
            }
        }
    }

    /**
     * The Vector API matmul. Tokens are taken in blocks whose activations fit in L2; within a block every
     * row pair of the range is run against the block's tokens four at a time, the leftovers by plain dots.
     * Formats with {@link #wideTiles} run four rows at a time instead, against six or four tokens.
     */
    final void matmulTiled(float[] x, int xStride, float[] y, int yStride, int tokens, int rowFrom, int rowTo) {
        matmulTiled(x, xStride, y, yStride, tokens, rowFrom, rowTo, new float[TILE_SUMS]);
    }

    /** {@link #matmulTiled}, the tiles storing their accumulators in {@code sums} ({@link #TILE_SUMS} floats). */
    private void matmulTiled(float[] x, int xStride, float[] y, int yStride, int tokens, int rowFrom, int rowTo,
                             float[] sums) {
        Objects.checkFromToIndex(rowFrom, rowTo, rows);
        checkTokens(tokens);
        int blockTokens = Math.max(TILE_TOKENS, TOKEN_BLOCK_BYTES / (4 * cols) / TILE_TOKENS * TILE_TOKENS);
        boolean wide = wideTiles();
        for (int t0 = 0; t0 < tokens; t0 += blockTokens) {
            int t1 = Math.min(tokens, t0 + blockTokens);
            int r = rowFrom;
            if (wide) {
                // the tiles take the same tokens as 2-row tiles would, so every row rounds alike whichever it meets
                int tiled = t0 + (t1 - t0) / TILE_TOKENS * TILE_TOKENS;
                for (; r + WIDE_ROWS <= rowTo; r += WIDE_ROWS) {
                    int t = t0;
                    while (t < tiled) {
                        int left = tiled - t;
                        if (left == 6 || left >= 10) {
                            tile4x6(r, x, t * xStride, xStride, y, t * yStride, yStride, sums);
                            t += 6;
                        } else {
                            tile4x4(r, x, t * xStride, xStride, y, t * yStride, yStride, sums);
                            t += 4;
                        }
                    }
                    for (; t < t1; t++) {
                        for (int k = 0; k < WIDE_ROWS; k++) {
                            y[t * yStride + r + k] = dotVector(r + k, x, t * xStride);
                        }
                    }
                }
            }
            for (; r + TILE_ROWS <= rowTo; r += TILE_ROWS) {
                int t = t0;
                for (; t + TILE_TOKENS <= t1; t += TILE_TOKENS) {
                    tile(r, x, t * xStride, xStride, y, t * yStride, yStride, sums);
                }
                for (; t < t1; t++) {
                    y[t * yStride + r] = dotVector(r, x, t * xStride);
                    y[t * yStride + r + 1] = dotVector(r + 1, x, t * xStride);
                }
            }
            for (; r < rowTo; r++) {
                for (int t = t0; t < t1; t++) {
                    y[t * yStride + r] = dotVector(r, x, t * xStride);
                }
            }
        }
    }

    /**
     * Finishes the four-token dots of one row ({@link #dotVector4}) whose vector loop stopped at column
     * {@code from}: sums the accumulators they stored in {@code sums} (token t at {@code t·LANES}), adds the scalar
     * tail and stores token t's result at {@code y[yOff + t·yStride]}.
     */
    final void finishDots(int row, int from, float[] x, int xOff, int xStride, float[] y, int yOff, int yStride,
                          float[] sums) {
        Simd.sumEach(sums, 0, 4);
        int at = 4 * Simd.LANES;
        for (int t = 0; t < 4; t++) {
            y[yOff + t * yStride] = withTail(sums[at + t], row, from, x, xOff + t * xStride);
        }
    }

    /**
     * Finishes a tile whose vector loop stopped at column {@code from}: sums the eight accumulators the tile
     * stored in {@code sums} (rows 0, 1 × tokens 0..3, {@code LANES} floats each), adds each row's scalar tail
     * and stores them.
     */
    final void finishTile(int row, int from, float[] x, int xOff, int xStride, float[] y, int yOff, int yStride,
                          float[] sums) {
        Simd.sumEach(sums, 0, 8);
        int at = 8 * Simd.LANES;
        for (int t = 0; t < 4; t++) {
            int xt = xOff + t * xStride;
            y[yOff + t * yStride + row] = withTail(sums[at + t], row, from, x, xt);
            y[yOff + t * yStride + row + 1] = withTail(sums[at + 4 + t], row + 1, from, x, xt);
        }
    }

    /** {@code sum} plus the scalar tail of row {@code row} (columns {@code from..cols}) against {@code x[xOff ..]}. */
    final float withTail(float sum, int row, int from, float[] x, int xOff) {
        for (int i = from; i < cols; i++) {
            sum += get(row, i) * x[xOff + i];
        }
        return sum;
    }
}
