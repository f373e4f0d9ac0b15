package dev.granitej.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link WeightMatrix#matmulExact} gives every token exactly (bit for bit) what {@link WeightMatrix#dot} gives
 * it alone, whatever the number of tokens: batched decoding relies on it.
 */
class MatmulExactTest {

    @ParameterizedTest
    @EnumSource(WeightFormat.class)
    void everyTokenGetsItsOwnDotExactly(WeightFormat format) {
        Random random = new Random(11);
        int[] colsList = format.isBlockQuantized()
                ? new int[] {32, 64, 96, 320, 1536}
                : new int[] {1, 7, 16, 33, 64, 100, 257, 768, 1536};
        for (int cols : colsList) {
            // 90 rows of the widest matrices span several of matmulExact's row chunks, and at 1536 columns one token
            // runs them as four streams over the whole range (bf16 and Q8_0)
            int rows = cols >= 768 ? 90 : 5;
            WeightMatrix m = Matrices.random(format, rows, cols, random);
            for (int tokens : new int[] {1, 2, 3, 4, 5, 7, 8, 9, 16}) {
                int stride = cols + 3;
                float[] x = Matrices.gaussian(tokens * stride, random);
                float[] y = new float[tokens * rows];
                m.matmulExact(x, stride, y, rows, tokens, 0, rows);
                assertEachTokensDot(m, x, stride, y, rows, tokens, format + " cols " + cols + " tokens " + tokens);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(WeightFormat.class)
    void twoThreeAndFourTokenKernelsAreEachTokensDotExactly(WeightFormat format) {
        // matmulExact runs fours, or threes and twos (exactTokens: four need 32 registers), so on any one machine
        // the test above reaches only some of them: all called here directly
        Random random = new Random(13);
        int[] colsList = format.isBlockQuantized() ? new int[] {32, 96, 1536} : new int[] {1, 7, 33, 100, 1536};
        for (int cols : colsList) {
            int rows = 3;
            WeightMatrix m = Matrices.random(format, rows, cols, random);
            int stride = cols + 5;
            float[] x = Matrices.gaussian(4 * stride + 2, random);
            float[] sums = new float[WeightMatrix.SUMS];
            for (int tokens = 2; tokens <= 4; tokens++) {
                float[] y = new float[4 * rows];
                for (int r = 0; r < rows; r++) {
                    switch (tokens) {
                        case 4 -> m.dotVector4(r, x, 2, stride, y, r, rows, sums);
                        case 3 -> m.dotVector3(r, x, 2, stride, y, r, rows, sums);
                        default -> m.dotVector2(r, x, 2, stride, y, r, rows, sums);
                    }
                }
                for (int t = 0; t < tokens; t++) {
                    for (int r = 0; r < rows; r++) {
                        assertEquals(Float.floatToRawIntBits(m.dotVector(r, x, 2 + t * stride)),
                                Float.floatToRawIntBits(y[t * rows + r]),
                                format + " cols " + cols + " tokens " + tokens + " t " + t + " r " + r);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(WeightFormat.class)
    void oneScratchServesProductsOfEveryShape(WeightFormat format) {
        // a scratch outlives its products: buffers sized by a wide product and many tokens (Q4_0's quantized
        // activations, the kernels' sums) must give a narrower one, or fewer tokens, their own exact dots
        Random random = new Random(17);
        MatmulScratch scratch = new MatmulScratch();
        try (Parallel pool = new Parallel(2)) {
            for (int cols : new int[] {1536, 96, 320, 64}) {
                int rows = 70;
                WeightMatrix m = asLoaded(format, rows, cols, random);
                for (int tokens : new int[] {9, 1, 3, 2}) {
                    float[] x = Matrices.gaussian(tokens * cols, random);
                    float[] alone = new float[tokens * rows];
                    float[] threads = new float[tokens * rows];
                    m.matmulExact(x, cols, alone, rows, tokens, 0, rows, scratch);
                    m.matmulExact(pool, x, cols, threads, rows, tokens, scratch);
                    String where = format + " cols " + cols + " tokens " + tokens;
                    assertEachTokensDot(m, x, cols, alone, rows, tokens, where);
                    assertEachTokensDot(m, x, cols, threads, rows, tokens, where + " on two threads");
                }
            }
        }
    }

    @Test
    void oneScratchServesEveryFormatInTurn() {
        // the scratch's pool body is filled in again by every product: a Q4_0 product (quantized tokens) and the
        // others (float tokens), exact products and matvecs, taking turns on one scratch must each get their own
        // exact dots
        Random random = new Random(19);
        MatmulScratch scratch = new MatmulScratch();
        int rows = 70;
        int cols = 96;
        try (Parallel pool = new Parallel(2)) {
            for (int round = 0; round < 2; round++) {
                for (WeightFormat format : WeightFormat.values()) {
                    WeightMatrix m = asLoaded(format, rows, cols, random);
                    int tokens = 1 + round * 2;
                    float[] x = Matrices.gaussian(tokens * cols, random);
                    float[] threads = new float[tokens * rows];
                    m.matmulExact(pool, x, cols, threads, rows, tokens, scratch);
                    assertEachTokensDot(m, x, cols, threads, rows, tokens, format + " round " + round);
                    // a matvec at offsets from the same scratch: each row the dot a matvec without one gives
                    float[] y = new float[rows + 3];
                    float[] expected = new float[rows + 3];
                    m.matvec(pool, x, cols * (tokens - 1), y, 3, scratch);
                    m.matvec(pool, x, cols * (tokens - 1), expected, 3);
                    for (int r = 0; r < rows; r++) {
                        assertEquals(Float.floatToRawIntBits(m.dot(r, x, cols * (tokens - 1))),
                                Float.floatToRawIntBits(y[3 + r]), format + " matvec row " + r);
                        assertEquals(Float.floatToRawIntBits(expected[3 + r]), Float.floatToRawIntBits(y[3 + r]));
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(WeightFormat.class)
    void missingScratchOrNegativeTokensAreClearErrors(WeightFormat format) {
        WeightMatrix m = asLoaded(format, 40, 64, new Random(3));
        float[] x = new float[2 * 64];
        float[] y = new float[2 * 40];
        try (Parallel pool = new Parallel(2)) {
            assertEquals("scratch", assertThrows(NullPointerException.class,
                    () -> m.matmulExact(x, 64, y, 40, 2, 0, 40, null)).getMessage());
            assertEquals("scratch", assertThrows(NullPointerException.class,
                    () -> m.matmulExact(pool, x, 64, y, 40, 2, null)).getMessage());
            assertEquals("scratch", assertThrows(NullPointerException.class,
                    () -> m.matmul(pool, x, 64, y, 40, 2, null)).getMessage());
            assertEquals("tokens must be >= 0, was -1", assertThrows(IllegalArgumentException.class,
                    () -> m.matmulExact(pool, x, 64, y, 40, -1, new MatmulScratch())).getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(WeightFormat.class)
    void parallelEqualsSingleThread(WeightFormat format) {
        Random random = new Random(5);
        WeightMatrix m = Matrices.random(format, 67, 128, random);
        float[] x = Matrices.gaussian(6 * 128, random);
        float[] one = new float[6 * 67];
        float[] two = new float[6 * 67];
        m.matmulExact(x, 128, one, 67, 6, 0, 67);
        try (Parallel pool = new Parallel(2)) {
            m.matmulExact(pool, x, 128, two, 67, 6);
        }
        for (int i = 0; i < one.length; i++) {
            assertEquals(Float.floatToRawIntBits(one[i]), Float.floatToRawIntBits(two[i]));
        }
    }

    /** {@code y[t·rows + r]} is, bit for bit, {@code m.dot(r, x, t·stride)} for every token and row. */
    private static void assertEachTokensDot(WeightMatrix m, float[] x, int stride, float[] y, int rows, int tokens,
                                            String where) {
        for (int t = 0; t < tokens; t++) {
            for (int r = 0; r < rows; r++) {
                assertEquals(Float.floatToRawIntBits(m.dot(r, x, t * stride)), Float.floatToRawIntBits(y[t * rows + r]),
                        where + " t " + t + " r " + r);
            }
        }
    }

    /** A random matrix in {@code format} as the engine loads it: Q4_0 and Q8_0 repacked by groups of rows. */
    private static WeightMatrix asLoaded(WeightFormat format, int rows, int cols, Random random) {
        if (!format.isBlockQuantized()) {
            return Matrices.random(format, rows, cols, random);
        }
        return Quantizer.quantizeRepacked(Matrices.random(WeightFormat.F32, rows, cols, random), format,
                Arena.ofAuto());
    }
}
