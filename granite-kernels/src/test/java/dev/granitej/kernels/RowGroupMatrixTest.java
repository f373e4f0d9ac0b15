package dev.granitej.kernels;

import static dev.granitej.kernels.Tolerance.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The repacked Q4_0 and Q8_0 layouts: the same weights as ggml's rows, and one result per row whichever path
 * computes it. 75 rows: two groups of 32 and 11 ggml rows after them.
 */
class RowGroupMatrixTest {

    private static final int ROWS = 75;

    private final Random random = new Random(11);

    private WeightMatrix source(int rows, int cols) {
        return Matrices.random(WeightFormat.F32, rows, cols, random);
    }

    @ParameterizedTest
    @EnumSource(value = WeightFormat.class, names = {"Q4_0", "Q8_0"})
    void holdsGgmlsWeightsAndScalarDots(WeightFormat format) {
        for (int cols : new int[]{32, 96, 512}) {
            WeightMatrix f32 = source(ROWS, cols);
            Arena arena = Arena.ofAuto();
            WeightMatrix ggml = Quantizer.quantize(f32, format, arena);
            WeightMatrix packed = Quantizer.quantizeRepacked(f32, format, arena);
            assertInstanceOf(RowGroupMatrix.class, packed);
            assertEquals(format, packed.format());
            assertEquals(ggml.byteSize(), packed.byteSize());
            float[] x = Matrices.gaussian(cols, random);
            float[] a = new float[cols];
            float[] b = new float[cols];
            for (int r = 0; r < ROWS; r++) {
                for (int c = 0; c < cols; c++) {
                    assertEquals(ggml.get(r, c), packed.get(r, c), "row " + r + " col " + c);
                }
                assertEquals(ggml.dotScalar(r, x, 0), packed.dotScalar(r, x, 0), "dotScalar row " + r);
                ggml.readRow(r, a, 0);
                packed.decodeRow(r, b, 0);
                assertTrue(Arrays.equals(a, b), "decodeRow " + r);
                assertWithinActivationRounding(packed, r, x, "cols " + cols + " row " + r);
            }
            WeightMatrix repacked = RowGroupMatrix.pack(format, ggml.segment(), ROWS, cols, arena);
            assertEquals(-1L, repacked.segment().asSlice(0, packed.byteSize())
                    .mismatch(packed.segment().asSlice(0, packed.byteSize())), "pack of ggml rows = quantizeRepacked");
        }
    }

    /**
     * Decode multiplies by 8-bit activations: with {@code |x − dx·xq| ≤ dx/2} per activation, a row's decode dot
     * lies within {@code Σ_blocks |d|·dx/2·Σ|q − 8|} of the stored weights' product ({@code dotScalar}), plus fp32
     * rounding.
     */
    private static void assertWithinActivationRounding(WeightMatrix m, int row, float[] x, String what) {
        int cols = m.cols();
        double bound = 0;
        for (int b = 0; b < cols / WeightFormat.BLOCK; b++) {
            float max = 0f;
            double weights = 0;
            for (int i = b * WeightFormat.BLOCK; i < (b + 1) * WeightFormat.BLOCK; i++) {
                max = Math.max(max, Math.abs(x[i]));
                weights += Math.abs(m.get(row, i));
            }
            bound += weights * (max / 127f) / 2 * 1.0001;
        }
        double expected = m.dotScalar(row, x, 0);
        double actual = m.dotVector(row, x, 0);
        double diff = Math.abs(expected - actual);
        assertTrue(diff <= bound + Tolerance.bound(cols, Matrices.absDot(m, row, x, 0)),
                what + ": decode " + actual + ", stored weights' product " + expected + ", diff " + diff
                        + " > activation rounding " + bound);
    }

