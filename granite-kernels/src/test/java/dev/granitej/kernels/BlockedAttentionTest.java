package dev.granitej.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Attention over a blocked key cache equals attention over plain key rows; vector equals scalar. */
class BlockedAttentionTest {

    @Test
    void blockedLayoutGivesTheSameAttention() {
        Random random = new Random(3);
        int kvHeads = 2;
        int headDim = 24;
        int stride = kvHeads * headDim;
        for (int len : new int[] {1, 5, AttentionKernel.KEY_BLOCK, AttentionKernel.KEY_BLOCK + 1, 100}) {
            int blocks = (len + AttentionKernel.KEY_BLOCK - 1) / AttentionKernel.KEY_BLOCK;
            float[] keys = Matrices.gaussian(len * stride, random);
            float[] values = Matrices.gaussian(len * stride, random);
            float[] blocked = new float[blocks * AttentionKernel.KEY_BLOCK * stride];
            for (int p = 0; p < len; p++) {
                for (int h = 0; h < kvHeads; h++) {
                    int base = AttentionKernel.blockedKeyIndex(p, h, kvHeads, headDim);
                    for (int d = 0; d < headDim; d++) {
                        blocked[base + d * AttentionKernel.KEY_BLOCK] = keys[p * stride + h * headDim + d];
                    }
                }
            }
            float[] q = Matrices.gaussian(headDim, random);
            for (int h = 0; h < kvHeads; h++) {
                float[] plain = new float[headDim];
                float[] vec = new float[headDim];
                float[] scal = new float[headDim];
                AttentionKernel.attendScalar(q, 0, keys, values, h * headDim, stride, len, headDim, 0.3f,
                        new float[len], plain, 0);
                AttentionKernel.attendBlocked(q, 0, blocked, kvHeads, h, values, stride, h * headDim, len, headDim,
                        0.3f, new float[blocks * AttentionKernel.KEY_BLOCK], vec, 0);
                AttentionKernel.attendBlockedScalar(q, 0, blocked, kvHeads, h, values, stride, h * headDim, len,
                        headDim, 0.3f, new float[len], scal, 0);
                for (int d = 0; d < headDim; d++) {
                    assertEquals(plain[d], scal[d], 1e-5f, "len " + len + " head " + h);
                    assertEquals(scal[d], vec[d], 1e-5f, "len " + len + " head " + h);
                    assertTrue(Float.isFinite(vec[d]));
                }
            }
        }
    }

    @Test
    void rowsSharingAKvHeadGetExactlyWhatEachGetsAlone() {
        Random random = new Random(5);
        int kvHeads = 2;
        for (int headDim : new int[] {24, 64}) {
            int stride = kvHeads * headDim;
            int positions = 700;
            int blocks = (positions + AttentionKernel.KEY_BLOCK - 1) / AttentionKernel.KEY_BLOCK;
            float[] keys = Matrices.gaussian(blocks * AttentionKernel.KEY_BLOCK * stride, random);
            float[] values = Matrices.gaussian(positions * stride, random);
            for (int n : new int[] {1, 3, 4, 7, 9}) {
                float[] q = Matrices.gaussian(n * headDim, random);
                int[] qOffs = new int[n];
                int[] lens = new int[n];
                int[] outOffs = new int[n];
                for (int r = 0; r < n; r++) {
                    qOffs[r] = r * headDim;
                    // causal rows of a prompt: each row sees one position more, some rows start a new block
                    lens[r] = positions - n + 1 + r - (r % 3 == 2 ? 40 : 0);
                    outOffs[r] = (n - 1 - r) * headDim;
                }
                int scoreStride = blocks * AttentionKernel.KEY_BLOCK;
                for (int h = 0; h < kvHeads; h++) {
                    float[] together = new float[n * headDim];
                    AttentionKernel.attendRows(q, qOffs, lens, outOffs, n, keys, kvHeads, h, values, stride,
                            h * headDim, headDim, 0.2f, new float[n * scoreStride], scoreStride, together);
                    for (int r = 0; r < n; r++) {
                        float[] alone = new float[headDim];
                        AttentionKernel.attendBlocked(q, qOffs[r], keys, kvHeads, h, values, stride, h * headDim,
                                lens[r], headDim, 0.2f, new float[scoreStride], alone, 0);
                        for (int d = 0; d < headDim; d++) {
                            assertEquals(Float.floatToRawIntBits(alone[d]),
                                    Float.floatToRawIntBits(together[outOffs[r] + d]),
                                    "headDim " + headDim + " n " + n + " row " + r + " dim " + d);
                        }
                    }
                }
            }
        }
    }
}
