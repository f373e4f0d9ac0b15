package dev.granitej.kernels;

import static dev.granitej.kernels.Simd.B;
import static dev.granitej.kernels.Simd.BYTE_LANES;
import static dev.granitej.kernels.Simd.F;
import static dev.granitej.kernels.Simd.LANES;
import static dev.granitej.kernels.Simd.LE;
import static dev.granitej.kernels.Simd.PAIRS;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * A ggml {@code Q8_0} matrix: each row is blocks of 34 bytes, an fp16 scale {@code d} then 32 signed bytes,
 * {@code w = d·q}. The kernels dequantize on the fly into fp32 and accumulate in fp32.
 */
public final class Q8Matrix extends WeightMatrix {

    static final int BLOCK_BYTES = 34;

    Q8Matrix(MemorySegment data, int rows, int cols) {
        super(data, rows, cols);
    }

    @Override
    public WeightFormat format() {
        return WeightFormat.Q8_0;
    }

    @Override
    public float get(int row, int col) {
        long at = row * rowBytes + (long) (col / WeightFormat.BLOCK) * BLOCK_BYTES;
        return Float.float16ToFloat(data.get(I16_LE, at))
                * data.get(ValueLayout.JAVA_BYTE, at + 2 + col % WeightFormat.BLOCK);
    }

    @Override
    public float dotScalar(int row, float[] x, int xOff) {
        long base = row * rowBytes;
        float sum = 0f;
        for (int blk = 0, xb = xOff; blk < cols / WeightFormat.BLOCK; blk++, xb += WeightFormat.BLOCK) {
            long at = base + (long) blk * BLOCK_BYTES;
            float blockSum = 0f;
            for (int j = 0; j < WeightFormat.BLOCK; j++) {
                blockSum += data.get(ValueLayout.JAVA_BYTE, at + 2 + j) * x[xb + j];
            }
            sum += Float.float16ToFloat(data.get(I16_LE, at)) * blockSum;
        }
        return sum;
    }

    /** Per block: the 32 products are summed in a vector, then scaled by {@code d}; two blocks in flight. */
    @Override
    float dotVector(int row, float[] x, int xOff) {
        long base = row * rowBytes;
        int blocks = cols / WeightFormat.BLOCK;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        for (int blk = 0; blk < blocks; blk++) {
            long at = base + (long) blk * BLOCK_BYTES;
            int xb = xOff + blk * WeightFormat.BLOCK;
            FloatVector bs = FloatVector.zero(F);
            for (int j = 0; j < WeightFormat.BLOCK; j += BYTE_LANES) {
                ByteVector q = ByteVector.fromMemorySegment(B, data, at + 2 + j, LE);
                bs = ((FloatVector) q.convertShape(VectorOperators.B2F, F, 0))
                        .fma(FloatVector.fromArray(F, x, xb + j), bs);
                if (PAIRS) {
                    bs = ((FloatVector) q.convertShape(VectorOperators.B2F, F, 1))
                            .fma(FloatVector.fromArray(F, x, xb + j + LANES), bs);
                }
            }
            float d = Float.float16ToFloat(data.get(I16_LE, at));
            if ((blk & 1) == 0) {
                acc0 = bs.fma(FloatVector.broadcast(F, d), acc0);
            } else {
                acc1 = bs.fma(FloatVector.broadcast(F, d), acc1);
            }
        }
        return Simd.sum(acc0.add(acc1));
    }

    /**
     * Four rows per pass (see {@link WeightMatrix#fourStreams}) where the hardware has 32 vector registers; with
     * AVX2's 16 the kernel's 17 live vectors spill, and rows one at a time are faster (4096 × 4096 on a Zen 2
     * core: 3.83 ms four at a time, 2.26 row by row). 128-bit floats go row by row too.
     */
    @Override
    boolean fourStreams() {
        return !PAIRS && Simd.REGISTERS_32;
    }

    /**
     * Two rows per pass where the four-row kernel would spill (AVX2's 16 registers) or does not run (128-bit
     * floats): 11 vectors live. The gain is the second stream through memory more than the shared activations:
     * 4096 × 4096 from memory on a Zen 2 core, rows half the range apart 1.93–2.0 ms against 2.45–2.48 row by
     * row, adjacent rows 2.46 (a scratch copy of the kernels); from L2, 1.2×.
     */
    @Override
    boolean twoStreams() {
        return !fourStreams();
    }