    @Test
    void activationsAreQuantizedPerBlockAsLlamaCppsQ8_0() {
        float[] x = Matrices.gaussian(96, random);
        x[40] = 0f;
        for (int i = 64; i < 96; i++) {
            x[i] = 0f; // an all-zero block: scale 0, every q 0
        }
        RowGroupMatrix.Activations a = RowGroupMatrix.Activations.of(x, 0, 96);
        for (int b = 0; b < 3; b++) {
            float max = 0f;
            int sum = 0;
            for (int i = 32 * b; i < 32 * b + 32; i++) {
                max = Math.max(max, Math.abs(x[i]));
                sum += a.q[i];
            }
            assertEquals(max / 127f, a.scale[b], "block " + b + " scale");
            assertEquals(-8 * sum, a.offset[b], "block " + b + " offset");
            for (int i = 32 * b; i < 32 * b + 32; i++) {
                assertTrue(Math.abs(a.q[i]) <= 127, "q[" + i + "] = " + a.q[i]);
                assertTrue(Math.abs(x[i] - a.scale[b] * a.q[i]) <= a.scale[b] / 2 * 1.0001 + 1e-30,
                        "x[" + i + "] = " + x[i] + " vs " + a.scale[b] * a.q[i]);
            }
        }
        assertEquals(0, a.q[40]);
        float[] bad = Matrices.gaussian(64, random);
        bad[35] = Float.POSITIVE_INFINITY;
        RowGroupMatrix.Activations nonFinite = RowGroupMatrix.Activations.of(bad, 0, 64);
        assertTrue(Float.isFinite(nonFinite.scale[0]));
        assertTrue(Float.isNaN(nonFinite.scale[1]), "a block with a non-finite activation gets a NaN scale");
        float[] tiny = new float[64];
        for (int i = 0; i < 64; i++) {
            tiny[i] = (i % 3 - 1) * 1e-38f * (1 + i); // a subnormal dx: its inverse would overflow
        }
        tiny[40] = 1f;
        RowGroupMatrix.Activations small = RowGroupMatrix.Activations.of(tiny, 0, 64);
        assertEquals(0f, small.scale[0], "a block below 127·2^-126 counts as zeros");
        for (int i = 0; i < 32; i++) {
            assertEquals(0, small.q[i]);
        }
        assertEquals(1f / 127f, small.scale[1]);
    }

    @ParameterizedTest
    @EnumSource(value = WeightFormat.class, names = {"Q4_0", "Q8_0"})
    void nonFiniteActivationsGiveNaNNotAClampedResult(WeightFormat format) {
        int cols = 64;
        WeightMatrix m = Quantizer.quantizeRepacked(source(ROWS, cols), format, Arena.ofAuto());
        float[] x = Matrices.gaussian(cols, random);
        x[7] = Float.NaN;
        float[] y = new float[ROWS];
        m.matvec(x, 0, y, 0, 0, ROWS);
        for (int r = 0; r < ROWS; r++) {
            assertTrue(Float.isNaN(y[r]), "row " + r + ": " + y[r]);
            assertTrue(Float.isNaN(m.dot(r, x, 0)), "dot row " + r);
        }
    }

