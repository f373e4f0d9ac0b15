package dev.granitej.kernels;

import static dev.granitej.kernels.Simd.B;
import static dev.granitej.kernels.Simd.BYTE_LANES;
import static dev.granitej.kernels.Simd.F;
import static dev.granitej.kernels.Simd.I;
import static dev.granitej.kernels.Simd.LANES;
import static dev.granitej.kernels.Simd.LE;
import static dev.granitej.kernels.Simd.PAIRS;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * A ggml {@code Q4_0} matrix: each row is blocks of 18 bytes, an fp16 scale {@code d} then 16 bytes of
 * nibbles; byte {@code j} holds weight {@code j} in its low nibble and weight {@code 16+j} in its high
 * nibble, {@code w = d·(q − 8)}. The kernels dequantize on the fly and accumulate in fp32.
 */
public final class Q4Matrix extends WeightMatrix {

    static final int BLOCK_BYTES = 18;
    private static final int HALF = WeightFormat.BLOCK / 2;

    Q4Matrix(MemorySegment data, int rows, int cols) {
        super(data, rows, cols);
    }

    @Override
    public WeightFormat format() {
        return WeightFormat.Q4_0;
    }

    @Override
    public float get(int row, int col) {
        long at = row * rowBytes + (long) (col / WeightFormat.BLOCK) * BLOCK_BYTES;
        int j = col % WeightFormat.BLOCK;
        int packed = data.get(ValueLayout.JAVA_BYTE, at + 2 + (j % HALF)) & 0xFF;
        int q = j < HALF ? packed & 0x0F : packed >>> 4;
        return Float.float16ToFloat(data.get(I16_LE, at)) * (q - 8);
    }

    @Override
    public float dotScalar(int row, float[] x, int xOff) {
        long base = row * rowBytes;
        float sum = 0f;
        for (int blk = 0, xb = xOff; blk < cols / WeightFormat.BLOCK; blk++, xb += WeightFormat.BLOCK) {
            long at = base + (long) blk * BLOCK_BYTES;
            float blockSum = 0f;
            for (int j = 0; j < HALF; j++) {
                int packed = data.get(ValueLayout.JAVA_BYTE, at + 2 + j) & 0xFF;
                blockSum += ((packed & 0x0F) - 8) * x[xb + j] + ((packed >>> 4) - 8) * x[xb + HALF + j];
            }
            sum += Float.float16ToFloat(data.get(I16_LE, at)) * blockSum;
        }
        return sum;
    }

    /**
     * Per block: bytes {@code e..} are zero-extended to ints once; {@code q & 15} gives weights {@code e..} and
     * {@code q >>> 4} weights {@code 16+e..} (integer shifts: x86 has no byte shift; zero- rather than
     * sign-extension spares the high nibble a mask). The {@code − 8} of every weight is taken out of the products:
     * a block's sum starts at {@code −8·(x_e + x_{16+e})} lane by lane, then the raw nibbles' products are added,
     * so the weights need no subtraction; where several rows share the activations ({@link #dotRows4}) that start
     * is computed once for all of them. The sum is scaled by {@code d}; two blocks in flight.
     */
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
            for (int e = 0; e < HALF; e += BYTE_LANES) {
                ByteVector q = ByteVector.fromMemorySegment(B, data, at + 2 + e, LE);
                // with 128-bit floats one byte load fills two float vectors (parts 0 and 1)
                for (int part = 0; part < (PAIRS ? 2 : 1); part++) {
                    int xp = xb + e + part * LANES;
                    FloatVector xl = FloatVector.fromArray(F, x, xp);
                    FloatVector xh = FloatVector.fromArray(F, x, xp + HALF);
                    FloatVector m = xl.add(xh).mul(-8f);
                    bs = e == 0 && part == 0 ? m : bs.add(m);
                    IntVector v = (IntVector) q.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, part);
                    bs = ((FloatVector) v.and(0x0F).convert(VectorOperators.I2F, 0)).fma(xl, bs);
                    bs = ((FloatVector) v.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0))
                            .fma(xh, bs);
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