    /** Per block and row as {@link #dotVector}; each activation vector is loaded once for the two rows. */
    @Override
    void dotRows2(int row, int step, float[] x, int xOff, float[] y, int yOff) {
        long base0 = row * rowBytes;
        long base1 = base0 + step * rowBytes;
        int blocks = cols / WeightFormat.BLOCK;
        FloatVector a00 = FloatVector.zero(F), a01 = a00;
        FloatVector a10 = a00, a11 = a00;
        for (int blk = 0; blk < blocks; blk++) {
            long at = (long) blk * BLOCK_BYTES + 2;
            int xb = xOff + blk * WeightFormat.BLOCK;
            FloatVector b0 = FloatVector.zero(F), b1 = b0;
            for (int j = 0; j < WeightFormat.BLOCK; j += BYTE_LANES) {
                FloatVector xj = FloatVector.fromArray(F, x, xb + j);
                ByteVector q0 = ByteVector.fromMemorySegment(B, data, base0 + at + j, LE);
                ByteVector q1 = ByteVector.fromMemorySegment(B, data, base1 + at + j, LE);
                b0 = ((FloatVector) q0.convertShape(VectorOperators.B2F, F, 0)).fma(xj, b0);
                b1 = ((FloatVector) q1.convertShape(VectorOperators.B2F, F, 0)).fma(xj, b1);
                if (PAIRS) {
                    FloatVector xh = FloatVector.fromArray(F, x, xb + j + LANES);
                    b0 = ((FloatVector) q0.convertShape(VectorOperators.B2F, F, 1)).fma(xh, b0);
                    b1 = ((FloatVector) q1.convertShape(VectorOperators.B2F, F, 1)).fma(xh, b1);
                }
            }
            FloatVector d0 = FloatVector.broadcast(F, Float.float16ToFloat(data.get(I16_LE, base0 + at - 2)));
            FloatVector d1 = FloatVector.broadcast(F, Float.float16ToFloat(data.get(I16_LE, base1 + at - 2)));
            // dotVector's accumulators per row, rotated as in dotRows4: after block blk, a_1 holds blk's parity
            FloatVector n0 = b0.fma(d0, a00);
            a00 = a01;
            a01 = n0;
            FloatVector n1 = b1.fma(d1, a10);
            a10 = a11;
            a11 = n1;
        }
        // each row's pair summed as dotVector sums it, then Simd.sum's tree in registers (see dotRows4)
        FloatVector s0 = a00.add(a01), s1 = a10.add(a11);
        if (LANES > 8) {
            s0 = s0.add(s0.rearrange(Simd.SWAP8));
            s1 = s1.add(s1.rearrange(Simd.SWAP8));
        }
        if (LANES > 4) {
            s0 = s0.add(s0.rearrange(Simd.SWAP4));
            s1 = s1.add(s1.rearrange(Simd.SWAP4));
        }
        if (LANES > 2) {
            s0 = s0.add(s0.rearrange(Simd.SWAP2));
            s1 = s1.add(s1.rearrange(Simd.SWAP2));
        }
        s0 = s0.add(s0.rearrange(Simd.SWAP1));
        s1 = s1.add(s1.rearrange(Simd.SWAP1));
        y[yOff] = s0.lane(0);
        y[yOff + step] = s1.lane(0);
    }

    /**
     * From 512 columns, as {@link Q4Matrix}: with its sums in registers the four-row kernel pays off on h-tiny's
     * 512-column expert down projections too.
     */
    @Override
    int fourStreamCols() {
        return 512;
    }

