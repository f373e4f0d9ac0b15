package dev.granitej.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.granitej.kernels.MatmulScratch;
import dev.granitej.kernels.Parallel;
import dev.granitej.kernels.Quantizer;
import dev.granitej.kernels.WeightFormat;
import dev.granitej.kernels.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The quantized head recomputes every row that may hold the top logit from the stored weights: its argmax is the
 * stored head's, even where rows are so close that the Q8_0 logits alone order them wrongly. Both Q8_0 layouts: the
 * ggml rows, whose kernels read the input as floats, and the repacked one the engine loads, whose kernels read it in
 * 8-bit blocks.
 */
class VocabularyHeadTest {

    private static final int ROWS = 3000;
    private static final int COLS = 96;

    /**
     * bf16 rows in pairs: row 2k+1 is row 2k plus a perturbation far below Q8_0's resolution, so for most inputs
     * the top two logits are nearly tied.
     */
    private static WeightMatrix nearTies(SplittableRandom random) {
        short[] bits = new short[ROWS * COLS];
        for (int r = 0; r < ROWS; r += 2) {
            for (int c = 0; c < COLS; c++) {
                float w = (float) random.nextGaussian();
                float twin = w + (float) random.nextGaussian() * 0.002f;
                bits[r * COLS + c] = (short) (Float.floatToRawIntBits(w) >>> 16);
                bits[(r + 1) * COLS + c] = (short) (Float.floatToRawIntBits(twin) >>> 16);
            }
        }
        return WeightMatrix.of(WeightFormat.BF16, MemorySegment.ofArray(bits), ROWS, COLS);
    }

    private static int argmax(float[] y, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (y[off + i] > y[off + best]) {
                best = i;
            }
        }
        return best;
    }

    private static WeightMatrix q8(WeightMatrix stored, boolean repacked, Arena arena) {
        return repacked ? Quantizer.quantizeRepacked(stored, WeightFormat.Q8_0, arena)
                : Quantizer.quantize(stored, WeightFormat.Q8_0, arena);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void argmaxIsTheStoredHeadsAndTheRecomputedRowsAreFew(boolean repacked) {
        SplittableRandom random = new SplittableRandom(11);
        WeightMatrix stored = nearTies(random);
        try (Arena arena = Arena.ofShared(); Parallel pool = new Parallel(2)) {
            WeightMatrix quantized = q8(stored, repacked, arena);
            VocabularyHead head = VocabularyHead.refined(stored, quantized, pool);
            VocabularyHead quantizedOnly = VocabularyHead.asStored(quantized, pool);
            MatmulScratch scratch = new MatmulScratch();
            int misordered = 0;
            int recomputed = 0;
            int inputs = 300;
            for (int n = 0; n < inputs; n++) {
                float[] x = new float[COLS];
                // a peaked input: close to one row, as a trained model's hidden state is to its next token's row
                int target = random.nextInt(ROWS);
                stored.readRow(target, x, 0);
                for (int c = 0; c < COLS; c++) {
                    x[c] += (float) random.nextGaussian() * 0.5f;
                }
                float[] exact = new float[ROWS];
                stored.matvec(x, exact);
                float[] got = new float[ROWS];
                head.matvec(x, 0, got, 0, scratch);
                float[] q8 = new float[ROWS];
                quantizedOnly.matvec(x, 0, q8, 0, scratch);

                int top = argmax(exact, 0, ROWS);
                assertEquals(top, argmax(got, 0, ROWS), "input " + n);
                assertEquals(Float.floatToRawIntBits(exact[top]), Float.floatToRawIntBits(got[top]));
                misordered += argmax(q8, 0, ROWS) != top ? 1 : 0;
                for (int r = 0; r < ROWS; r++) {
                    if (got[r] == exact[r]) {
                        recomputed++;
                    } else {
                        assertEquals(Float.floatToRawIntBits(q8[r]), Float.floatToRawIntBits(got[r]));
                        assertTrue(exact[r] < exact[top]);
                    }
                }
            }
            // the near ties are real: Q8_0 alone picks the wrong twin often
            assertTrue(misordered > inputs / 10, "Q8_0 alone misordered " + misordered + " of " + inputs);
            assertTrue(recomputed < inputs * ROWS / 50, "recomputed " + recomputed + " of " + inputs * ROWS + " rows");
            System.out.printf("Q8_0 head (%s): %d of %d rows recomputed%n", repacked ? "repacked" : "ggml rows",
                    recomputed, inputs * ROWS);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void batchRowsGetWhatEachGetsAlone(boolean repacked) {
        SplittableRandom random = new SplittableRandom(12);
        WeightMatrix stored = nearTies(random);
        try (Arena arena = Arena.ofShared(); Parallel pool = new Parallel(2)) {
            VocabularyHead head = VocabularyHead.refined(stored, q8(stored, repacked, arena), pool);
            int tokens = 5;
            MatmulScratch scratch = new MatmulScratch();
            float[] x = new float[tokens * COLS];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextGaussian();
            }
            float[] batch = new float[tokens * ROWS];
            head.forward(tokens, true, x, COLS, batch, ROWS, new MatmulScratch());
            for (int t = 0; t < tokens; t++) {
                float[] alone = new float[ROWS];
                head.matvec(x, t * COLS, alone, 0, scratch);
                for (int r = 0; r < ROWS; r++) {
                    assertEquals(Float.floatToRawIntBits(alone[r]), Float.floatToRawIntBits(batch[t * ROWS + r]),
                            "token " + t + " row " + r);
                }
            }
        }
    }
}
