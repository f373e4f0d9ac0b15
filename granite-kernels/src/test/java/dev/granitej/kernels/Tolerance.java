package dev.granitej.kernels;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Comparison of a vector kernel's result with its scalar twin. The two add the same fp32 products in a
 * different order, so they may differ by rounding that grows like sqrt(n) relative to the sum of magnitudes.
 */
final class Tolerance {

    private Tolerance() {
    }

    /** Bound for a sum of {@code n} terms whose magnitudes add up to {@code scale}. */
    static double bound(int n, double scale) {
        return 1e-5 * Math.sqrt(Math.max(1, n)) * scale + 1e-30;
    }

    static void assertClose(double expected, double actual, int n, double scale, String what) {
        if (Float.isNaN((float) expected) && Float.isNaN((float) actual)) {
            return;
        }
        if (expected == actual) {
            return;
        }
        double diff = Math.abs(expected - actual);
        if (!(diff <= bound(n, scale))) {
            fail(what + ": expected " + expected + " but was " + actual + " (diff " + diff + " > bound "
                    + bound(n, scale) + ", n=" + n + ", scale=" + scale + ")");
        }
    }

    /** Sizes 0..300 (every tail length around every plausible vector width) and a few large ones. */
    static int[] sizes() {
        int[] s = new int[301 + 3];
        for (int i = 0; i <= 300; i++) {
            s[i] = i;
        }
        s[301] = 1000;
        s[302] = 4096;
        s[303] = 6449;
        return s;
    }
}
