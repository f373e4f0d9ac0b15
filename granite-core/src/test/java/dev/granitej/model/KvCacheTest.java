package dev.granitej.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each KV head keeps its keys and values in a region of its own: what is appended is what is attended to, after
 * the cache has grown (its regions moved) and after a copy into a cache of another capacity.
 */
class KvCacheTest {

    private static final int KV_HEADS = 3;
    private static final int HEAD_DIM = 24;
    private static final int ROW = KV_HEADS * HEAD_DIM;

    /** Rows of keys and values for {@code positions} positions, as the projections write them. */
    private record Rows(float[] k, float[] v) {
        static Rows random(int positions, long seed) {
            SplittableRandom random = new SplittableRandom(seed);
            float[] k = new float[positions * ROW];
            float[] v = new float[positions * ROW];
            for (int i = 0; i < k.length; i++) {
                k[i] = (float) random.nextGaussian();
                v[i] = (float) random.nextGaussian();
            }
            return new Rows(k, v);
        }
    }

    private static KvCache filled(Rows rows, int positions, int maxPositions, KvCacheFormat format) {
        KvCache cache = new KvCache(KV_HEADS, HEAD_DIM, maxPositions, format);
        for (int p = 0; p < positions; p++) {
            cache.append(rows.k(), rows.v(), p * ROW);
        }
        return cache;
    }

    /** One query row per head attending to all {@code len} positions; the outputs of all heads. */
    private static float[] attend(KvCache cache, float[] q, int len) {
        int stride = AttentionScratch.scoreStride(len);
        float[] out = new float[ROW];
        float[] widened = new float[dev.granitej.kernels.AttentionKernel.widenedScratchFloats(HEAD_DIM)];
        for (int h = 0; h < KV_HEADS; h++) {
            cache.attend(q, new int[] {h * HEAD_DIM}, new int[] {len}, new int[] {h * HEAD_DIM}, 1, h, 0.2f,
                    new float[stride], stride, out, widened);
        }
        return out;
    }

    /**
     * The textbook attention over the appended rows (rounded to float16, or to 8-bit blocks, first for those
     * caches), in double.
     */
    private static float[] reference(Rows appended, float[] q, int len, KvCacheFormat format) {
        Rows rows = new Rows(stored(appended.k(), format), stored(appended.v(), format));
        float[] out = new float[ROW];
        for (int h = 0; h < KV_HEADS; h++) {
            double[] p = new double[len];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < len; j++) {
                double s = 0;
                for (int d = 0; d < HEAD_DIM; d++) {
                    s += (double) q[h * HEAD_DIM + d] * rows.k()[j * ROW + h * HEAD_DIM + d];
                }
                p[j] = s * 0.2;
                max = Math.max(max, p[j]);
            }
            double sum = 0;
            for (int j = 0; j < len; j++) {
                p[j] = Math.exp(p[j] - max);
                sum += p[j];
            }
            for (int d = 0; d < HEAD_DIM; d++) {
                double o = 0;
                for (int j = 0; j < len; j++) {
                    o += p[j] / sum * rows.v()[j * ROW + h * HEAD_DIM + d];
                }
                out[h * HEAD_DIM + d] = (float) o;
            }
        }
        return out;
    }

    /**
     * What a cache of {@code format} gives back for rows of keys or values: float16 rounding, or each head's
     * {@code HEAD_DIM} values (one 8-bit block, 24 not being a multiple of 32) as {@code q·amax/127}.
     */
    private static float[] stored(float[] x, KvCacheFormat format) {
        float[] out = x.clone();
        for (int at = 0; at < x.length; at += HEAD_DIM) {
            float amax = 0f;
            for (int d = 0; d < HEAD_DIM; d++) {
                amax = Math.max(amax, Math.abs(x[at + d]));
            }
            for (int d = 0; d < HEAD_DIM; d++) {
                out[at + d] = switch (format) {
                    case F32 -> x[at + d];
                    case F16 -> Float.float16ToFloat(Float.floatToFloat16(x[at + d]));
                    // Gaussian values: no halfway cases, so Math.round serves for C's roundf
                    case Q8_0 -> Math.round(x[at + d] / (amax / 127f)) * (amax / 127f);
                };
            }
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(KvCacheFormat.class)
    void grownCacheAttendsToWhatWasAppended(KvCacheFormat format) {
        int positions = 300; // grows 64 → 128 → 256 → 512
        Rows rows = Rows.random(positions, 1);
        float[] q = Rows.random(1, 2).k();
        KvCache cache = filled(rows, positions, 4096, format);
        assertEquals(positions, cache.length);
        for (int len : new int[] {1, 17, 64, 65, 300}) {
            float[] expected = reference(rows, q, len, format);
            float[] got = attend(cache, q, len);
            for (int i = 0; i < ROW; i++) {
                assertEquals(expected[i], got[i], 1e-4f, format + " len " + len + " at " + i);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(KvCacheFormat.class)
    void copiesIntoCachesOfOtherCapacitiesAttendExactlyAsTheOriginal(KvCacheFormat format) {
        Rows rows = Rows.random(300, 3);
        float[] q = Rows.random(1, 4).k();
        KvCache big = filled(rows, 300, 4096, format); // capacity 512
        KvCache small = filled(rows, 40, 4096, format); // capacity 64
        float[] bigOut = attend(big, q, 300);
        float[] smallOut = attend(small, q, 40);

        KvCache intoSmall = filled(rows, 5, 4096, format);
        intoSmall.copyFrom(big);
        KvCache intoBig = filled(rows, 300, 4096, format);
        intoBig.copyFrom(small);
        assertBitsEqual(bigOut, attend(intoSmall, q, 300));
        assertBitsEqual(smallOut, attend(intoBig, q, 40));
        assertBitsEqual(bigOut, attend(big.copy(), q, 300));

        // and the copies go on growing: appending after a copy lands where the original's next row would
        for (int p = 40; p < 300; p++) {
            intoBig.append(rows.k(), rows.v(), p * ROW);
        }
        assertBitsEqual(bigOut, attend(intoBig, q, 300));
    }

    @ParameterizedTest
    @EnumSource(KvCacheFormat.class)
    void aCopyPastTheLimitFailsAndLeavesTheCacheAsItWas(KvCacheFormat format) {
        Rows rows = Rows.random(300, 7);
        float[] q = Rows.random(1, 8).k();
        KvCache big = filled(rows, 300, 4096, format);
        KvCache small = filled(rows, 20, 100, format);
        float[] before = attend(small, q, 20);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> small.copyFrom(big));
        assertEquals("KV cache limit of 100 positions exceeded", e.getMessage());
        assertEquals(20, small.length);
        assertBitsEqual(before, attend(small, q, 20));
    }

    @ParameterizedTest
    @EnumSource(KvCacheFormat.class)
    void theContextLimitIsAClearError(KvCacheFormat format) {
        Rows rows = Rows.random(100, 5);
        KvCache cache = filled(rows, 100, 100, format);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> cache.append(rows.k(), rows.v(), 0));
        assertEquals("KV cache limit of 100 positions exceeded", e.getMessage());
    }

    private static void assertBitsEqual(float[] expected, float[] actual) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]), "at " + i);
        }
    }
}