    @ParameterizedTest
    @EnumSource(value = WeightFormat.class, names = {"Q4_0", "Q8_0"})
    void everyPathGivesEachRowItsDotBitForBit(WeightFormat format) {
        int cols = 128;
        WeightMatrix m = Quantizer.quantizeRepacked(source(ROWS, cols), format, Arena.ofAuto());
        int xOff = 3;
        float[] x = Matrices.gaussian(xOff + 5 * cols, random);
        // whole groups, a range starting and ending inside groups, one into the ggml rows, the ggml rows alone
        for (int[] range : new int[][]{{0, ROWS}, {0, 64}, {32, 64}, {5, 40}, {33, 70}, {64, 75}, {70, 75}, {9, 9}}) {
            float[] y = new float[ROWS + 2];
            Arrays.fill(y, -9f);
            m.matvec(x, xOff, y, 2, range[0], range[1]);
            for (int r = 0; r < ROWS; r++) {
                float expected = r >= range[0] && r < range[1] ? m.dot(r, x, xOff) : -9f;
                assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(y[r + 2]),
                        "matvec rows " + range[0] + ".." + range[1] + ", row " + r);
            }
        }
        // several tokens (four at a time, two, then one): the exact product over ranges that start and end inside
        // groups
        for (int[] range : new int[][]{{5, 70}, {33, 75}, {64, 75}, {0, 31}}) {
            for (int tokens = 2; tokens <= 5; tokens++) {
                float[] exact = new float[tokens * ROWS];
                m.matmulExact(x, cols, exact, ROWS, tokens, range[0], range[1]);
                for (int t = 0; t < tokens; t++) {
                    for (int r = range[0]; r < range[1]; r++) {
                        assertEquals(Float.floatToRawIntBits(m.dot(r, x, t * cols)),
                                Float.floatToRawIntBits(exact[t * ROWS + r]),
                                "exact rows " + range[0] + ".." + range[1] + ", t=" + t + " r=" + r);
                    }
                }
            }
        }
        // several tokens: the exact product, and the tiled one below a vector of tokens, are each token's matvec
        for (int tokens = 1; tokens <= 5; tokens++) {
            float[] exact = new float[tokens * ROWS];
            float[] tiled = new float[tokens * ROWS];
            m.matmulExact(x, cols, exact, ROWS, tokens, 0, ROWS);
            m.matmul(x, cols, tiled, ROWS, tokens, 0, ROWS);
            for (int t = 0; t < tokens; t++) {
                for (int r = 0; r < ROWS; r++) {
                    int bits = Float.floatToRawIntBits(m.dot(r, x, t * cols));
                    assertEquals(bits, Float.floatToRawIntBits(exact[t * ROWS + r]), "exact t=" + t + " r=" + r);
                    if (tokens < Simd.LANES) {
                        assertEquals(bits, Float.floatToRawIntBits(tiled[t * ROWS + r]), "matmul t=" + t + " r=" + r);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = WeightFormat.class, names = {"Q4_0", "Q8_0"})
    void manyTokensMatchTheScalarTwin(WeightFormat format) {
        int cols = 256;
        int tokens = 40;
        WeightMatrix m = Quantizer.quantizeRepacked(source(ROWS, cols), format, Arena.ofAuto());
        float[] x = Matrices.gaussian(tokens * cols, random);
        float[] expected = new float[tokens * ROWS];
        float[] actual = new float[tokens * ROWS];
        m.matmulScalar(x, cols, expected, ROWS, tokens, 0, ROWS);
        m.matmul(x, cols, actual, ROWS, tokens, 0, ROWS);
        for (int t = 0; t < tokens; t++) {
            for (int r = 0; r < ROWS; r++) {
                assertClose(expected[t * ROWS + r], actual[t * ROWS + r], cols,
                        Matrices.absDot(m, r, x, t * cols), "t=" + t + " r=" + r);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = WeightFormat.class, names = {"Q4_0", "Q8_0"})
    void prefillIsTheFmaChainOverDecodedRowsBitForBit(WeightFormat format) {
        // tiles of 12, 4 and 1 tokens; whole groups, rows before and after them, the ggml rows. In scalar mode the
        // product is the scalar twin's instead (dotScalar: per-block sums, then the scale)
        int cols = 96;
        WeightMatrix m = Quantizer.quantizeRepacked(source(ROWS, cols), format, Arena.ofAuto());
        float[] row = new float[cols];
        for (int tokens : new int[]{Simd.LANES, 17, 29, 40}) {
            float[] x = Matrices.gaussian(tokens * cols, random);
            for (int[] range : new int[][]{{0, ROWS}, {5, 70}, {40, 75}, {66, 75}}) {
                float[] y = new float[tokens * ROWS];
                m.matmul(x, cols, y, ROWS, tokens, range[0], range[1]);
                for (int r = range[0]; r < range[1]; r++) {
                    m.decodeRow(r, row, 0);
                    for (int t = 0; t < tokens; t++) {
                        float expected = Kernels.VECTOR ? PanelMatmul.dotFma(row, 0, cols, x, t * cols)
                                : m.dotScalar(r, x, t * cols);
                        assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(y[t * ROWS + r]),
                                "tokens " + tokens + ", rows " + range[0] + ".." + range[1] + ", t=" + t + " r=" + r);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = WeightFormat.class, names = {"Q4_0", "Q8_0"})
    void threadsSplitOnWholeGroupsWithTheSameResults(WeightFormat format) {
        int cols = 64;
        int rows = 203;
        WeightMatrix m = Quantizer.quantizeRepacked(source(rows, cols), format, Arena.ofAuto());
        float[] x = Matrices.gaussian(cols * 5, random);
        float[] single = new float[rows];
        float[] split = new float[rows];
        int tokens = 3; // below a vector of tokens at every width: matmul is then the exact product
        float[] singleMm = new float[rows * tokens];
        float[] splitMm = new float[rows * tokens];
        float[] splitExact = new float[rows * tokens];
        m.matvec(x, single);
        m.matmul(x, cols, singleMm, rows, tokens, 0, rows);
        float[] prefill = new float[rows * 40];
        float[] prefillSplit = new float[rows * 40];
        float[] x40 = Matrices.gaussian(cols * 40, random);
        m.matmul(x40, cols, prefill, rows, 40, 0, rows);
        try (Parallel pool = new Parallel(3)) {
            m.matmul(pool, x40, cols, prefillSplit, rows, 40);
            m.matvec(pool, x, split);
            m.matmul(pool, x, cols, splitMm, rows, tokens);
            m.matmulExact(pool, x, cols, splitExact, rows, tokens);
        }
        assertTrue(Arrays.equals(single, split), "matvec differs when split over threads");
        assertTrue(Arrays.equals(singleMm, splitMm), "matmul differs when split over threads");
        assertTrue(Arrays.equals(singleMm, splitExact), "matmulExact differs from matmul");
        assertTrue(Arrays.equals(prefill, prefillSplit), "40-token matmul differs when split over threads");
    }

    @ParameterizedTest
    @EnumSource(value = WeightFormat.class, names = {"Q4_0", "Q8_0"})
    void groupsSideBySideGiveEachRowItsDotBitForBit(WeightFormat format) {
        // matvec runs a range's whole groups in three parts side by side, those left over side by side too, or (one
        // pass a group) in two halves, an odd one alone: seven groups and nine ggml rows, over ranges of 7 to 1
        // whole groups; y starts as garbage
        int cols = 96;
        int rows = 7 * RowGroupMatrix.GROUP + 9;
        WeightMatrix m = Quantizer.quantizeRepacked(source(rows, cols), format, Arena.ofAuto());
        float[] x = Matrices.gaussian(cols, random);
        for (int[] range : new int[][]{{0, rows}, {0, 224}, {0, 192}, {32, 224}, {0, 128}, {32, 128}, {5, 130},
                {64, 128}, {96, 140}, {200, rows}}) {
            float[] y = new float[rows];
            Arrays.fill(y, Float.NaN);
            m.matvec(x, 0, y, 0, range[0], range[1]);
            float[] streams = new float[rows];
            float[] pairs = new float[rows];
            Arrays.fill(streams, Float.NaN);
            Arrays.fill(pairs, Float.NaN);
            if (Kernels.VECTOR) {
                // both decode orders whatever this CPU's width picks (pairs where one pass covers a group)
                RowGroupMatrix.Activations a = ((RowGroupMatrix) m).decodeActivations(x, 0);
                ((RowGroupMatrix) m).rowsVector(a, streams, 0, range[0], range[1], true);
                ((RowGroupMatrix) m).rowsVector(a, pairs, 0, range[0], range[1], false);
            }
            for (int r = range[0]; r < range[1]; r++) {
                int dot = Float.floatToRawIntBits(m.dot(r, x, 0));
                String where = "rows " + range[0] + ".." + range[1] + ", row " + r;
                assertEquals(dot, Float.floatToRawIntBits(y[r]), where);
                if (Kernels.VECTOR) {
                    assertEquals(dot, Float.floatToRawIntBits(streams[r]), "groups in streams, " + where);
                    assertEquals(dot, Float.floatToRawIntBits(pairs[r]), "groups in pairs, " + where);
                }
            }
        }
    }

    @Test
    void blocksAtTheSixteenBitLimitEndExact() {
        // weights of ±1 with a −1 first in every block quantize to d = 1/8 and nibbles 0 or 15, activations of ±1
        // to ±127: each block sums to ±(8·127·n₋ + 7·127·n₊), up to 32·8·127 = 32512, and the lanes' products and
        // factors (q[16+j] − 16·q[j] up to 2159 in size) wrap on the way there
        int cols = 4 * WeightFormat.BLOCK;
        int rows = 2 * RowGroupMatrix.GROUP + 3;
        MemorySegment seg = Arena.ofAuto().allocate((long) rows * cols * 4);
        float[] plus = new float[cols];
        for (int c = 0; c < cols; c++) {
            plus[c] = c % WeightFormat.BLOCK == 0 || c % 5 == 1 ? -1f : 1f;
        }
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                // row r: the pattern, with one more weight flipped in blocks after the first
                float w = c % WeightFormat.BLOCK != 0 && c % 31 == r % 31 ? -plus[c] : plus[c];
                seg.setAtIndex(ValueLayout.JAVA_FLOAT, (long) r * cols + c, w);
            }
        }
        WeightMatrix m = Quantizer.quantizeRepacked(WeightMatrix.of(WeightFormat.F32, seg, rows, cols),
                WeightFormat.Q4_0, Arena.ofAuto());
        // both signs as one pair of tokens (the two-token kernel), twice as four tokens (the four-token one), and
        // each alone (one token)
        float[] pair = new float[2 * cols];
        for (int c = 0; c < cols; c++) {
            pair[c] = plus[c];
            pair[cols + c] = -plus[c];
        }
        float[] pairOut = new float[2 * rows];
        m.matmulExact(pair, cols, pairOut, rows, 2, 0, rows);
        float[] quad = new float[4 * cols];
        System.arraycopy(pair, 0, quad, 0, 2 * cols);
        System.arraycopy(pair, 0, quad, 2 * cols, 2 * cols);
        float[] quadOut = new float[4 * rows];
        m.matmulExact(quad, cols, quadOut, rows, 4, 0, rows);
        assertTrue(Arrays.equals(pairOut, Arrays.copyOfRange(quadOut, 0, 2 * rows)), "four tokens, the first two");
        assertTrue(Arrays.equals(pairOut, Arrays.copyOfRange(quadOut, 2 * rows, 4 * rows)),
                "four tokens, the last two");
        for (float sign : new float[]{1f, -1f}) {
            float[] x = Arrays.copyOfRange(pair, sign > 0 ? 0 : cols, sign > 0 ? cols : 2 * cols);
            float[] y = new float[rows];
            m.matvec(x, 0, y, 0, 0, rows);
            for (int r = 0; r < rows; r++) {
                float expected = 0f;
                for (int b = 0; b < cols / WeightFormat.BLOCK; b++) {
                    int sum = 0;
                    for (int c = b * WeightFormat.BLOCK; c < (b + 1) * WeightFormat.BLOCK; c++) {
                        int q = m.get(r, c) < 0 ? 0 : 15;
                        sum += (q - 8) * Math.round(x[c] * 127);
                    }
                    assertTrue(Math.abs(sum) > 27_000, "block " + b + " sums to " + sum);
                    expected = Math.fma((float) sum, 0.125f * (1f / 127f), expected);
                }
                assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(y[r]),
                        "sign " + sign + ", row " + r + ": " + expected + " vs " + y[r]);
                assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(m.dot(r, x, 0)), "dot " + r);
                assertEquals(Float.floatToRawIntBits(expected),
                        Float.floatToRawIntBits(pairOut[(sign > 0 ? 0 : rows) + r]), "token pair, row " + r);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = WeightFormat.class, names = {"Q4_0", "Q8_0"})
    void inputRoundingBoundsWhatTheKernelsReadOfTheToken(WeightFormat format) {
        int cols = 160;
        WeightMatrix m = Quantizer.quantizeRepacked(source(ROWS, cols), format, Arena.ofAuto());
        float[] x = Matrices.gaussian(2 + cols, random);
        x[2 + 40] = 30f; // one block with a large activation rounds the others' neighbours coarsely
        RowGroupMatrix.Activations a = RowGroupMatrix.Activations.of(x, 2, cols);
        double squares = 0;
        for (int i = 0; i < cols; i++) {
            double e = x[2 + i] - (double) a.scale[i / WeightFormat.BLOCK] * a.q[i];
            squares += e * e;
        }
        double rounding = m.inputRounding(x, 2);
        assertEquals(Kernels.VECTOR ? Math.sqrt(squares) : 0, rounding, 1e-12 * Math.sqrt(squares));
        float[] row = new float[cols];
        for (int r = 0; r < ROWS; r++) {
            m.readRow(r, row, 0);
            double norm = 0;
            for (float w : row) {
                norm += (double) w * w;
            }
            // the kernels' dot against the stored weights' product: within ‖W_r‖·‖x − x̂‖ and fp32 rounding
            double diff = Math.abs(m.dot(r, x, 2) - m.dotScalar(r, x, 2));
            assertTrue(diff <= Math.sqrt(norm) * rounding + 2 * Tolerance.bound(cols, Matrices.absDot(m, r, x, 2)),
                    format + " row " + r + ": " + diff + " > " + Math.sqrt(norm) * rounding);
        }
        assertThrows(IndexOutOfBoundsException.class, () -> m.inputRounding(x, 3));
        assertEquals(0, Quantizer.quantize(source(ROWS, cols), format, Arena.ofAuto()).inputRounding(x, 0));
    }

    @ParameterizedTest
    @EnumSource(value = WeightFormat.class, names = {"Q4_0", "Q8_0"})
    void decodeReadsOnlyActivationsWidenedForItsFormatSinceTheyWereQuantized(WeightFormat format) {
        int cols = 96;
        RowGroupMatrix m = (RowGroupMatrix) Quantizer.quantizeRepacked(source(ROWS, cols), format, Arena.ofAuto());
        RowGroupMatrix other = (RowGroupMatrix) Quantizer.quantizeRepacked(source(ROWS, cols),
                format == WeightFormat.Q4_0 ? WeightFormat.Q8_0 : WeightFormat.Q4_0, Arena.ofAuto());
        float[] x = Matrices.gaussian(cols, random);
        float[] y = new float[ROWS];
        RowGroupMatrix.Activations a = RowGroupMatrix.Activations.of(x, 0, cols);
        assertThrows(IllegalStateException.class, () -> m.rowsVector(a, y, 0, 0, ROWS), "never widened");
        a.widen(other.factors(a), cols);
        assertThrows(IllegalStateException.class, () -> m.rowsVector(a, y, 0, 0, ROWS), "widened for another format");
        a.widen(m.factors(a), cols);
        m.rowsVector(a, y, 0, 0, ROWS);
        for (int r = 0; r < ROWS; r++) {
            // the lane sequence, whatever the kernel mode (in scalar mode dot is the float product)
            assertEquals(Float.floatToRawIntBits(m.laneDot(r, a)), Float.floatToRawIntBits(y[r]), "row " + r);
        }
        a.quantize(Matrices.gaussian(cols, random), 0, cols);
        assertThrows(IllegalStateException.class, () -> m.rowsVector(a, y, 0, 0, ROWS), "stale after quantize");
    }

    @Test
    void q8BlocksOfFullScaleWeightsAndActivationsEndExact() {
        // weights and activations of ±1 quantize to ±127: pairs of products reach ±32258 in the 16-bit lanes, and
        // blocks sum to up to 32·127·127 = 516128, far past them, in the rows of even and odd lanes alike
        int cols = 4 * WeightFormat.BLOCK;
        int rows = 2 * RowGroupMatrix.GROUP + 3;
        MemorySegment seg = Arena.ofAuto().allocate((long) rows * cols * 4);
        float[] plus = new float[cols];
        for (int c = 0; c < cols; c++) {
            plus[c] = c % 7 == 3 ? -1f : 1f;
        }
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                // row r: the pattern, with a few more weights flipped, and every weight flipped in odd rows
                float w = c % 29 == r % 29 ? -plus[c] : plus[c];
                seg.setAtIndex(ValueLayout.JAVA_FLOAT, (long) r * cols + c, r % 2 == 0 ? w : -w);
            }
        }
        WeightMatrix m = Quantizer.quantizeRepacked(WeightMatrix.of(WeightFormat.F32, seg, rows, cols),
                WeightFormat.Q8_0, Arena.ofAuto());
        float d = Float.float16ToFloat(Float.floatToFloat16(1f / 127f));
        float[] y = new float[rows];
        m.matvec(plus, 0, y, 0, 0, rows);
        // the same token twice as a pair of tokens (the two-token kernel)
        float[] twice = new float[2 * cols];
        System.arraycopy(plus, 0, twice, 0, cols);
        System.arraycopy(plus, 0, twice, cols, cols);
        float[] pairOut = new float[2 * rows];
        m.matmulExact(twice, cols, pairOut, rows, 2, 0, rows);
        for (int r = 0; r < rows; r++) {
            float expected = 0f;
            for (int b = 0; b < cols / WeightFormat.BLOCK; b++) {
                int sum = 0;
                for (int c = b * WeightFormat.BLOCK; c < (b + 1) * WeightFormat.BLOCK; c++) {
                    sum += (m.get(r, c) < 0 ? -127 : 127) * (plus[c] < 0 ? -127 : 127);
                }
                assertTrue(Math.abs(sum) > 400_000, "block " + b + " sums to " + sum);
                expected = Math.fma((float) sum, d * (1f / 127f), expected);
            }
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(y[r]),
                    "row " + r + ": " + expected + " vs " + y[r]);
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(m.dot(r, plus, 0)), "dot " + r);
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(pairOut[r]), "pair, first " + r);
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(pairOut[rows + r]),
                    "pair, second " + r);
        }
    }

