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
     * Per block: bytes {@code e..} are widened to ints once; {@code q & 15} gives weights {@code e..} and
     * {@code (q >> 4) & 15} weights {@code 16+e..} (integer shifts: x86 has no byte shift). The 32 products
     * are summed in a vector and scaled by {@code d}; two blocks in flight.
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
                IntVector v = (IntVector) q.convertShape(VectorOperators.B2I, I, 0);
                bs = ((FloatVector) v.and(0x0F).sub(8).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.fromArray(F, x, xb + e), bs);
                bs = ((FloatVector) v.lanewise(VectorOperators.ASHR, 4).and(0x0F).sub(8)
                        .convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xb + HALF + e), bs);
                if (PAIRS) {
                    IntVector v1 = (IntVector) q.convertShape(VectorOperators.B2I, I, 1);
                    bs = ((FloatVector) v1.and(0x0F).sub(8).convert(VectorOperators.I2F, 0))
                            .fma(FloatVector.fromArray(F, x, xb + e + LANES), bs);
                    bs = ((FloatVector) v1.lanewise(VectorOperators.ASHR, 4).and(0x0F).sub(8)
                            .convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xb + HALF + e + LANES), bs);
                }
            }
            float d = Float.float16ToFloat(data.get(I16_LE, at));
            if ((blk & 1) == 0) {
                acc0 = bs.fma(FloatVector.broadcast(F, d), acc0);
            } else {
                acc1 = bs.fma(FloatVector.broadcast(F, d), acc1);
            }
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    /** As {@link Q8Matrix}'s tile: each dequantized chunk serves four tokens; 128-bit floats use plain dots. */
    @Override
    void tile(int row, float[] x, int xOff, int xStride, float[] y, int yOff, int yStride) {
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
        finishTile(row, cols, x, xOff, xStride, y, yOff, yStride,
                a00.reduceLanes(VectorOperators.ADD), a01.reduceLanes(VectorOperators.ADD),
                a02.reduceLanes(VectorOperators.ADD), a03.reduceLanes(VectorOperators.ADD),
                a10.reduceLanes(VectorOperators.ADD), a11.reduceLanes(VectorOperators.ADD),
                a12.reduceLanes(VectorOperators.ADD), a13.reduceLanes(VectorOperators.ADD));
    }
}
