package dev.granitej.kernels;

/** Plain-Java element-wise and reduction kernels over float arrays: the oracle for {@link Vec}. */
public final class ScalarVec {

    private ScalarVec() {
    }

    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
    }

    public static float sumOfSquares(float[] x, int off, int n) {
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            float v = x[off + i];
            sum += v * v;
        }
        return sum;
    }

    /** {@code out[i] = w[i] · x[i] / sqrt(mean(x²) + eps)}; {@code out} may be {@code x}. */
    public static void rmsNorm(float[] out, int outOff, float[] x, int xOff, float[] w, int wOff, int n, float eps) {
        float inv = (float) (1.0 / Math.sqrt(sumOfSquares(x, xOff, n) / n + eps));
        for (int i = 0; i < n; i++) {
            out[outOff + i] = w[wOff + i] * (x[xOff + i] * inv);
        }
    }

    /** {@code x[i] *= s}. */
    public static void scale(float[] x, int off, int n, float s) {
        for (int i = 0; i < n; i++) {
            x[off + i] *= s;
        }
    }

    /** {@code y[i] += a · x[i]}. */
    public static void axpy(float[] y, int yOff, float a, float[] x, int xOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] += a * x[xOff + i];
        }
    }

    /** {@code y[i] += x[i]}. */
    public static void add(float[] y, int yOff, float[] x, int xOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] += x[xOff + i];
        }
    }

    public static float silu(float v) {
        return v / (1f + (float) Math.exp(-v));
    }

    /** {@code x[i] = silu(x[i])}. */
    public static void silu(float[] x, int off, int n) {
        for (int i = 0; i < n; i++) {
            x[off + i] = silu(x[off + i]);
        }
    }

    /** {@code out[i] = silu(gate[i]) · up[i]}; {@code out} may alias either input. */
    public static void swiglu(float[] out, int outOff, float[] gate, int gateOff, float[] up, int upOff, int n) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = silu(gate[gateOff + i]) * up[upOff + i];
        }
    }

    /** In-place numerically stable softmax. */
    public static void softmax(float[] x, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp(x[off + i] - max);
            x[off + i] = e;
            sum += e;
        }
        float inv = 1f / sum;
        for (int i = 0; i < n; i++) {
            x[off + i] *= inv;
        }
    }
}
