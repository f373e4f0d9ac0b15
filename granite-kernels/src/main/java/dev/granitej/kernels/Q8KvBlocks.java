package dev.granitej.kernels;

import static dev.granitej.kernels.Simd.B;
import static dev.granitej.kernels.Simd.BYTE_LANES;
import static dev.granitej.kernels.Simd.F;
import static dev.granitej.kernels.Simd.LANES;
import static dev.granitej.kernels.Simd.PAIRS;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Keys and values of a KV cache in 8-bit blocks: each run of {@link #blockDims} dimensions of one position of
 * one head is stored as {@code q·d}, {@code d = amax/127} and {@code q = roundf(x/d)}: llama.cpp's q8_0 with the
 * scale kept as a float (and x divided by d where llama.cpp multiplies by 1/d, which overflows for tiny blocks),
 * 9 bits a value where float16 takes 16. Widening computes {@code q·d} (an exact product unless d is subnormal),
 * the same value in the vector and scalar paths, so attention over the widened cache is the float kernels'
 * attention over the dequantized values. A block holding a non-finite value reads back as NaN (its scale is NaN
 * or infinite and its codes 0).
 *
 * <p>Layouts, in one head's region: values are rows of {@code headDim} codes per position, with position p's
 * scales at {@code p·G + g} ({@code G = headDim / blockDims}); keys are blocked as
 * {@link AttentionKernel#KEY_BLOCK}'s float keys, with the scales of key block b at
 * {@code (b·G + g)·KEY_BLOCK + lane}. Either way a region of codes from index {@code off} has its scales from
 * {@code off / blockDims}.
 */
public final class Q8KvBlocks {

    /** Dimensions per scale where the head's width allows: llama.cpp's block. */
    public static final int BLOCK = 32;

    private Q8KvBlocks() {
    }

    /**
     * Dimensions per scale for heads of {@code headDim}: {@link #BLOCK}, or the whole head where 32 does not
     * divide it.
     */
    public static int blockDims(int headDim) {
        return headDim % BLOCK == 0 ? BLOCK : headDim;
    }

    /** Scales per position of one head. */
    public static int scalesPerRow(int headDim) {
        return headDim / blockDims(headDim);
    }

    /**
     * Quantizes the value row {@code x[xOff .. + headDim)} into codes {@code q[qOff .. + headDim)} and their
     * scales ({@code qOff} a multiple of {@link #blockDims}, as every row of a region is).
     */
    public static void narrowRow(float[] x, int xOff, byte[] q, int qOff, float[] scales, int headDim) {
        int bd = blockDims(headDim);
        for (int g = 0; g < headDim; g += bd) {
            scales[(qOff + g) / bd] = quantize(x, xOff + g, bd, q, qOff + g, 1);
        }
    }

    /**
     * Quantizes the key {@code x[xOff .. + headDim)} of position {@code pos} into the blocked key region from
     * {@code regionOff}: codes at {@code regionOff + blockedKeyIndex(pos) + d·KEY_BLOCK}, scales at
     * {@link #keyScaleIndex}.
     */
    public static void narrowKey(float[] x, int xOff, byte[] q, float[] scales, int regionOff, int pos,
                                 int headDim) {
        int bd = blockDims(headDim);
        int kb = AttentionKernel.KEY_BLOCK;
        int at = regionOff + AttentionKernel.blockedKeyIndex(pos, headDim);
        for (int g = 0; g < headDim; g += bd) {
            scales[keyScaleIndex(regionOff, pos, g / bd, headDim)] = quantize(x, xOff + g, bd, q, at + g * kb, kb);
        }
    }

    /**
     * Where the scale of block {@code g} of position {@code pos}'s key is, in the key region from
     * {@code regionOff}.
     */
    public static int keyScaleIndex(int regionOff, int pos, int g, int headDim) {
        return regionOff / blockDims(headDim) + AttentionKernel.blockedKeyIndex(pos, scalesPerRow(headDim))
                + g * AttentionKernel.KEY_BLOCK;
    }

    /** One block: codes to {@code q[at + j·stride]}; returns its scale. */
    private static float quantize(float[] x, int from, int n, byte[] q, int at, int stride) {
        float amax = 0f;
        for (int j = 0; j < n; j++) {
            amax = Math.max(amax, Math.abs(x[from + j]));
        }
        float d = amax / 127f;
        for (int j = 0; j < n; j++) {
            // x/d, not llama.cpp's x·(1/d): 1/d overflows to infinity where amax is below ~4e-37
            q[at + j * stride] = (byte) (d != 0f ? Quantizer.roundHalfAway(x[from + j] / d) : 0);
        }
        return d;
    }

    /**
     * Widens {@code rows} value rows, from the one at {@code qOff}, into {@code dst[0 .. rows·headDim)}.
     */
    public static void widenRows(byte[] q, int qOff, float[] scales, int rows, int headDim, float[] dst) {
        if (!Kernels.VECTOR) {
            widenRowsScalar(q, qOff, scales, rows, headDim, dst);
            return;
        }
        int bd = blockDims(headDim);
        int n = rows * headDim;
        if (bd == BLOCK && !PAIRS) {
            // a constant trip count, which C2 unrolls: with the block width as its bound the loop ran 2× slower
            for (int i = 0; i < n; i += BLOCK) {
                float d = scales[(qOff + i) / BLOCK];
                for (int j = 0; j < BLOCK; j += LANES) {
                    ((FloatVector) ByteVector.fromArray(B, q, qOff + i + j).convertShape(VectorOperators.B2F, F, 0))
                            .mul(d).intoArray(dst, i + j);
                }
            }
            return;
        }
        int vectorEnd = bd - BYTE_LANES;
        for (int i = 0; i < n; i += bd) {
            float d = scales[(qOff + i) / bd];
            int j = 0;
            for (; j <= vectorEnd; j += BYTE_LANES) {
                ByteVector b = ByteVector.fromArray(B, q, qOff + i + j);
                ((FloatVector) b.convertShape(VectorOperators.B2F, F, 0)).mul(d).intoArray(dst, i + j);
                if (PAIRS) {
                    ((FloatVector) b.convertShape(VectorOperators.B2F, F, 1)).mul(d).intoArray(dst, i + j + LANES);
                }
            }
            for (; j < bd; j++) {
                dst[i + j] = q[qOff + i + j] * d;
            }
        }
    }

    /**
     * Widens {@code blocks} key blocks, from the one at {@code qOff} (a region's start plus whole blocks), into
     * {@code dst[0 .. blocks·headDim·KEY_BLOCK)} in the float keys' blocked layout.
     */
    public static void widenKeyBlocks(byte[] q, int qOff, float[] scales, int blocks, int headDim, float[] dst) {
        if (!Kernels.VECTOR) {
            widenKeyBlocksScalar(q, qOff, scales, blocks, headDim, dst);
            return;
        }
        int bd = blockDims(headDim);
        int kb = AttentionKernel.KEY_BLOCK;
        int scaleOff = qOff / bd;
        int groups = blocks * (headDim / bd);
        if (bd == BLOCK && !PAIRS) {
            // a constant trip count, as in widenRows
            for (int g = 0; g < groups; g++) {
                FloatVector d = FloatVector.fromArray(F, scales, scaleOff + g * LANES);
                int at = g * BLOCK * LANES;
                for (int i = 0; i < BLOCK * LANES; i += LANES) {
                    ((FloatVector) ByteVector.fromArray(B, q, qOff + at + i).convertShape(VectorOperators.B2F, F, 0))
                            .mul(d).intoArray(dst, at + i);
                }
            }
            return;
        }
        // PAIRS: one byte load holds two dimensions' key blocks (KEY_BLOCK is LANES, the load 2·LANES)
        int step = PAIRS ? 2 * kb : kb;
        for (int g = 0; g < groups; g++) {
            FloatVector d = FloatVector.fromArray(F, scales, scaleOff + g * kb);
            int at = g * bd * kb;
            int end = at + bd * kb;
            int i = at;
            for (; i + step <= end; i += step) {
                ByteVector v = ByteVector.fromArray(B, q, qOff + i);
                ((FloatVector) v.convertShape(VectorOperators.B2F, F, 0)).mul(d).intoArray(dst, i);
                if (PAIRS) {
                    ((FloatVector) v.convertShape(VectorOperators.B2F, F, 1)).mul(d).intoArray(dst, i + kb);
                }
            }
            for (; i < end; i++) {
                dst[i] = q[qOff + i] * scales[scaleOff + g * kb + i % kb];
            }
        }
    }

    /** The scalar twin of {@link #widenRows}. */
    public static void widenRowsScalar(byte[] q, int qOff, float[] scales, int rows, int headDim, float[] dst) {
        int bd = blockDims(headDim);
        for (int i = 0; i < rows * headDim; i++) {
            dst[i] = q[qOff + i] * scales[(qOff + i) / bd];
        }
    }

    /** The scalar twin of {@link #widenKeyBlocks}. */
    public static void widenKeyBlocksScalar(byte[] q, int qOff, float[] scales, int blocks, int headDim,
                                            float[] dst) {
        int bd = blockDims(headDim);
        int kb = AttentionKernel.KEY_BLOCK;
        int scaleOff = qOff / bd;
        for (int i = 0; i < blocks * headDim * kb; i++) {
            // dimension (i / kb) % headDim of block i / (headDim·kb), lane i % kb
            int g = i / (bd * kb);
            dst[i] = q[qOff + i] * scales[scaleOff + g * kb + i % kb];
        }
    }
}
