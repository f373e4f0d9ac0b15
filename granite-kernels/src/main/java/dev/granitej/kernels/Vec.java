package dev.granitej.kernels;

/**
 * Element-wise and reduction kernels over float arrays, dispatched by {@link Kernels#VECTOR}.
 * Each has a twin of the same name in {@link ScalarVec}.
 */
public final class Vec {

    private Vec() {
    }

    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        return Kernels.VECTOR ? VectorVec.dot(a, aOff, b, bOff, n) : ScalarVec.dot(a, aOff, b, bOff, n);
    }

    public static float sumOfSquares(float[] x, int off, int n) {
        return Kernels.VECTOR ? VectorVec.sumOfSquares(x, off, n) : ScalarVec.sumOfSquares(x, off, n);
    }

    public static void rmsNorm(float[] out, int outOff, float[] x, int xOff, float[] w, int wOff, int n, float eps) {
        if (Kernels.VECTOR) {
            VectorVec.rmsNorm(out, outOff, x, xOff, w, wOff, n, eps);
        } else {
            ScalarVec.rmsNorm(out, outOff, x, xOff, w, wOff, n, eps);
        }
    }

    public static void scale(float[] x, int off, int n, float s) {
        if (Kernels.VECTOR) {
            VectorVec.scale(x, off, n, s);
        } else {
            ScalarVec.scale(x, off, n, s);
        }
    }

    public static void axpy(float[] y, int yOff, float a, float[] x, int xOff, int n) {
        if (Kernels.VECTOR) {
            VectorVec.axpy(y, yOff, a, x, xOff, n);
        } else {
            ScalarVec.axpy(y, yOff, a, x, xOff, n);
        }
    }

    public static void add(float[] y, int yOff, float[] x, int xOff, int n) {
        if (Kernels.VECTOR) {
            VectorVec.add(y, yOff, x, xOff, n);
        } else {
            ScalarVec.add(y, yOff, x, xOff, n);
        }
    }

    public static void silu(float[] x, int off, int n) {
        if (Kernels.VECTOR) {
            VectorVec.silu(x, off, n);
        } else {
            ScalarVec.silu(x, off, n);
        }
    }

    public static void swiglu(float[] out, int outOff, float[] gate, int gateOff, float[] up, int upOff, int n) {
        if (Kernels.VECTOR) {
            VectorVec.swiglu(out, outOff, gate, gateOff, up, upOff, n);
        } else {
            ScalarVec.swiglu(out, outOff, gate, gateOff, up, upOff, n);
        }
    }

    public static void softmax(float[] x, int off, int n) {
        if (Kernels.VECTOR) {
            VectorVec.softmax(x, off, n);
        } else {
            ScalarVec.softmax(x, off, n);
        }
    }
}
