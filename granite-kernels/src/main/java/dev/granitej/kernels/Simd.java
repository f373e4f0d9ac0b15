package dev.granitej.kernels;

import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
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

    /**
     * True where the hardware's widest vectors are 512 bits (AVX-512), which comes with 32 vector registers:
     * enough for the 24 accumulators of the wide matmul tiles at any width of {@link #F}. AVX2 has 16, which
     * such a tile would spill.
     */
    static final boolean REGISTERS_32 = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512;

    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /** Lane permutations that swap neighbouring groups of 8, 4, 2 and 1 lanes (i → i xor h). */
    static final VectorShuffle<Float> SWAP8 = swap(8);
    static final VectorShuffle<Float> SWAP4 = swap(4);
    static final VectorShuffle<Float> SWAP2 = swap(2);
    static final VectorShuffle<Float> SWAP1 = swap(1);

    private static VectorShuffle<Float> swap(int h) {
        return VectorShuffle.fromOp(F, i -> h < LANES ? i ^ h : i);
    }

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float EXP_MAX = 88.3762626647949f;
    private static final float EXP_MIN = -87.3365447504019f;

    /**
     * {@code e^x} per lane (Cephes' expf: range reduction by ln 2, a degree-6 polynomial, scaling by 2^n; within
     * about 1 ulp, clamped to the normal float range), built only from exactly rounded lane operations. The
     * Vector API's own {@code EXP} runs a different implementation in the interpreter than in compiled code, so
     * its last bit can depend on when a call happens; this one cannot. Small enough to be inlined into its
     * callers, so the vector never leaves compiled code.
     */
    static FloatVector exp(FloatVector x) {
        // a clamp by compare and blend: lanewise MIN/MAX on floats is not intrinsified by C2 here (JFR showed it
        // running the Java fallback, allocating at every call)
        x = x.blend(EXP_MAX, x.compare(VectorOperators.GT, EXP_MAX))
                .blend(EXP_MIN, x.compare(VectorOperators.LT, EXP_MIN));
        FloatVector k = x.mul(LOG2E).add(0.5f);
        IntVector truncated = (IntVector) k.convert(VectorOperators.F2I, 0);
        FloatVector n = (FloatVector) truncated.convert(VectorOperators.I2F, 0);
        n = n.sub(1f, n.compare(VectorOperators.GT, k)); // floor: truncation rounds negatives up
        FloatVector r = x.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
        FloatVector p = r.mul(1.9875691500E-4f).add(1.3981999507E-3f)
                .mul(r).add(8.3334519073E-3f)
                .mul(r).add(4.1665795894E-2f)
                .mul(r).add(1.6666665459E-1f)
                .mul(r).add(5.0000001201E-1f)
                .mul(r.mul(r)).add(r).add(1f);
        IntVector pow2 = ((IntVector) n.convert(VectorOperators.F2I, 0)).add(127).lanewise(VectorOperators.LSHL, 23);
        return p.mul(pow2.reinterpretAsFloats());
    }

    /**
     * {@code x[i] = e^(x[i] − shift)} for the {@code n} floats at {@code off} ({@code n} a multiple of
     * {@code LANES}); returns their sum (vector accumulation in order, then {@link #sum}'s tree, the same bits). A
     * small method of its own so that {@link #exp} is inlined: called from a larger method (softmax) C2 may
     * decline to, and then boxes the vector at every call.
     */
    static float expShiftedSum(float[] x, int off, int n, float shift) {
        FloatVector sum = FloatVector.zero(F);
        for (int i = 0; i < n; i += LANES) {
            FloatVector e = exp(FloatVector.fromArray(F, x, off + i).sub(shift));
            e.intoArray(x, off + i);
            sum = sum.add(e);
        }
        // sum's tree written out: called with the vector, C2 compiled it apart on the pool's threads and boxed the
        // vector at every call (a Float256Vector and its array, ~2.5 KB a decode step of h-350m)
        if (LANES > 8) {
            sum = sum.add(sum.rearrange(SWAP8));
        }
        if (LANES > 4) {
            sum = sum.add(sum.rearrange(SWAP4));
        }
        if (LANES > 2) {
            sum = sum.add(sum.rearrange(SWAP2));
        }
        if (LANES > 1) {
            sum = sum.add(sum.rearrange(SWAP1));
        }
        return sum.lane(0);
    }

    /**
     * The sum of the lanes of {@code v} in one fixed order (a butterfly: halves, then quarters, …). Unlike
     * {@code reduceLanes(ADD)}, whose order the JIT may choose per call site, this gives the same bits in the
     * interpreter and in every compiled caller, so a result never depends on where or when it was computed
     * (batched and single-sequence decode must agree exactly).
     */
    static float sum(FloatVector v) {
        if (LANES > 8) {
            v = v.add(v.rearrange(SWAP8));
        }
        if (LANES > 4) {
            v = v.add(v.rearrange(SWAP4));
        }
        if (LANES > 2) {
            v = v.add(v.rearrange(SWAP2));
        }
        if (LANES > 1) {
            v = v.add(v.rearrange(SWAP1));
        }
        return v.lane(0);
    }

    /**
     * {@link #sum} of the {@code LANES} floats at {@code a[off ..]}, bit for bit, computed in scalar code (the
     * same pairwise tree: lane i plus lane i + h for h = LANES/2 … 1). It overwrites those floats. Big kernels
     * store their accumulators and sum them here: a vector passed to a method that C2 declines to inline (its
     * inlining budget runs out in a large tile) is boxed on the heap at every call.
     */
    static float sumLanes(float[] a, int off) {
        for (int h = LANES / 2; h >= 1; h /= 2) {
            for (int i = 0; i < h; i++) {
                a[off + i] = a[off + i] + a[off + i + h];
            }
        }
        return a[off];
    }

    /** Lanes {@code i} with {@code (i / h)} odd: where the second of two combined accumulators goes. */
    private static final VectorMask<Float> ODD8 = odd(8);
    private static final VectorMask<Float> ODD4 = odd(4);
    private static final VectorMask<Float> ODD2 = odd(2);
    private static final VectorMask<Float> ODD1 = odd(1);

    private static VectorMask<Float> odd(int h) {
        boolean[] bits = new boolean[LANES];
        for (int i = 0; i < LANES; i++) {
            bits[i] = (i / h) % 2 == 1;
        }
        return VectorMask.fromArray(F, bits, 0);
    }

    /**
     * Sums each of {@code count} accumulators ({@code LANES} floats each, accumulator k at {@code a[off + k·LANES]},
     * count a power of two up to 16) and writes sum k to {@code a[off + count·LANES + k]}: bit for bit
     * {@link #sumLanes} of each, at a fraction of its cost. The pairwise tree of {@link #sum} is run on all
     * accumulators at once: at each level two accumulators' vectors become one, the first's partial sums in the
     * even groups of lanes and the second's in the odd ones, so every sum sees the same additions in the same
     * order. {@code a} must hold {@code off + count·(LANES + 1)} floats; the accumulators are overwritten.
     */
    static void sumEach(float[] a, int off, int count) {
        int n = count;
        if (LANES > 8) {
            n = sumLevel(a, off, n, SWAP8, ODD8);
        }
        if (LANES > 4) {
            n = sumLevel(a, off, n, SWAP4, ODD4);
        }
        if (LANES > 2) {
            n = sumLevel(a, off, n, SWAP2, ODD2);
        }
        if (LANES > 1) {
            sumLevel(a, off, n, SWAP1, ODD1);
        }
        for (int k = 0; k < count; k++) {
            a[off + count * LANES + k] = a[off + SUM_LANE[Integer.numberOfTrailingZeros(count)][k]];
        }
    }

    /** One level of {@link #sumEach}: {@code n} vectors into {@code ceil(n/2)}, in place; returns the new count. */
    private static int sumLevel(float[] a, int off, int n, VectorShuffle<Float> swap, VectorMask<Float> odd) {
        for (int j = 0; 2 * j < n; j++) {
            FloatVector u = FloatVector.fromArray(F, a, off + 2 * j * LANES);
            FloatVector v = 2 * j + 1 < n ? FloatVector.fromArray(F, a, off + (2 * j + 1) * LANES)
                    : FloatVector.zero(F);
            u.blend(v.rearrange(swap), odd).add(u.rearrange(swap).blend(v, odd)).intoArray(a, off + j * LANES);
        }
        return (n + 1) / 2;
    }

    /** {@code SUM_LANE[log2 count][k]}: the float of {@code a} where {@link #sumEach} leaves accumulator k's sum. */
    private static final int[][] SUM_LANE = sumLanesTable();

    private static int[][] sumLanesTable() {
        int[][] table = new int[5][];
        for (int log = 0; log < 5; log++) {
            int count = 1 << log;
            table[log] = new int[count];
            for (int k = 0; k < count; k++) {
                // follow accumulator k: vector v, lanes [off, off + width)
                int v = k;
                int off = 0;
                for (int h = LANES / 2; h >= 1; h /= 2) {
                    if (v % 2 == 1) {
                        off += h;
                    }
                    v /= 2;
                }
                table[log][k] = v * LANES + off;
            }
        }
        return table;
    }

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
