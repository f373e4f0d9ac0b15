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
}
