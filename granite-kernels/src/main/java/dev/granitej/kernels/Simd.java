package dev.granitej.kernels;

import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector species every kernel uses, fixed once per JVM. The float width is the platform's preferred one
 * unless {@code -Dgranitej.vectorBits=128|256|512} asks for another; a width wider than the hardware supports
 * is refused rather than emulated (an emulated Vector API is far slower than the scalar twins).
 * The companion species have the same lane count as {@link #F}, so one float lane matches one weight.
 */
final class Simd {

    /** Floats, the accumulation type. */
    static final VectorSpecies<Float> F = floatSpecies(System.getProperty("granitej.vectorBits"));
    /** Ints of the same shape as {@link #F}: bf16/f16 bit manipulation after widening. */
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    /** Shorts with as many lanes as {@link #F}: one load of bf16/f16 weights. */
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class,
            VectorShape.forBitSize(F.vectorBitSize() / 2));
    /** Bytes for block-quantized weights: at least 8 lanes (the narrowest byte vector), else one per float lane. */
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class,
            VectorShape.forBitSize(Math.max(64, F.length() * 8)));
    /** Float lanes per vector. */
    static final int LANES = F.length();
    /** Bytes per byte-vector load of quantized weights. */
    static final int BYTE_LANES = B.length();
    /**
     * True when one byte load feeds two float vectors (128-bit floats: the narrowest byte vector has 8 lanes),
     * so the block kernels convert parts 0 and 1 of it.
     */
    static final boolean PAIRS = BYTE_LANES == 2 * LANES;

    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private Simd() {
    }

    static VectorSpecies<Float> floatSpecies(String bits) {
        if (bits == null || bits.isBlank()) {
            return FloatVector.SPECIES_PREFERRED;
        }
        int n;
        try {
            n = Integer.parseInt(bits.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("granitej.vectorBits must be 128, 256 or 512, was '" + bits + "'");
        }
        if (n != 128 && n != 256 && n != 512) {
            throw new IllegalArgumentException("granitej.vectorBits must be 128, 256 or 512, was " + n);
        }
        int max = FloatVector.SPECIES_MAX.vectorBitSize();
        if (n > max) {
            throw new IllegalArgumentException("granitej.vectorBits=" + n + " exceeds this CPU's widest vector ("
                    + max + " bits)");
        }
        return VectorSpecies.of(float.class, VectorShape.forBitSize(n));
    }
}