    /** Per block and row as {@link #dotVector}; each activation vector is loaded once for the four rows. */
    @Override
    void dotRows4(int row, int step, float[] x, int xOff, float[] y, int yOff) {
        long base0 = row * rowBytes;
        long base1 = base0 + step * rowBytes;
        long base2 = base1 + step * rowBytes;
        long base3 = base2 + step * rowBytes;
        int blocks = cols / WeightFormat.BLOCK;
        FloatVector a00 = FloatVector.zero(F), a01 = FloatVector.zero(F);
        FloatVector a10 = FloatVector.zero(F), a11 = FloatVector.zero(F);
        FloatVector a20 = FloatVector.zero(F), a21 = FloatVector.zero(F);
        FloatVector a30 = FloatVector.zero(F), a31 = FloatVector.zero(F);
        for (int blk = 0; blk < blocks; blk++) {
            long at = (long) blk * BLOCK_BYTES + 2;
            int xb = xOff + blk * WeightFormat.BLOCK;
            FloatVector b0 = FloatVector.zero(F), b1 = FloatVector.zero(F);
            FloatVector b2 = FloatVector.zero(F), b3 = FloatVector.zero(F);
            for (int j = 0; j < WeightFormat.BLOCK; j += BYTE_LANES) {
                FloatVector xj = FloatVector.fromArray(F, x, xb + j);
                b0 = ((FloatVector) ByteVector.fromMemorySegment(B, data, base0 + at + j, LE)
                        .convertShape(VectorOperators.B2F, F, 0)).fma(xj, b0);
                b1 = ((FloatVector) ByteVector.fromMemorySegment(B, data, base1 + at + j, LE)
                        .convertShape(VectorOperators.B2F, F, 0)).fma(xj, b1);
                b2 = ((FloatVector) ByteVector.fromMemorySegment(B, data, base2 + at + j, LE)
                        .convertShape(VectorOperators.B2F, F, 0)).fma(xj, b2);
                b3 = ((FloatVector) ByteVector.fromMemorySegment(B, data, base3 + at + j, LE)
                        .convertShape(VectorOperators.B2F, F, 0)).fma(xj, b3);
            }
            FloatVector d0 = FloatVector.broadcast(F, Float.float16ToFloat(data.get(I16_LE, base0 + at - 2)));
            FloatVector d1 = FloatVector.broadcast(F, Float.float16ToFloat(data.get(I16_LE, base1 + at - 2)));
            FloatVector d2 = FloatVector.broadcast(F, Float.float16ToFloat(data.get(I16_LE, base2 + at - 2)));
            FloatVector d3 = FloatVector.broadcast(F, Float.float16ToFloat(data.get(I16_LE, base3 + at - 2)));
            // dotVector's two accumulators per row (even and odd blocks), rotated rather than chosen by a branch
            // on the parity: after block blk, a_1 holds the chain of blk's parity and a_0 the other
            FloatVector n0 = b0.fma(d0, a00);
            a00 = a01;
            a01 = n0;
            FloatVector n1 = b1.fma(d1, a10);
            a10 = a11;
            a11 = n1;
            FloatVector n2 = b2.fma(d2, a20);
            a20 = a21;
            a21 = n2;
            FloatVector n3 = b3.fma(d3, a30);
            a30 = a31;
            a31 = n3;
        }
        // each row's pair summed as dotVector sums it (even + odd: addition commutes exactly), then Simd.sum's tree
        // written out on the four rows, in registers, as in Q4Matrix.dotRows4 (a helper taking the vectors is too
        // big for C2 to inline at this call, and would box them)
        FloatVector s0 = a00.add(a01), s1 = a10.add(a11), s2 = a20.add(a21), s3 = a30.add(a31);
        if (LANES > 8) {
            s0 = s0.add(s0.rearrange(Simd.SWAP8));
            s1 = s1.add(s1.rearrange(Simd.SWAP8));
            s2 = s2.add(s2.rearrange(Simd.SWAP8));
            s3 = s3.add(s3.rearrange(Simd.SWAP8));
        }
        if (LANES > 4) {
            s0 = s0.add(s0.rearrange(Simd.SWAP4));
            s1 = s1.add(s1.rearrange(Simd.SWAP4));
            s2 = s2.add(s2.rearrange(Simd.SWAP4));
            s3 = s3.add(s3.rearrange(Simd.SWAP4));
        }
        if (LANES > 2) {
            s0 = s0.add(s0.rearrange(Simd.SWAP2));
            s1 = s1.add(s1.rearrange(Simd.SWAP2));
            s2 = s2.add(s2.rearrange(Simd.SWAP2));
            s3 = s3.add(s3.rearrange(Simd.SWAP2));
        }
        s0 = s0.add(s0.rearrange(Simd.SWAP1));
        s1 = s1.add(s1.rearrange(Simd.SWAP1));
        s2 = s2.add(s2.rearrange(Simd.SWAP1));
        s3 = s3.add(s3.rearrange(Simd.SWAP1));
        y[yOff] = s0.lane(0);
        y[yOff + step] = s1.lane(0);
        y[yOff + 2 * step] = s2.lane(0);
        y[yOff + 3 * step] = s3.lane(0);
    }

