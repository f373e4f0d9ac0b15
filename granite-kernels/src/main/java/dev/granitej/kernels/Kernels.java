package dev.granitej.kernels;

/**
 * Which implementation the kernels run: the Vector API ({@code vector}, the default) or the plain scalar
 * twins ({@code scalar}). Chosen once per JVM with {@code -Dgranitej.kernels=vector|scalar}; there is no
 * silent fallback: asking for {@code vector} where the Vector API is unusable fails at class initialisation.
 */
public final class Kernels {

    /** True when the Vector API kernels are in use. */
    public static final boolean VECTOR = parseMode(System.getProperty("granitej.kernels", "vector"));

    private Kernels() {
    }

    /** Width in bits of the float vectors the kernels use (the preferred width or {@code granitej.vectorBits}). */
    public static int vectorBits() {
        return Simd.F.vectorBitSize();
    }

    private static boolean parseMode(String mode) {
        return switch (mode) {
            case "vector" -> true;
            case "scalar" -> false;
            default -> throw new IllegalArgumentException(
                    "granitej.kernels must be 'vector' or 'scalar', was '" + mode + "'");
        };
    }
}
