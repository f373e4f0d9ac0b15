package dev.granitej.kernels;

import static dev.granitej.kernels.Tolerance.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class WeightMatrixTest {

    private final Random random = new Random(7);

    /** Row lengths: every length 1..300 for element formats, whole blocks for the block formats. */
    private static int[] colsFor(WeightFormat format) {
        if (!format.isBlockQuantized()) {
            return Tolerance.sizes();
        }
        return new int[]{32, 64, 96, 128, 160, 288, 1024, 4096};
    }

    @ParameterizedTest
    @EnumSource(WeightFormat.class)
    void vectorDotMatchesScalarTwin(WeightFormat format) {
        for (int cols : colsFor(format)) {
            if (cols == 0) {
                continue;
            }
            WeightMatrix m = Matrices.random(format, 3, cols, random);
            float[] x = Matrices.gaussian(cols + 5, random);
            for (int r = 0; r < 3; r++) {
                assertClose(m.dotScalar(r, x, 5), m.dotVector(r, x, 5),
                        cols, Matrices.absDot(m, r, x, 5), format + " cols=" + cols + " row=" + r);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(WeightFormat.class)
    void scalarDotEqualsDequantizeThenDot(WeightFormat format) {
        WeightMatrix m = Matrices.random(format, 4, 320, random);
        float[] x = Matrices.gaussian(320, random);
        float[] row = new float[320];
        for (int r = 0; r < 4; r++) {
            m.readRow(r, row, 0);
            assertClose(ScalarVec.dot(row, 0, x, 0, 320), m.dotScalar(r, x, 0), 320, Matrices.absDot(m, r, x, 0),
                    format + " row " + r);
        }
    }

    @ParameterizedTest
    @EnumSource(WeightFormat.class)
    void rowViewReadsTheSameRows(WeightFormat format) {
        WeightMatrix m = Matrices.random(format, 9, 96, random);
        WeightMatrix view = m.rows(3, 4);
        assertEquals(4, view.rows());
        assertEquals(m.format(), view.format());
        float[] x = Matrices.gaussian(96, random);
        for (int r = 0; r < 4; r++) {
            assertEquals(m.dotScalar(r + 3, x, 0), view.dotScalar(r, x, 0));
            assertEquals(m.dotVector(r + 3, x, 0), view.dotVector(r, x, 0));
            assertEquals(m.get(r + 3, 17), view.get(r, 17));
        }
    }

    @ParameterizedTest
    @EnumSource(WeightFormat.class)
    void matvecFillsOnlyTheRowRange(WeightFormat format) {
        WeightMatrix m = Matrices.random(format, 11, 160, random);
        float[] x = Matrices.gaussian(162, random);
        float[] y = new float[14];
        java.util.Arrays.fill(y, -99f);
        m.matvec(x, 2, y, 3, 2, 9);
        for (int i = 0; i < y.length; i++) {
            int r = i - 3;
            if (r >= 2 && r < 9) {
                assertClose(m.dotScalar(r, x, 2), y[i], 160, Matrices.absDot(m, r, x, 2), "row " + r);
            } else {
                assertEquals(-99f, y[i], "untouched y[" + i + "]");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(WeightFormat.class)
    void matvecIsEachRowsDotExactly(WeightFormat format) {
        // matvec runs four rows at a time (rows r, r+q, r+2q, r+3q of a range of 4q+k rows) where the format has a
        // four-row kernel; each result must still be that row's own dot, bit for bit, for every range shape
        // WeightMatrix.FOUR_STREAM_COLS columns: wide enough for the four-row kernels and whole 4-vector steps at
        // every width; 512: four at a time for Q4_0 and Q8_0 (their fourStreamCols), one by one for the others;
        // 96: rows one by one
        for (int cols : new int[]{96, 512, WeightMatrix.FOUR_STREAM_COLS}) {
            WeightMatrix m = Matrices.random(format, 23, cols, random);
            float[] x = Matrices.gaussian(cols + 3, random);
            for (int[] range : new int[][]{{0, 23}, {0, 4}, {1, 8}, {3, 6}, {5, 22}, {7, 7}}) {
                float[] y = new float[23];
                m.matvec(x, 3, y, 0, range[0], range[1]);
                for (int r = range[0]; r < range[1]; r++) {
                    assertEquals(Float.floatToRawIntBits(m.dot(r, x, 3)), Float.floatToRawIntBits(y[r]),
                            format + " cols " + cols + ", rows " + range[0] + ".." + range[1] + ", row " + r);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(WeightFormat.class)
    void dotFewIsDotBitForBit(WeightFormat format) {
        // bf16 replicates its vector chain in scalar code: every column count must land on the same bits, with and
        // without one-vector steps after the four-vector ones and scalar columns after the vectors
        int[] widths = format.isBlockQuantized() ? new int[]{32, 96, 1536}
                : new int[]{1, 5, 8, 31, 32, 37, 96, 100, 136, 1536};
        for (int cols : widths) {
            WeightMatrix m = Matrices.random(format, 5, cols, random);
            float[] x = Matrices.gaussian(cols + 2, random);
            for (int r = 0; r < 5; r++) {
                assertEquals(Float.floatToRawIntBits(m.dot(r, x, 2)), Float.floatToRawIntBits(m.dotFew(r, x, 2)),
                        format + " cols " + cols + " row " + r);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(WeightFormat.class)
    void fourAndTwoRowKernelsAreEachRowsDotExactly(WeightFormat format) {
        // matvec uses a multi-row kernel only where it pays off (Q8_0's four-row one not with AVX2's 16 registers,
        // where it runs two rows), so on some machines matvecIsEachRowsDotExactly never reaches one: both called
        // here directly; the four-row ones at any width where a byte vector feeds one float vector (not 128-bit
        // floats, which never run them), the two-row ones at every width
        int cols = WeightMatrix.FOUR_STREAM_COLS;
        WeightMatrix m = Matrices.random(format, 12, cols, random);
        float[] x = Matrices.gaussian(cols + 3, random);
        for (int streams : Simd.PAIRS ? new int[]{2} : new int[]{4, 2}) {
            int step = 12 / streams;
            float[] y = new float[12];
            for (int r = 0; r < step; r++) {
                if (streams == 4) {
                    m.dotRows4(r, step, x, 3, y, r);
                } else {
                    m.dotRows2(r, step, x, 3, y, r);
                }
            }
            for (int r = 0; r < 12; r++) {
                assertEquals(Float.floatToRawIntBits(m.dotVector(r, x, 3)), Float.floatToRawIntBits(y[r]),
                        format + ", " + streams + " rows at once, row " + r);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(WeightFormat.class)
    void tiledMatmulMatchesScalarTwin(WeightFormat format) {
        int[] colsList = format.isBlockQuantized() ? new int[]{32, 96, 256} : new int[]{1, 15, 16, 17, 33, 100, 256};
        for (int cols : colsList) {
            WeightMatrix m = Matrices.random(format, 7, cols, random);
            // up to 9 tokens: tiles of four tokens and leftovers; 12, 14, 16, 23: wide tiles of six as well
            for (int tokens : new int[]{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 14, 16, 23}) {
                for (int[] range : new int[][]{{0, 7}, {1, 6}, {3, 4}, {2, 2}}) {
                    int xStride = cols + 3;
                    int yStride = 9;
                    float[] x = Matrices.gaussian(Math.max(1, tokens * xStride), random);
                    float[] expected = new float[Math.max(1, tokens * yStride)];
                    float[] actual = new float[expected.length];
                    java.util.Arrays.fill(expected, -7f);
                    java.util.Arrays.fill(actual, -7f);
                    m.matmulScalar(x, xStride, expected, yStride, tokens, range[0], range[1]);
                    m.matmulVector(x, xStride, actual, yStride, tokens, range[0], range[1]);
                    for (int t = 0; t < tokens; t++) {
                        for (int r = 0; r < yStride; r++) {
                            int i = t * yStride + r;
                            double scale = r < 7 ? Matrices.absDot(m, r, x, t * xStride) : 0;
                            assertClose(expected[i], actual[i], cols, scale,
                                    format + " cols=" + cols + " tokens=" + tokens + " t=" + t + " r=" + r);
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(WeightFormat.class)
    void tiledMatmulOverManyTokensCrossesTokenBlocks(WeightFormat format) {
        // 4096 columns make a token block of 32 tokens; 70 tokens cross two block boundaries.
        WeightMatrix m = Matrices.random(format, 5, 4096, random);
        int tokens = 70;
        float[] x = Matrices.gaussian(tokens * 4096, random);
        float[] expected = new float[tokens * 5];
        float[] actual = new float[tokens * 5];
        m.matmulScalar(x, 4096, expected, 5, tokens, 0, 5);
        m.matmulVector(x, 4096, actual, 5, tokens, 0, 5);
        for (int t = 0; t < tokens; t++) {
            for (int r = 0; r < 5; r++) {
                assertClose(expected[t * 5 + r], actual[t * 5 + r], 4096, Matrices.absDot(m, r, x, t * 4096),
                        format + " t=" + t + " r=" + r);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(WeightFormat.class)
    void parallelProductsEqualSingleThread(WeightFormat format) {
        WeightMatrix m = Matrices.random(format, 203, 64, random);
        float[] x = Matrices.gaussian(64 * 5, random);
        float[] single = new float[203];
        float[] split = new float[203];
        m.matvec(x, single);
        float[] singleMm = new float[203 * 5];
        float[] splitMm = new float[203 * 5];
        m.matmul(x, 64, singleMm, 203, 5, 0, 203);
        try (Parallel pool = new Parallel(3)) {
            m.matvec(pool, x, split);
            m.matmul(pool, x, 64, splitMm, 203, 5);
        }
        assertTrue(java.util.Arrays.equals(single, split), "matvec differs when split over threads");
        assertTrue(java.util.Arrays.equals(singleMm, splitMm), "matmul differs when split over threads");
    }

    @ParameterizedTest
    @EnumSource(WeightFormat.class)
    void reusedScratchGivesTheSameProducts(WeightFormat format) {
        // One scratch for calls of growing and shrinking size: leftovers of a larger call must not leak. 70 and 33
        // tokens run on decoded panels, 16 and 6 on wide tiles where the format has them (bf16 with 32 registers;
        // otherwise 16 on panels and 6 on two-row tiles), 5 on two-row tiles, their sums in the scratch.
        WeightMatrix m = Matrices.random(format, 53, 96, random);
        MatmulScratch scratch = new MatmulScratch();
        try (Parallel pool = new Parallel(3)) {
            for (int tokens : new int[]{70, 5, 33, 1, 16, 6, 70}) {
                float[] x = Matrices.gaussian(tokens * 96, random);
                float[] fresh = new float[tokens * 53];
                float[] reused = new float[tokens * 53];
                m.matmul(x, 96, fresh, 53, tokens, 0, 53);
                m.matmul(pool, x, 96, reused, 53, tokens, scratch);
                assertTrue(java.util.Arrays.equals(fresh, reused), format + " tokens=" + tokens);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = WeightFormat.class, names = {"F32", "BF16", "F16"})
    void matmulOfARowDoesNotDependOnTheRowRange(WeightFormat format) {
        // With 60 tokens (decoded panels) rows 1..5 fall in other places of a panel than in rows 0..6; each row must
        // still round the same way. With 9 and 16 tokens (tiles on the stored weights: two rows each, or four and
        // two where the format has wide tiles) that holds for ranges that start on a row pair, as the parallel
        // split's do: rows 2..5.
        int cols = 37;
        WeightMatrix m = Matrices.random(format, 7, cols, random);
        rowResultsDoNotDependOnTheRowRange(m, cols, 60, 1, format);
        rowResultsDoNotDependOnTheRowRange(m, cols, 9, 2, format);
        rowResultsDoNotDependOnTheRowRange(m, cols, 16, 2, format);
    }

    @ParameterizedTest
    @EnumSource(WeightFormat.class)
    void wideTilesAreTheTwoRowTileBitForBit(WeightFormat format) {
        int[] colsList = format.isBlockQuantized() ? new int[]{32, 96, 1536} : new int[]{1, 15, 16, 17, 100, 1536};
        for (int cols : colsList) {
            WeightMatrix m = Matrices.random(format, 6, cols, random);
            int xStride = cols + 5;
            int yStride = 11;
            float[] x = Matrices.gaussian(6 * xStride, random);
            float[] sums = new float[WeightMatrix.WIDE_SUMS];
            float[] expected = new float[6 * yStride];
            m.tile(1, x, 0, xStride, expected, 0, yStride, sums);
            m.tile(3, x, 0, xStride, expected, 0, yStride, sums);
            m.tile(1, x, 2 * xStride, xStride, expected, 2 * yStride, yStride, sums);
            m.tile(3, x, 2 * xStride, xStride, expected, 2 * yStride, yStride, sums);
            float[] four = new float[6 * yStride];
            float[] six = new float[6 * yStride];
            m.tile4x4(1, x, 0, xStride, four, 0, yStride, sums);
            m.tile4x6(1, x, 0, xStride, six, 0, yStride, sums);
            for (int t = 0; t < 6; t++) {
                for (int r = 0; r < yStride; r++) {
                    int i = t * yStride + r;
                    assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(six[i]),
                            format + " 4x6 cols=" + cols + " t=" + t + " r=" + r);
                    assertEquals(Float.floatToRawIntBits(t < 4 ? expected[i] : 0f), Float.floatToRawIntBits(four[i]),
                            format + " 4x4 cols=" + cols + " t=" + t + " r=" + r);
                }
            }
        }
    }

    private void rowResultsDoNotDependOnTheRowRange(WeightMatrix m, int cols, int tokens, int from,
                                                    WeightFormat format) {
        float[] x = Matrices.gaussian(tokens * cols, random);
        float[] whole = new float[tokens * 7];
        float[] part = new float[tokens * 7];
        m.matmulVector(x, cols, whole, 7, tokens, 0, 7);
        m.matmulVector(x, cols, part, 7, tokens, from, 6);
        for (int t = 0; t < tokens; t++) {
            for (int r = from; r < 6; r++) {
                assertEquals(whole[t * 7 + r], part[t * 7 + r],
                        format + " tokens=" + tokens + " t=" + t + " r=" + r);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(WeightFormat.class)
    void panelMatmulIsTheFmaChainOverDecodedRowsBitForBit(WeightFormat format) {
        // 29 rows: two full panels and a padded one; 1..70 tokens: whole groups, half groups, a token block
        // boundary (4096 columns make blocks of 32 tokens) and K_CHUNK passes (4096 > 512 columns).
        for (int cols : format.isBlockQuantized() ? new int[]{32, 4096} : new int[]{1, 37, 4096}) {
            WeightMatrix m = Matrices.random(format, 29, cols, random);
            if (!m.decodesPanels()) {
                return;
            }
            float[] row = new float[cols];
            for (int tokens : new int[]{1, 7, 16, 17, 33, 70}) {
                float[] x = Matrices.gaussian(tokens * cols, random);
                float[] y = new float[tokens * 29];
                m.matmulPanels(x, cols, y, 29, tokens, 0, 29);
                for (int r = 0; r < 29; r++) {
                    m.decodeRow(r, row, 0);
                    for (int t = 0; t < tokens; t++) {
                        assertEquals(PanelMatmul.dotFma(row, 0, cols, x, t * cols), y[t * 29 + r],
                                format + " cols=" + cols + " tokens=" + tokens + " t=" + t + " r=" + r);
                    }
                }
            }
        }
    }

    @org.junit.jupiter.api.Test
    void tooManyTokensForOneProductIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PanelMatmul.transposedSize(1 << 20, 1 << 12));
        assertTrue(e.getMessage().contains("1048576 tokens"), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(value = WeightFormat.class, names = {"Q8_0", "Q4_0"})
    void blockFormatsRejectPartialBlocks(WeightFormat format) {
        MemorySegment seg = Arena.ofAuto().allocate(4096);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WeightMatrix.of(format, seg, 2, 40));
        assertTrue(e.getMessage().contains("multiple of the block size 32"), e.getMessage());
    }

    @org.junit.jupiter.api.Test
    void acceptsFloatArraySegmentsByCopying() {
        float[] values = new float[48];
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 0.25f - 3f;
        }
        WeightMatrix m = WeightMatrix.of(WeightFormat.F32, MemorySegment.ofArray(values), 3, 16);
        float[] x = Matrices.gaussian(16, random);
        for (int r = 0; r < 3; r++) {
            assertEquals(values[r * 16 + 5], m.get(r, 5));
            assertClose(ScalarVec.dot(values, r * 16, x, 0, 16), m.dotVector(r, x, 0), 16,
                    Matrices.absDot(m, r, x, 0), "row " + r);
        }
        assertEquals(values[2 * 16 + 1], m.rows(2, 1).get(0, 1));
    }
}