    @Override
    void dotVector4(int row, float[] x, int xOff, int xStride, float[] y, int yOff, int yStride, float[] sums) {
        if (PAIRS) {
            super.dotVector4(row, x, xOff, xStride, y, yOff, yStride, sums);
            return;
        }
        long base = row * rowBytes;
        int blocks = cols / WeightFormat.BLOCK;
        int o0 = xOff;
        int o1 = o0 + xStride;
        int o2 = o1 + xStride;
        int o3 = o2 + xStride;
        FloatVector a00 = FloatVector.zero(F), a01 = FloatVector.zero(F);
        FloatVector a10 = FloatVector.zero(F), a11 = FloatVector.zero(F);
        FloatVector a20 = FloatVector.zero(F), a21 = FloatVector.zero(F);
        FloatVector a30 = FloatVector.zero(F), a31 = FloatVector.zero(F);
        for (int blk = 0; blk < blocks; blk++) {
            long at = base + (long) blk * BLOCK_BYTES;
            int xb = blk * WeightFormat.BLOCK;
            FloatVector b0 = FloatVector.zero(F), b1 = FloatVector.zero(F);
            FloatVector b2 = FloatVector.zero(F), b3 = FloatVector.zero(F);
            for (int j = 0; j < WeightFormat.BLOCK; j += BYTE_LANES) {
                FloatVector q = (FloatVector) ByteVector.fromMemorySegment(B, data, at + 2 + j, LE)
                        .convertShape(VectorOperators.B2F, F, 0);
                b0 = q.fma(FloatVector.fromArray(F, x, o0 + xb + j), b0);
                b1 = q.fma(FloatVector.fromArray(F, x, o1 + xb + j), b1);
                b2 = q.fma(FloatVector.fromArray(F, x, o2 + xb + j), b2);
                b3 = q.fma(FloatVector.fromArray(F, x, o3 + xb + j), b3);
            }
            FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(data.get(I16_LE, at)));
            if ((blk & 1) == 0) {
                a00 = b0.fma(d, a00);
                a10 = b1.fma(d, a10);
                a20 = b2.fma(d, a20);
                a30 = b3.fma(d, a30);
            } else {
                a01 = b0.fma(d, a01);
                a11 = b1.fma(d, a11);
                a21 = b2.fma(d, a21);
                a31 = b3.fma(d, a31);
            }
        }
        // each token's pair summed as dotVector sums it, then Simd.sum's tree on the four tokens in registers (as
        // in dotRows4); rows are whole blocks, so there is no scalar tail
        FloatVector s0 = a00.add(a01), s1 = a10.add(a11), s2 = a20.add(a21), s3 = a30.add(a31);
        if (LANES > 8) {
            s0 = s0.add(s0.rearrange(Simd.SWAP8));
            s1 = s1.add(s1.rearrange(Simd.SWAP8));
            s2 = s2.add(s2.rearrange(Simd.SWAP8));
            s3 = s3.add(s3.rearrange(Simd.SWAP8));
        }
        if (LANES > 4) {
            s0 = s0.add(s0.rearrange(Simd.SWAP4));
            s1 = s1.add(s1.rearrange(Simd.SWAP4));
            s2 = s2.add(s2.rearrange(Simd.SWAP4));
            s3 = s3.add(s3.rearrange(Simd.SWAP4));
        }
        if (LANES > 2) {
            s0 = s0.add(s0.rearrange(Simd.SWAP2));
            s1 = s1.add(s1.rearrange(Simd.SWAP2));
            s2 = s2.add(s2.rearrange(Simd.SWAP2));
            s3 = s3.add(s3.rearrange(Simd.SWAP2));
        }
        s0 = s0.add(s0.rearrange(Simd.SWAP1));
        s1 = s1.add(s1.rearrange(Simd.SWAP1));
        s2 = s2.add(s2.rearrange(Simd.SWAP1));
        s3 = s3.add(s3.rearrange(Simd.SWAP1));
        y[yOff] = s0.lane(0);
        y[yOff + yStride] = s1.lane(0);
        y[yOff + 2 * yStride] = s2.lane(0);
        y[yOff + 3 * yStride] = s3.lane(0);
    }

    /**
     * Each chunk of weights is dequantized once ({@code d·q}) and used for four tokens. With 128-bit floats
     * (where a byte load feeds two float vectors) the tile is plain dots instead: that width is a fallback
     * setting, not worth a second tile.
     */
    @Override
    void tile(int row, float[] x, int xOff, int xStride, float[] y, int yOff, int yStride, float[] sums) {
        if (PAIRS) {
            for (int t = 0; t < TILE_TOKENS; t++) {
                y[yOff + t * yStride + row] = dotVector(row, x, xOff + t * xStride);
                y[yOff + t * yStride + row + 1] = dotVector(row + 1, x, xOff + t * xStride);
            }
            return;
        }
        long base0 = row * rowBytes;
        long base1 = base0 + rowBytes;
        int x1Off = xOff + xStride;
        int x2Off = x1Off + xStride;
        int x3Off = x2Off + xStride;
        FloatVector a00 = FloatVector.zero(F);
        FloatVector a01 = a00;
        FloatVector a02 = a00;
        FloatVector a03 = a00;
        FloatVector a10 = a00;
        FloatVector a11 = a00;
        FloatVector a12 = a00;
        FloatVector a13 = a00;
        for (int i = 0; i < cols; i += WeightFormat.BLOCK) {
            long at0 = base0 + (long) (i / WeightFormat.BLOCK) * BLOCK_BYTES;
            long at1 = at0 + rowBytes;
            float d0 = Float.float16ToFloat(data.get(I16_LE, at0));
            float d1 = Float.float16ToFloat(data.get(I16_LE, at1));
            for (int j = 0; j < WeightFormat.BLOCK; j += LANES) {
                FloatVector w0 = ((FloatVector) ByteVector.fromMemorySegment(B, data, at0 + 2 + j, LE)
                        .convertShape(VectorOperators.B2F, F, 0)).mul(d0);
                FloatVector w1 = ((FloatVector) ByteVector.fromMemorySegment(B, data, at1 + 2 + j, LE)
                        .convertShape(VectorOperators.B2F, F, 0)).mul(d1);
                FloatVector x0 = FloatVector.fromArray(F, x, xOff + i + j);
                a00 = w0.fma(x0, a00);
                a10 = w1.fma(x0, a10);
                FloatVector x1 = FloatVector.fromArray(F, x, x1Off + i + j);
                a01 = w0.fma(x1, a01);
                a11 = w1.fma(x1, a11);
                FloatVector x2 = FloatVector.fromArray(F, x, x2Off + i + j);
                a02 = w0.fma(x2, a02);
                a12 = w1.fma(x2, a12);
                FloatVector x3 = FloatVector.fromArray(F, x, x3Off + i + j);
                a03 = w0.fma(x3, a03);
                a13 = w1.fma(x3, a13);
            }
        }
        // in the order finishTile sums them; no vector leaves this method (see Simd.sumLanes)
        a00.intoArray(sums, 0);
        a01.intoArray(sums, Simd.LANES);
        a02.intoArray(sums, 2 * Simd.LANES);
        a03.intoArray(sums, 3 * Simd.LANES);
        a10.intoArray(sums, 4 * Simd.LANES);
        a11.intoArray(sums, 5 * Simd.LANES);
        a12.intoArray(sums, 6 * Simd.LANES);
        a13.intoArray(sums, 7 * Simd.LANES);
        finishTile(row, cols, x, xOff, xStride, y, yOff, yStride, sums);
    }

    /** Panels when one byte load fills one float vector; with 128-bit floats the tiles (dots) stay. */
    @Override
    boolean decodesPanels() {
        return !PAIRS;
    }

    /** Dequantizes {@code d·q} per weight, rounded as the tile rounds it. Only called when {@code !PAIRS}. */
    @Override
    void decodeRow(int row, float[] dst, int dstOff) {
        long base = row * rowBytes;
        for (int i = 0; i < cols; i += WeightFormat.BLOCK) {
            long at = base + (long) (i / WeightFormat.BLOCK) * BLOCK_BYTES;
            float d = Float.float16ToFloat(data.get(I16_LE, at));
            for (int j = 0; j < WeightFormat.BLOCK; j += LANES) {
                ((FloatVector) ByteVector.fromMemorySegment(B, data, at + 2 + j, LE)
                        .convertShape(VectorOperators.B2F, F, 0)).mul(d).intoArray(dst, dstOff + i + j);
            }
        }
    }
}
