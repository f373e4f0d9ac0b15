package dev.granitej.kernels;

/**
 * One query head attending to {@code len} cached positions of one KV head:
 * {@code out = Σ_j softmax_j(scale·q·k_j)·v_j}. Keys and values are rows of a cache with
 * {@code stride} floats between positions, this head's slice starting at {@code kvOff}.
 */
public final class AttentionKernel {

    private AttentionKernel() {
    }

    /** Writes {@code out[outOff .. outOff+headDim)}; {@code scores} (at least {@code len}) is caller scratch. */
    public static void attend(float[] q, int qOff, float[] keys, float[] values, int kvOff, int stride, int len,
                              int headDim, float scale, float[] scores, float[] out, int outOff) {
        if (Kernels.VECTOR) {
            attendVector(q, qOff, keys, values, kvOff, stride, len, headDim, scale, scores, out, outOff);
        } else {
            attendScalar(q, qOff, keys, values, kvOff, stride, len, headDim, scale, scores, out, outOff);
        }
    }

    /** The Vector API kernel: the same three passes with vectorised dot, softmax and axpy. */
    static void attendVector(float[] q, int qOff, float[] keys, float[] values, int kvOff, int stride, int len,
                             int headDim, float scale, float[] scores, float[] out, int outOff) {
        for (int j = 0; j < len; j++) {
            scores[j] = VectorVec.dot(q, qOff, keys, j * stride + kvOff, headDim) * scale;
        }
        VectorVec.softmax(scores, 0, len);
        java.util.Arrays.fill(out, outOff, outOff + headDim, 0f);
        for (int j = 0; j < len; j++) {
            VectorVec.axpy(out, outOff, scores[j], values, j * stride + kvOff, headDim);
        }
    }

    /** The scalar twin of {@link #attend}. */
    public static void attendScalar(float[] q, int qOff, float[] keys, float[] values, int kvOff, int stride,
                                    int len, int headDim, float scale, float[] scores, float[] out, int outOff) {
        for (int j = 0; j < len; j++) {
            scores[j] = ScalarVec.dot(q, qOff, keys, j * stride + kvOff, headDim) * scale;
        }
        ScalarVec.softmax(scores, 0, len);
        java.util.Arrays.fill(out, outOff, outOff + headDim, 0f);
        for (int j = 0; j < len; j++) {
            ScalarVec.axpy(out, outOff, scores[j], values, j * stride + kvOff, headDim);
        }
    }
}