    @ParameterizedTest
    @EnumSource(value = WeightFormat.class, names = {"Q4_0", "Q8_0"})
    void oneScratchServesPrefillsOfEveryShape(WeightFormat format) {
        // the pool's products take a decoded group per chunk and, for the ggml rows after the groups, the tokens
        // laid out once and panels per chunk from one scratch: buffers left by a bigger product (or one with no ggml
        // rows) must give each later one the scratch-less result
        MatmulScratch scratch = new MatmulScratch();
        try (Parallel pool = new Parallel(3)) {
            for (int[] shape : new int[][]{{203, 96}, {64, 64}, {75, 32}, {203, 64}}) {
                int rows = shape[0];
                int cols = shape[1];
                WeightMatrix m = Quantizer.quantizeRepacked(source(rows, cols), format, Arena.ofAuto());
                for (int tokens : new int[]{40, Simd.LANES, 3, 17}) {
                    float[] x = Matrices.gaussian(tokens * cols, random);
                    float[] alone = new float[tokens * rows];
                    float[] pooled = new float[tokens * rows];
                    m.matmul(x, cols, alone, rows, tokens, 0, rows);
                    m.matmul(pool, x, cols, pooled, rows, tokens, scratch);
                    assertTrue(Arrays.equals(alone, pooled), rows + "x" + cols + ", " + tokens + " tokens");
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = WeightFormat.class, names = {"Q4_0", "Q8_0"})
    void viewsStartOnGroupsAndReadTheSameRows(WeightFormat format) {
        int cols = 96;
        WeightMatrix m = Quantizer.quantizeRepacked(source(ROWS, cols), format, Arena.ofAuto());
        float[] x = Matrices.gaussian(cols, random);
        for (int[] view : new int[][]{{32, 32}, {0, 64}, {32, 43}, {64, 11}}) {
            WeightMatrix v = m.rows(view[0], view[1]);
            assertEquals(view[1], v.rows());
            float[] y = new float[view[1]];
            v.matvec(x, y);
            for (int r = 0; r < view[1]; r++) {
                assertEquals(m.get(view[0] + r, 17), v.get(r, 17));
                assertEquals(Float.floatToRawIntBits(m.dot(view[0] + r, x, 0)), Float.floatToRawIntBits(y[r]),
                        "view " + view[0] + "+" + view[1] + " row " + r);
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.rows(3, 8));
        assertTrue(e.getMessage().contains("multiple of 32"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.rows(0, 40));
    }

    /**
     * The decode kernels read each group block through a slice of the matrix's segment; here the segment is a file
     * mapping (another segment class than the arena's) that ends with the last group's last block.
     */
    @ParameterizedTest
    @EnumSource(value = WeightFormat.class, names = {"Q4_0", "Q8_0"})
    void aMatrixMappedFromAFileEndingWithItsLastGroupReadsTheSameRows(WeightFormat format, @TempDir Path dir)
            throws IOException {
        int rows = 64;
        int cols = 96;
        WeightMatrix m = Quantizer.quantizeRepacked(source(rows, cols), format, Arena.ofAuto());
        Path file = dir.resolve("weights.bin");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.write(m.data.asByteBuffer());
        }
        float[] x = Matrices.gaussian(2 * cols, random);
        try (Arena arena = Arena.ofConfined(); FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, m.data.byteSize(), arena);
            WeightMatrix fromFile = WeightMatrix.ofRepacked(format, mapped, rows, cols);
            float[] y = new float[rows];
            fromFile.matvec(x, 0, y, 0, 0, rows);
            float[] two = new float[2 * rows];
            fromFile.matmulExact(x, cols, two, rows, 2, 0, rows);
            for (int r = 0; r < rows; r++) {
                int bits = Float.floatToRawIntBits(m.dot(r, x, 0));
                assertEquals(bits, Float.floatToRawIntBits(y[r]), "matvec row " + r);
                assertEquals(bits, Float.floatToRawIntBits(two[r]), "exact t=0 row " + r);
                assertEquals(Float.floatToRawIntBits(m.dot(r, x, cols)), Float.floatToRawIntBits(two[rows + r]),
                        "exact t=1 row " + r);
            }
        }
    }

    @Test
    void otherFormatsAreNotRepacked() {
        WeightMatrix f32 = source(40, 64);
        WeightMatrix bf16 = WeightMatrix.of(WeightFormat.BF16, Arena.ofAuto().allocate(40 * 64 * 2), 40, 64);
        assertInstanceOf(F32Matrix.class, WeightMatrix.ofRepacked(WeightFormat.F32, f32.segment(), 40, 64));
        assertInstanceOf(Bf16Matrix.class, WeightMatrix.ofRepacked(WeightFormat.BF16, bf16.segment(), 40, 64));
        assertInstanceOf(Q8PackedMatrix.class, Quantizer.quantizeRepacked(f32, WeightFormat.Q8_0, Arena.ofAuto()));
        assertInstanceOf(Q4PackedMatrix.class, Quantizer.quantizeRepacked(f32, WeightFormat.Q4_0, Arena.ofAuto()));
    }
}
