package dev.granitej.kernels;

import static dev.granitej.kernels.Simd.B;
import static dev.granitej.kernels.Simd.F;
import static dev.granitej.kernels.Simd.I;
import static dev.granitej.kernels.Simd.LANES;
import static dev.granitej.kernels.Simd.LE;
import static dev.granitej.kernels.Simd.PAIRS;
import static dev.granitej.kernels.Simd.S;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * A {@code Q8_0} matrix repacked by groups of rows ({@link RowGroupMatrix}): a group block's data bytes
 * {@code j = 0..31} are its 32 rows' signed weight {@code j}; 34 bytes a block.
 *
 * <p>Decode's block sum {@code Σ q·xq} needs 21 bits (32·127·127), more than a 16-bit lane, but two products fit
 * one (2·128·127 &lt; 2¹⁵): the kernel adds weights {@code j} and {@code j+1} times their activations in 16-bit
 * lanes, then widens the pair sums into two exact 32-bit sums, one for the rows in the odd 16-bit lanes and one for
 * the even. Read as ints, the pair sums are {@code 2¹⁶·o + u}, {@code o} the odd lane (signed) and {@code u} the
 * even one read as unsigned; with bit 15 flipped first, {@code u = e + 2¹⁵} for the even lane's signed {@code e}.
 * So the int lanes shifted down 16 places (sign extended) add up to {@code Σo}, the int lanes themselves (wrapping)
 * to {@code 2¹⁶·Σo + Σu}, and at the block's end {@code Σe = that − 2¹⁶·Σo − 16·2¹⁵}: a shift and a flip per
 * pair where shifting the even lanes up and back down took three shifts, and shifts are what the loop waits on
 * (one unit on a Zen 2 core; 1.2x in cache). Exact, so the block sum is, whatever the order. The even and odd rows'
 * results are kept apart in {@code y} while the blocks pass
 * (each pass's window holding its even rows, then its odd) and put back in row order at the end. The scales need
 * no such care: read as ints, a pass's fp16 scales are the low and high halves of its lanes, widened in place.
 * Against the float kernel of ggml's layout ({@link Q8Matrix}), one bytes-to-float conversion per weight, decode
 * on a Zen 2 core (AVX2) ran 1.24-1.34x as fast on h-1b, 1.28-1.47x on h-350m and 1.35-1.41x on h-tiny, on one or
 * two threads, and batches of 16 exact tokens 1.22x (granite-bench README, twentieth session).
 */
public final class Q8PackedMatrix extends RowGroupMatrix {

    /**
     * Flips bit 15 of an int lane: its low 16-bit lane, a pair sum {@code e} read as unsigned, becomes
     * {@code e + 2¹⁵} (in 0..2¹⁶−1), and the high lane is untouched. See {@link #sumGroups}.
     */
    private static final int EVEN_BIAS = 0x8000;
    /** {@link #EVEN_BIAS} over a block's 16 pairs. */
    private static final int EVEN_BIASES = WeightFormat.BLOCK / 2 * EVEN_BIAS;

    /**
     * Bytes of a group block ({@link #groupBlockBytes}) as a constant: a slice of this length lets C2 prove the
     * decode kernel's loads in bounds (see {@link #sumGroups}).
     */
    private static final long BLOCK_BYTES = groupBlockBytes(WeightFormat.Q8_0);

    Q8PackedMatrix(MemorySegment data, int rows, int cols) {
        super(data, rows, cols);
    }

    @Override
    public WeightFormat format() {
        return WeightFormat.Q8_0;
    }

    @Override
    short[] factors(Activations a) {
        return a.q;
    }

    @Override
    int quant(long groupBlock, int lane, int j) {
        return dataByte(groupBlock, lane, j);
    }

    /** As {@link Q8Matrix#dotScalar}'s block: the same products in the same order. */
    @Override
    float blockDot(long groupBlock, int lane, float[] x, int xb) {
        float blockSum = 0f;
        for (int j = 0; j < WeightFormat.BLOCK; j++) {
            blockSum += dataByte(groupBlock, lane, j) * x[xb + j];
        }
        return blockSum;
    }

    @Override
    int blockSum(long at, int byteStride, Activations a, int blk) {
        int xb = blk * WeightFormat.BLOCK;
        int c = 0;
        for (int j = 0; j < WeightFormat.BLOCK; j++) {
            c += data.get(ValueLayout.JAVA_BYTE, at + (long) j * byteStride) * a.q[xb + j];
        }
        return c;
    }

    /**
     * As {@link Q4PackedMatrix}'s: block by block, each group's block in turn, and each {@link #PASS_ROWS} rows of
     * it, the results added into {@code y} per block; the groups are a loop and the sums live in {@code y}, which
     * keeps the count of C2's type-check traps down, and each group block is read through a slice of constant
     * length, so C2 keeps no bounds check in the loop (see there). The scales: each int lane of a pass's scales holds
     * an even row's fp16 bits low and the next row's high; either half, moved to the top of the int (sign) and three
     * places below it (exponent and mantissa), times 2¹¹², is the float exactly.
     */
    @Override
    void sumGroups(long groupAt0, long stride, int groups, Activations a, float[] y, int y0, int yStride) {
        short[] wide = a.wide(factors(a));
        int lanes = SUMS.length();
        for (int k = 0; k < groups; k++) {
            Arrays.fill(y, y0 + k * yStride, y0 + k * yStride + GROUP, 0f);
        }
        for (int blk = 0; blk < blocks; blk++) {
            int xb = blk * WeightFormat.BLOCK * lanes;
            FloatVector dx = FloatVector.broadcast(F, a.scale[blk]);
            for (int k = 0; k < groups; k++) {
                MemorySegment block = data.asSlice(groupAt0 + k * stride + blk * groupBlockBytes, BLOCK_BYTES);
                for (int lane0 = 0; lane0 < GROUP; lane0 += PASS_ROWS) {
                    IntVector all = IntVector.zero(I);
                    IntVector odd = all;
                    long w = SCALE_BYTES + lane0;
                    for (int j = 0; j < WeightFormat.BLOCK; j += 2) {
                        ShortVector q0 = (ShortVector) ByteVector.fromMemorySegment(PASS_BYTES, block,
                                w + (long) j * GROUP, LE).convertShape(VectorOperators.B2S, SUMS, 0);
                        ShortVector q1 = (ShortVector) ByteVector.fromMemorySegment(PASS_BYTES, block,
                                w + (long) (j + 1) * GROUP, LE).convertShape(VectorOperators.B2S, SUMS, 0);
                        IntVector pair = q0.mul(ShortVector.fromArray(SUMS, wide, xb + j * lanes))
                                .add(q1.mul(ShortVector.fromArray(SUMS, wide, xb + (j + 1) * lanes)))
                                .reinterpretAsInts().lanewise(VectorOperators.XOR, EVEN_BIAS);
                        all = all.add(pair);
                        odd = odd.add(pair.lanewise(VectorOperators.ASHR, 16));
                    }
                    IntVector even = all.sub(odd.lanewise(VectorOperators.LSHL, 16)).sub(EVEN_BIASES);
                    IntVector s = IntVector.fromMemorySegment(I, block, 2L * lane0, LE);
                    IntVector h = s.lanewise(VectorOperators.LSHL, 16);
                    FloatVector scale = ((FloatVector) h.and(0x8000_0000)
                            .or(h.and(0x7fff_0000).lanewise(VectorOperators.LSHR, 3)).reinterpretAsFloats())
                            .mul(HalfFloats.REBIAS).mul(dx);
                    int yo = y0 + k * yStride + lane0;
                    ((FloatVector) even.convert(VectorOperators.I2F, 0)).fma(scale, FloatVector.fromArray(F, y, yo))
                            .intoArray(y, yo);
                    scale = ((FloatVector) s.and(0x8000_0000)
                            .or(s.and(0x7fff_0000).lanewise(VectorOperators.LSHR, 3)).reinterpretAsFloats())
                            .mul(HalfFloats.REBIAS).mul(dx);
                    ((FloatVector) odd.convert(VectorOperators.I2F, 0))
                            .fma(scale, FloatVector.fromArray(F, y, yo + LANES)).intoArray(y, yo + LANES);
                }
            }
        }
    }

    /**
     * Two pairs: a kernel for four tokens would share one more load and widening per pair of columns, against eight
     * operations per token (a tenth fewer), not worth a third kernel.
     */
    @Override
    void quadGroup(long groupAt, Activations[] a, int t, float[] y, int y0, int yStride) {
        pairGroup(groupAt, a, t, y, y0, yStride);
        pairGroup(groupAt, a, t + 2, y, y0 + 2 * yStride, yStride);
    }

    @Override
    void pass2(long groupAt, int lane0, Activations ta, Activations tb, float[] y, int ya, int yb) {
        FloatVector evenA = FloatVector.zero(F);
        FloatVector oddA = evenA;
        FloatVector evenB = evenA;
        FloatVector oddB = evenA;
        for (int blk = 0; blk < blocks; blk++) {
            MemorySegment block = data.asSlice(groupAt + blk * groupBlockBytes, BLOCK_BYTES);
            int xb = blk * WeightFormat.BLOCK;
            IntVector ea = IntVector.zero(I);
            IntVector oa = ea;
            IntVector eb = ea;
            IntVector ob = ea;
            long w = SCALE_BYTES + lane0;
            for (int j = 0; j < WeightFormat.BLOCK; j += 2) {
                ShortVector q0 = (ShortVector) ByteVector.fromMemorySegment(PASS_BYTES, block, w + (long) j * GROUP,
                        LE).convertShape(VectorOperators.B2S, SUMS, 0);
                ShortVector q1 = (ShortVector) ByteVector.fromMemorySegment(PASS_BYTES, block,
                        w + (long) (j + 1) * GROUP, LE).convertShape(VectorOperators.B2S, SUMS, 0);
                IntVector pair = q0.mul(ta.q[xb + j]).add(q1.mul(ta.q[xb + j + 1])).reinterpretAsInts()
                        .lanewise(VectorOperators.XOR, EVEN_BIAS);
                ea = ea.add(pair);
                oa = oa.add(pair.lanewise(VectorOperators.ASHR, 16));
                pair = q0.mul(tb.q[xb + j]).add(q1.mul(tb.q[xb + j + 1])).reinterpretAsInts()
                        .lanewise(VectorOperators.XOR, EVEN_BIAS);
                eb = eb.add(pair);
                ob = ob.add(pair.lanewise(VectorOperators.ASHR, 16));
            }
            ea = ea.sub(oa.lanewise(VectorOperators.LSHL, 16)).sub(EVEN_BIASES);
            eb = eb.sub(ob.lanewise(VectorOperators.LSHL, 16)).sub(EVEN_BIASES);
            IntVector s = IntVector.fromMemorySegment(I, block, 2L * lane0, LE);
            IntVector h = s.lanewise(VectorOperators.LSHL, 16);
            FloatVector d = ((FloatVector) h.and(0x8000_0000)
                    .or(h.and(0x7fff_0000).lanewise(VectorOperators.LSHR, 3)).reinterpretAsFloats())
                    .mul(HalfFloats.REBIAS);
            evenA = ((FloatVector) ea.convert(VectorOperators.I2F, 0)).fma(d.mul(ta.scale[blk]), evenA);
            evenB = ((FloatVector) eb.convert(VectorOperators.I2F, 0)).fma(d.mul(tb.scale[blk]), evenB);
            d = ((FloatVector) s.and(0x8000_0000)
                    .or(s.and(0x7fff_0000).lanewise(VectorOperators.LSHR, 3)).reinterpretAsFloats())
                    .mul(HalfFloats.REBIAS);
            oddA = ((FloatVector) oa.convert(VectorOperators.I2F, 0)).fma(d.mul(ta.scale[blk]), oddA);
            oddB = ((FloatVector) ob.convert(VectorOperators.I2F, 0)).fma(d.mul(tb.scale[blk]), oddB);
        }
        evenA.intoArray(y, ya);
        oddA.intoArray(y, ya + LANES);
        evenB.intoArray(y, yb);
        oddB.intoArray(y, yb + LANES);
    }

    @Override
    void decodeGroup(int g, float[] w) {
        long groupAt = g * groupBytes;
        if (PAIRS) {
            for (int k = 0; k < GROUP; k++) {
                for (int blk = 0; blk < blocks; blk++) {
                    long at = groupAt + blk * groupBlockBytes;
                    float d = scale(at, k);
                    int col = blk * WeightFormat.BLOCK;
                    for (int j = 0; j < WeightFormat.BLOCK; j++) {
                        w[(col + j) * GROUP + k] = d * dataByte(at, k, j);
                    }
                }
            }
            return;
        }
        for (int blk = 0; blk < blocks; blk++) {
            MemorySegment block = data.asSlice(groupAt + blk * groupBlockBytes, BLOCK_BYTES);
            int col = blk * WeightFormat.BLOCK;
            for (int k = 0; k < GROUP; k += LANES) {
                IntVector h = (IntVector) ShortVector.fromMemorySegment(S, block, 2L * k, LE)
                        .convertShape(VectorOperators.S2I, I, 0);
                FloatVector d = ((FloatVector) h.and(0x8000_0000)
                        .or(h.and(0x7fff).lanewise(VectorOperators.LSHL, 13)).reinterpretAsFloats())
                        .mul(HalfFloats.REBIAS);
                for (int j = 0; j < WeightFormat.BLOCK; j++) {
                    ((FloatVector) ByteVector.fromMemorySegment(B, block, SCALE_BYTES + (long) j * GROUP + k, LE)
                            .convertShape(VectorOperators.B2F, F, 0)).mul(d).intoArray(w, (col + j) * GROUP + k);
                }
            }
        }
    }
}