    /** Four rows per pass (see {@link WeightMatrix#fourStreams}); 128-bit floats go row by row. */
    @Override
    boolean fourStreams() {
        return !PAIRS;
    }

    /**
     * From 512 columns: with its sums in registers the four-row kernel reads h-tiny's 512-column expert down
     * projections 1.27x as fast as single rows (scratch harness, 128 matrices of 1536×512, one thread).
     */
    @Override
    int fourStreamCols() {
        return 512;
    }

    /** Per block and row as {@link #dotVector}; the activations and the block sums' start shared by the four. */
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
            for (int e = 0; e < HALF; e += BYTE_LANES) {
                FloatVector xl = FloatVector.fromArray(F, x, xb + e);
                FloatVector xh = FloatVector.fromArray(F, x, xb + HALF + e);
                FloatVector m = xl.add(xh).mul(-8f);
                b0 = e == 0 ? m : b0.add(m);
                b1 = e == 0 ? m : b1.add(m);
                b2 = e == 0 ? m : b2.add(m);
                b3 = e == 0 ? m : b3.add(m);
                IntVector v = (IntVector) ByteVector.fromMemorySegment(B, data, base0 + at + e, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                b0 = ((FloatVector) v.and(0x0F).convert(VectorOperators.I2F, 0)).fma(xl, b0);
                b0 = ((FloatVector) v.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(xh, b0);
                v = (IntVector) ByteVector.fromMemorySegment(B, data, base1 + at + e, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                b1 = ((FloatVector) v.and(0x0F).convert(VectorOperators.I2F, 0)).fma(xl, b1);
                b1 = ((FloatVector) v.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(xh, b1);
                v = (IntVector) ByteVector.fromMemorySegment(B, data, base2 + at + e, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                b2 = ((FloatVector) v.and(0x0F).convert(VectorOperators.I2F, 0)).fma(xl, b2);
                b2 = ((FloatVector) v.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(xh, b2);
                v = (IntVector) ByteVector.fromMemorySegment(B, data, base3 + at + e, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                b3 = ((FloatVector) v.and(0x0F).convert(VectorOperators.I2F, 0)).fma(xl, b3);
                b3 = ((FloatVector) v.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(xh, b3);
            }
            FloatVector d0 = FloatVector.broadcast(F, Float.float16ToFloat(data.get(I16_LE, base0 + at - 2)));
            FloatVector d1 = FloatVector.broadcast(F, Float.float16ToFloat(data.get(I16_LE, base1 + at - 2)));
            FloatVector d2 = FloatVector.broadcast(F, Float.float16ToFloat(data.get(I16_LE, base2 + at - 2)));
            FloatVector d3 = FloatVector.broadcast(F, Float.float16ToFloat(data.get(I16_LE, base3 + at - 2)));
            // dotVector's two accumulators per row, rotated as in Q8Matrix.dotRows4
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
        // Simd.sum's tree written out (no call a vector could be boxed at) on all four rows at once, in registers:
        // through sums and Simd.sumEach the stores and reloads tied each call to the next, and 512-column rows
        // (h-tiny's expert down projections) ran 1.4x slower; 1536-column ones 1.06x.
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

    /** As {@link Q8Matrix}'s tile: each dequantized chunk serves four tokens; 128-bit floats use plain dots. */
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
            for (int e = 0; e < HALF; e += BYTE_LANES) {
                IntVector v = (IntVector) ByteVector.fromMemorySegment(B, data, at + 2 + e, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                FloatVector lo = (FloatVector) v.and(0x0F).convert(VectorOperators.I2F, 0);
                FloatVector hi = (FloatVector) v.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0);
                // each token's block sum starts at -8·(x_e + x_16+e), as in dotVector
                FloatVector xl = FloatVector.fromArray(F, x, o0 + xb + e);
                FloatVector xh = FloatVector.fromArray(F, x, o0 + xb + HALF + e);
                FloatVector m = xl.add(xh).mul(-8f);
                b0 = hi.fma(xh, lo.fma(xl, e == 0 ? m : b0.add(m)));
                xl = FloatVector.fromArray(F, x, o1 + xb + e);
                xh = FloatVector.fromArray(F, x, o1 + xb + HALF + e);
                m = xl.add(xh).mul(-8f);
                b1 = hi.fma(xh, lo.fma(xl, e == 0 ? m : b1.add(m)));
                xl = FloatVector.fromArray(F, x, o2 + xb + e);
                xh = FloatVector.fromArray(F, x, o2 + xb + HALF + e);
                m = xl.add(xh).mul(-8f);
                b2 = hi.fma(xh, lo.fma(xl, e == 0 ? m : b2.add(m)));
                xl = FloatVector.fromArray(F, x, o3 + xb + e);
                xh = FloatVector.fromArray(F, x, o3 + xb + HALF + e);
                m = xl.add(xh).mul(-8f);
                b3 = hi.fma(xh, lo.fma(xl, e == 0 ? m : b3.add(m)));
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
        // in the order finishDots sums them; no vector leaves this method (see Simd.sumLanes)
        a00.add(a01).intoArray(sums, 0);
        a10.add(a11).intoArray(sums, Simd.LANES);
        a20.add(a21).intoArray(sums, 2 * Simd.LANES);
        a30.add(a31).intoArray(sums, 3 * Simd.LANES);
        finishDots(row, cols, x, xOff, xStride, y, yOff, yStride, sums);
    }

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
            for (int e = 0; e < HALF; e += LANES) {
                IntVector v0 = (IntVector) ByteVector.fromMemorySegment(B, data, at0 + 2 + e, LE)
                        .convertShape(VectorOperators.B2I, I, 0);
                IntVector v1 = (IntVector) ByteVector.fromMemorySegment(B, data, at1 + 2 + e, LE)
                        .convertShape(VectorOperators.B2I, I, 0);
                // Weights e.. (low nibbles), then weights 16+e.. (high nibbles), of both rows.
                for (int half = 0; half < 2; half++) {
                    int col = i + e + half * HALF;
                    FloatVector w0 = ((FloatVector) v0.lanewise(VectorOperators.ASHR, 4 * half).and(0x0F).sub(8)
                            .convert(VectorOperators.I2F, 0)).mul(d0);
                    FloatVector w1 = ((FloatVector) v1.lanewise(VectorOperators.ASHR, 4 * half).and(0x0F).sub(8)
                            .convert(VectorOperators.I2F, 0)).mul(d1);
                    FloatVector x0 = FloatVector.fromArray(F, x, xOff + col);
                    a00 = w0.fma(x0, a00);
                    a10 = w1.fma(x0, a10);
                    FloatVector x1 = FloatVector.fromArray(F, x, x1Off + col);
                    a01 = w0.fma(x1, a01);
                    a11 = w1.fma(x1, a11);
                    FloatVector x2 = FloatVector.fromArray(F, x, x2Off + col);
                    a02 = w0.fma(x2, a02);
                    a12 = w1.fma(x2, a12);
                    FloatVector x3 = FloatVector.fromArray(F, x, x3Off + col);
                    a03 = w0.fma(x3, a03);
                    a13 = w1.fma(x3, a13);
                }
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

    /** Dequantizes {@code d·(q − 8)} per weight, rounded as the tile rounds it. Only called when {@code !PAIRS}. */
    @Override
    void decodeRow(int row, float[] dst, int dstOff) {
        long base = row * rowBytes;
        for (int i = 0; i < cols; i += WeightFormat.BLOCK) {
            long at = base + (long) (i / WeightFormat.BLOCK) * BLOCK_BYTES;
            float d = Float.float16ToFloat(data.get(I16_LE, at));
            for (int e = 0; e < HALF; e += LANES) {
                IntVector v = (IntVector) ByteVector.fromMemorySegment(B, data, at + 2 + e, LE)
                        .convertShape(VectorOperators.B2I, I, 0);
                for (int half = 0; half < 2; half++) {
                    ((FloatVector) v.lanewise(VectorOperators.ASHR, 4 * half).and(0x0F).sub(8)
                            .convert(VectorOperators.I2F, 0)).mul(d).intoArray(dst, dstOff + i + e + half * HALF);
                }
            }
        }
    }
}
