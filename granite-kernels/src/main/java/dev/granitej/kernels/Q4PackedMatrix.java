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
 * A {@code Q4_0} matrix repacked by groups of rows ({@link RowGroupMatrix}): a group block's data bytes
 * {@code j = 0..15} hold weight {@code j} in the low nibble and {@code 16+j} in the high; 18 bytes a block.
 *
 * <p>Decode's block sum is {@code Σ (q − 8)·xq} exactly, in 16-bit lanes: the {@code − 8} of every weight enters as
 * a start of {@code −8·Σxq}, then the raw nibbles' products are added, in any form equal modulo 2¹⁶ (the sum of a
 * block fits in 16 bits, |·| ≤ 32·8·127, so lanes that wrap on the way still end right). A 16-bit lane holds twice
 * the weights of a float lane and needs no conversion per weight: on a Zen 2 core (AVX2) a product runs 1.5x as
 * fast as with float lanes, where the conversions to float held it at a third of the memory's speed.
 */
public final class Q4PackedMatrix extends RowGroupMatrix {

    private static final int HALF = WeightFormat.BLOCK / 2;

    /**
     * Bytes of a group block ({@link #groupBlockBytes}) as a constant: a slice of this length lets C2 prove the
     * decode kernel's loads in bounds (see {@link #sumGroups}).
     */
    private static final long BLOCK_BYTES = groupBlockBytes(WeightFormat.Q4_0);

    Q4PackedMatrix(MemorySegment data, int rows, int cols) {
        super(data, rows, cols);
    }

    @Override
    public WeightFormat format() {
        return WeightFormat.Q4_0;
    }

    @Override
    int quant(long groupBlock, int lane, int j) {
        int packed = dataByte(groupBlock, lane, j % HALF) & 0xFF;
        return (j < HALF ? packed & 0x0F : packed >>> 4) - 8;
    }

    /** As {@link Q4Matrix#dotScalar}'s block: the same products in the same order. */
    @Override
    float blockDot(long groupBlock, int lane, float[] x, int xb) {
        float blockSum = 0f;
        for (int j = 0; j < HALF; j++) {
            int packed = dataByte(groupBlock, lane, j) & 0xFF;
            blockSum += ((packed & 0x0F) - 8) * x[xb + j] + ((packed >>> 4) - 8) * x[xb + HALF + j];
        }
        return blockSum;
    }

    @Override
    short[] factors(Activations a) {
        return a.coef;
    }

    /** {@code −8·Σxq} ({@link Activations#offset}) plus the raw nibbles' products. */
    @Override
    int blockSum(long at, int byteStride, Activations a, int blk) {
        int xb = blk * WeightFormat.BLOCK;
        int c = a.offset[blk];
        for (int j = 0; j < HALF; j++) {
            int packed = data.get(ValueLayout.JAVA_BYTE, at + (long) j * byteStride) & 0xFF;
            c += (packed & 0x0F) * a.q[xb + j] + (packed >>> 4) * a.q[xb + HALF + j];
        }
        return c;
    }

    /**
     * In streams where a group takes several passes (AVX2: 1.05-1.09x on h-1b decode, weights from memory), in pairs
     * where one pass covers it (512-bit vectors, where decode is bound by instructions).
     */
    @Override
    boolean inStreams() {
        return PASS_ROWS < GROUP;
    }

    /**
     * The {@code groups} groups at {@code groupAt0}, {@code groupAt0 + stride}, … against the token {@code a}, the
     * rows of group {@code k} into {@code y[y0 + k·yStride ..]}. Block by block, each group's block in turn, and
     * each {@link #PASS_ROWS} rows of it: one 16-bit lane per row, a byte load widened, times the factor of the
     * whole byte ({@link Activations#coef}, loaded already repeated over a vector: {@link Activations#widen}), and
     * its high nibble, the lane shifted down 4 places (an arithmetic shift of shorts, one instruction, and the
     * lanes hold 0..255, so nothing lands above the nibble: a logical shift of shorts is three instructions in C2's
     * code, and one of ints needed a mask for the next row's bits), times its own, summed in a second chain (two
     * chains of adds in flight, not one; added at the block's end, and sums modulo 2¹⁶ do not depend on the order).
     * Then the block's sums split by shifts of their 32-bit lanes into the even rows' and the odd rows' ints, and
     * its scales read as ints (an even row's fp16 bits low, the next row's high), each half moved into a float's
     * place and the exponent bias corrected by a product with 2¹¹², exact for finite values (subnormals too), times
     * {@code dx}, added into the rows' results in {@code y} (each pass's window its even rows, then its odd, as
     * {@link #sumGroups} leaves them), block after block. Widening the sums in row order ({@code convertShape},
     * part 0 and 1) did the same work, but part 1 is a {@code slice} and {@code blend} that C2 made virtual calls in
     * some compiles past the trap limit (below): one h-1b decode in about ten ran at 4.5 t/s instead of 7.8-8.3
     * (granite-bench README, twentieth session).
     *
     * <p>Why this shape: groups far apart are sequential streams through memory, which one core reads faster
     * together than one by one; a block's rows all at once read each of its cache lines once (two passes over a
     * whole 36 KiB group read it twice, the second time from L2). The groups are a loop, not one copy of the body
     * per stream, and the results live in {@code y}, not in registers: C2 adds up, per inlined call, the type-check
     * traps that the shared Vector API methods have recorded anywhere in the process, and past
     * {@code PerMethodTrapLimit} (100) it stops speculating on types for the rest of the method. A body written
     * out for four streams crossed it once a prefill had run before it compiled: its vectors went through virtual
     * calls and boxes, and decode ran 0.6-0.75x as fast (granite-bench README, nineteenth session). Everything in
     * one method: a helper that returned a vector would box it wherever C2 did not inline it.
     *
     * <p>Each group block is read through a slice of it whose length is a constant ({@link #BLOCK_BYTES}): C2 then
     * proves every load of the block in bounds and the 16-step loop keeps no check. Against the whole segment each
     * load's bound is a {@code long} range check, for which C2 wraps the loop, every pass, in a nest of pre-, main
     * and post-loops: h-1b decode on one thread ran 1.13-1.14x as fast with the slice (granite-bench README,
     * twenty-second session), about what a JVM-wide {@code -XX:LoopUnrollLimit=180} gave by unrolling the loop
     * fully. The slice is not allocated (C2 scalar-replaces it; a decode step allocates what it did before).
     */
    @Override
    void sumGroups(long groupAt0, long stride, int groups, Activations a, float[] y, int y0, int yStride) {
        for (int k = 0; k < groups; k++) {
            Arrays.fill(y, y0 + k * yStride, y0 + k * yStride + GROUP, 0f);
        }
        short[] wide = a.wide(factors(a));
        int lanes = SUMS.length();
        for (int blk = 0; blk < blocks; blk++) {
            int xb = blk * WeightFormat.BLOCK * lanes;
            short offset = a.offset[blk];
            FloatVector dx = FloatVector.broadcast(F, a.scale[blk]);
            for (int k = 0; k < groups; k++) {
                MemorySegment block = data.asSlice(groupAt0 + k * stride + (long) blk * groupBlockBytes, BLOCK_BYTES);
                for (int lane0 = 0; lane0 < GROUP; lane0 += PASS_ROWS) {
                    ShortVector c = ShortVector.broadcast(SUMS, offset);
                    ShortVector hc = ShortVector.zero(SUMS);
                    long w = SCALE_BYTES + lane0;
                    for (int j = 0; j < HALF; j++) {
                        ShortVector v = (ShortVector) ByteVector.fromMemorySegment(PASS_BYTES, block,
                                w + (long) j * GROUP, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, SUMS, 0);
                        ShortVector h = v.lanewise(VectorOperators.ASHR, 4);
                        c = c.add(v.mul(ShortVector.fromArray(SUMS, wide, xb + j * lanes)));
                        hc = hc.add(h.mul(ShortVector.fromArray(SUMS, wide, xb + (HALF + j) * lanes)));
                    }
                    IntVector sums = c.add(hc).reinterpretAsInts();
                    int yo = y0 + k * yStride + lane0;
                    IntVector s = IntVector.fromMemorySegment(I, block, 2L * lane0, LE);
                    IntVector h = s.lanewise(VectorOperators.LSHL, 16);
                    FloatVector scale = ((FloatVector) h.and(0x8000_0000)
                            .or(h.and(0x7fff_0000).lanewise(VectorOperators.LSHR, 3)).reinterpretAsFloats())
                            .mul(HalfFloats.REBIAS).mul(dx);
                    ((FloatVector) sums.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                            .convert(VectorOperators.I2F, 0)).fma(scale, FloatVector.fromArray(F, y, yo))
                            .intoArray(y, yo);
                    scale = ((FloatVector) s.and(0x8000_0000)
                            .or(s.and(0x7fff_0000).lanewise(VectorOperators.LSHR, 3)).reinterpretAsFloats())
                            .mul(HalfFloats.REBIAS).mul(dx);
                    ((FloatVector) sums.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                            .fma(scale, FloatVector.fromArray(F, y, yo + LANES)).intoArray(y, yo + LANES);
                }
            }
        }
    }

    /**
     * Rows {@code lane0 ..} ({@link #PASS_ROWS} of them) of two groups at once (at {@code groupAt0} and
     * {@code groupAt1}, results to {@code y0} and {@code y1}) against one token: each activation is broadcast once
     * for both, two sums are in flight, and the groups lie far apart, so the core reads two streams from memory.
     * Each group's sums are {@link #passGroups}'s, so its results are too. Where one pass covers a group
     * (512-bit vectors) this runs decode ({@link #groupsInPairs}): there a group's block is read once either way,
     * and the shared broadcasts and second sum count where a core is bound by its instructions (on AVX2, in
     * cache, 1024×2048: 119 µs a product this way, 129 by {@code passGroups}; {@code MatvecBenchmark}).
     */
    private void passTwoGroups(long groupAt0, long groupAt1, int lane0, Activations a, float[] y, int y0, int y1) {
        FloatVector acc00 = FloatVector.zero(F);
        FloatVector acc01 = acc00;
        FloatVector acc10 = acc00;
        FloatVector acc11 = acc00;
        for (int blk = 0; blk < blocks; blk++) {
            MemorySegment block0 = data.asSlice(groupAt0 + (long) blk * groupBlockBytes, BLOCK_BYTES);
            MemorySegment block1 = data.asSlice(groupAt1 + (long) blk * groupBlockBytes, BLOCK_BYTES);
            int xb = blk * WeightFormat.BLOCK;
            ShortVector c0 = ShortVector.broadcast(SUMS, a.offset[blk]);
            ShortVector c1 = c0;
            long w = SCALE_BYTES + lane0;
            for (int j = 0; j < HALF; j++) {
                short whole = a.coef[xb + j];
                short high = a.coef[xb + HALF + j];
                ShortVector v = (ShortVector) ByteVector.fromMemorySegment(PASS_BYTES, block0, w + (long) j * GROUP, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, SUMS, 0);
                ShortVector h = v.lanewise(VectorOperators.ASHR, 4);
                c0 = c0.add(v.mul(whole)).add(h.mul(high));
                v = (ShortVector) ByteVector.fromMemorySegment(PASS_BYTES, block1, w + (long) j * GROUP, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, SUMS, 0);
                h = v.lanewise(VectorOperators.ASHR, 4);
                c1 = c1.add(v.mul(whole)).add(h.mul(high));
            }
            FloatVector dx = FloatVector.broadcast(F, a.scale[blk]);
            IntVector s = (IntVector) ShortVector.fromMemorySegment(S, block0, 2L * lane0, LE)
                    .convertShape(VectorOperators.S2I, I, 0);
            FloatVector scale = ((FloatVector) s.and(0x8000_0000).or(s.and(0x7fff).lanewise(VectorOperators.LSHL, 13))
                    .reinterpretAsFloats()).mul(HalfFloats.REBIAS).mul(dx);
            acc00 = ((FloatVector) ((IntVector) c0.convertShape(VectorOperators.S2I, I, 0))
                    .convert(VectorOperators.I2F, 0)).fma(scale, acc00);
            s = (IntVector) ShortVector.fromMemorySegment(S, block0, 2L * (lane0 + LANES), LE)
                    .convertShape(VectorOperators.S2I, I, 0);
            scale = ((FloatVector) s.and(0x8000_0000).or(s.and(0x7fff).lanewise(VectorOperators.LSHL, 13))
                    .reinterpretAsFloats()).mul(HalfFloats.REBIAS).mul(dx);
            acc01 = ((FloatVector) ((IntVector) c0.convertShape(VectorOperators.S2I, I, 1))
                    .convert(VectorOperators.I2F, 0)).fma(scale, acc01);
            s = (IntVector) ShortVector.fromMemorySegment(S, block1, 2L * lane0, LE)
                    .convertShape(VectorOperators.S2I, I, 0);
            scale = ((FloatVector) s.and(0x8000_0000).or(s.and(0x7fff).lanewise(VectorOperators.LSHL, 13))
                    .reinterpretAsFloats()).mul(HalfFloats.REBIAS).mul(dx);
            acc10 = ((FloatVector) ((IntVector) c1.convertShape(VectorOperators.S2I, I, 0))
                    .convert(VectorOperators.I2F, 0)).fma(scale, acc10);
            s = (IntVector) ShortVector.fromMemorySegment(S, block1, 2L * (lane0 + LANES), LE)
                    .convertShape(VectorOperators.S2I, I, 0);
            scale = ((FloatVector) s.and(0x8000_0000).or(s.and(0x7fff).lanewise(VectorOperators.LSHL, 13))
                    .reinterpretAsFloats()).mul(HalfFloats.REBIAS).mul(dx);
            acc11 = ((FloatVector) ((IntVector) c1.convertShape(VectorOperators.S2I, I, 1))
                    .convert(VectorOperators.I2F, 0)).fma(scale, acc11);
        }
        acc00.intoArray(y, y0);
        acc01.intoArray(y, y0 + LANES);
        acc10.intoArray(y, y1);
        acc11.intoArray(y, y1 + LANES);
    }

    @Override
    void pass2(long groupAt, int lane0, Activations ta, Activations tb, float[] y, int ya, int yb) {
        FloatVector accA0 = FloatVector.zero(F);
        FloatVector accA1 = accA0;
        FloatVector accB0 = accA0;
        FloatVector accB1 = accA0;
        for (int blk = 0; blk < blocks; blk++) {
            MemorySegment block = data.asSlice(groupAt + (long) blk * groupBlockBytes, BLOCK_BYTES);
            int xb = blk * WeightFormat.BLOCK;
            ShortVector ca = ShortVector.broadcast(SUMS, ta.offset[blk]);
            ShortVector cb = ShortVector.broadcast(SUMS, tb.offset[blk]);
            long w = SCALE_BYTES + lane0;
            for (int j = 0; j < HALF; j++) {
                ShortVector v = (ShortVector) ByteVector.fromMemorySegment(PASS_BYTES, block, w + (long) j * GROUP, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, SUMS, 0);
                ShortVector hi = v.lanewise(VectorOperators.ASHR, 4);
                ca = ca.add(v.mul(ta.coef[xb + j])).add(hi.mul(ta.coef[xb + HALF + j]));
                cb = cb.add(v.mul(tb.coef[xb + j])).add(hi.mul(tb.coef[xb + HALF + j]));
            }
            IntVector s = IntVector.fromMemorySegment(I, block, 2L * lane0, LE);
            IntVector h = s.lanewise(VectorOperators.LSHL, 16);
            FloatVector d = ((FloatVector) h.and(0x8000_0000)
                    .or(h.and(0x7fff_0000).lanewise(VectorOperators.LSHR, 3)).reinterpretAsFloats())
                    .mul(HalfFloats.REBIAS);
            IntVector sa = ca.reinterpretAsInts();
            IntVector sb = cb.reinterpretAsInts();
            accA0 = ((FloatVector) sa.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .convert(VectorOperators.I2F, 0)).fma(d.mul(ta.scale[blk]), accA0);
            accB0 = ((FloatVector) sb.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .convert(VectorOperators.I2F, 0)).fma(d.mul(tb.scale[blk]), accB0);
            d = ((FloatVector) s.and(0x8000_0000)
                    .or(s.and(0x7fff_0000).lanewise(VectorOperators.LSHR, 3)).reinterpretAsFloats())
                    .mul(HalfFloats.REBIAS);
            accA1 = ((FloatVector) sa.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(d.mul(ta.scale[blk]), accA1);
            accB1 = ((FloatVector) sb.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(d.mul(tb.scale[blk]), accB1);
        }
        accA0.intoArray(y, ya);
        accA1.intoArray(y, ya + LANES);
        accB0.intoArray(y, yb);
        accB1.intoArray(y, yb + LANES);
    }

    /** {@link #pass4} on each pass of the group, then its rows put back in order for the four tokens. */
    @Override
    void quadGroup(long groupAt, Activations[] a, int t, float[] y, int y0, int yStride) {
        for (int lane = 0; lane < GROUP; lane += PASS_ROWS) {
            pass4(groupAt, lane, a[t], a[t + 1], a[t + 2], a[t + 3], y, y0 + lane, yStride);
        }
        for (int k = 0; k < 4; k++) {
            interleave(y, y0 + k * yStride);
        }
    }

    /**
     * {@link #pass2} for four tokens ({@code t0 .. t3}), each token's results added into its window of {@code y}
     * ({@code y0 + k·yStride}) per block, its even rows then its odd, as {@link Q8PackedMatrix}'s kernels leave them:
     * a block's 16-bit sums are split by shifts of their 32-bit lanes and the scales read as ints, where widening
     * them in row order ({@code convertShape}) four times over took C2's compile past its limit of type-check traps
     * (virtual calls that boxed vectors: 100 KB a batched step of four h-1b sessions). Sixteen float accumulators
     * would not fit AVX2's registers. Each weight vector is widened and split once for the four tokens, and each
     * token's sums are {@code passGroups}'s, so its results are too.
     */
    private void pass4(long groupAt, int lane0, Activations t0, Activations t1, Activations t2, Activations t3,
                       float[] y, int y0, int yStride) {
        for (int k = 0; k < 4; k++) {
            Arrays.fill(y, y0 + k * yStride, y0 + k * yStride + PASS_ROWS, 0f);
        }
        for (int blk = 0; blk < blocks; blk++) {
            MemorySegment block = data.asSlice(groupAt + blk * groupBlockBytes, BLOCK_BYTES);
            int xb = blk * WeightFormat.BLOCK;
            ShortVector c0 = ShortVector.broadcast(SUMS, t0.offset[blk]);
            ShortVector c1 = ShortVector.broadcast(SUMS, t1.offset[blk]);
            ShortVector c2 = ShortVector.broadcast(SUMS, t2.offset[blk]);
            ShortVector c3 = ShortVector.broadcast(SUMS, t3.offset[blk]);
            long w = SCALE_BYTES + lane0;
            for (int j = 0; j < HALF; j++) {
                ShortVector v = (ShortVector) ByteVector.fromMemorySegment(PASS_BYTES, block, w + (long) j * GROUP, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, SUMS, 0);
                ShortVector hi = v.lanewise(VectorOperators.ASHR, 4);
                c0 = c0.add(v.mul(t0.coef[xb + j])).add(hi.mul(t0.coef[xb + HALF + j]));
                c1 = c1.add(v.mul(t1.coef[xb + j])).add(hi.mul(t1.coef[xb + HALF + j]));
                c2 = c2.add(v.mul(t2.coef[xb + j])).add(hi.mul(t2.coef[xb + HALF + j]));
                c3 = c3.add(v.mul(t3.coef[xb + j])).add(hi.mul(t3.coef[xb + HALF + j]));
            }
            IntVector s = IntVector.fromMemorySegment(I, block, 2L * lane0, LE);
            IntVector h = s.lanewise(VectorOperators.LSHL, 16);
            FloatVector even = ((FloatVector) h.and(0x8000_0000)
                    .or(h.and(0x7fff_0000).lanewise(VectorOperators.LSHR, 3)).reinterpretAsFloats())
                    .mul(HalfFloats.REBIAS);
            FloatVector odd = ((FloatVector) s.and(0x8000_0000)
                    .or(s.and(0x7fff_0000).lanewise(VectorOperators.LSHR, 3)).reinterpretAsFloats())
                    .mul(HalfFloats.REBIAS);
            int yo = y0;
            IntVector c = c0.reinterpretAsInts();
            ((FloatVector) c.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .convert(VectorOperators.I2F, 0)).fma(even.mul(t0.scale[blk]), FloatVector.fromArray(F, y, yo))
                    .intoArray(y, yo);
            ((FloatVector) c.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(odd.mul(t0.scale[blk]), FloatVector.fromArray(F, y, yo + LANES)).intoArray(y, yo + LANES);
            yo += yStride;
            c = c1.reinterpretAsInts();
            ((FloatVector) c.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .convert(VectorOperators.I2F, 0)).fma(even.mul(t1.scale[blk]), FloatVector.fromArray(F, y, yo))
                    .intoArray(y, yo);
            ((FloatVector) c.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(odd.mul(t1.scale[blk]), FloatVector.fromArray(F, y, yo + LANES)).intoArray(y, yo + LANES);
            yo += yStride;
            c = c2.reinterpretAsInts();
            ((FloatVector) c.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .convert(VectorOperators.I2F, 0)).fma(even.mul(t2.scale[blk]), FloatVector.fromArray(F, y, yo))
                    .intoArray(y, yo);
            ((FloatVector) c.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(odd.mul(t2.scale[blk]), FloatVector.fromArray(F, y, yo + LANES)).intoArray(y, yo + LANES);
            yo += yStride;
            c = c3.reinterpretAsInts();
            ((FloatVector) c.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .convert(VectorOperators.I2F, 0)).fma(even.mul(t3.scale[blk]), FloatVector.fromArray(F, y, yo))
                    .intoArray(y, yo);
            ((FloatVector) c.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(odd.mul(t3.scale[blk]), FloatVector.fromArray(F, y, yo + LANES)).intoArray(y, yo + LANES);
        }
    }

    /**
     * The whole groups of rows {@code [first, last)} in two halves side by side ({@link #passTwoGroups}), an odd one
     * alone.
     */
    @Override
    void groupsInPairs(Activations a, float[] y, int yOff, int first, int last) {
        int half = (last - first) / GROUP / 2 * GROUP;
        for (int r0 = first; r0 < first + half; r0 += GROUP) {
            long groupAt0 = r0 / GROUP * groupBytes;
            long groupAt1 = (r0 + half) / GROUP * groupBytes;
            for (int lane = 0; lane < GROUP; lane += PASS_ROWS) {
                passTwoGroups(groupAt0, groupAt1, lane, a, y, yOff + r0 + lane, yOff + r0 + half + lane);
            }
        }
        int r = first + 2 * half;
        if (r < last) {
            passGroups(r / GROUP * groupBytes, groupBytes, 1, a, y, yOff + r, GROUP);
        }
    }

    @Override
    void decodeGroup(int g, float[] w) {
        long groupAt = g * groupBytes;
        if (PAIRS) {
            for (int k = 0; k < GROUP; k++) {
                for (int blk = 0; blk < blocks; blk++) {
                    long at = groupAt + (long) blk * groupBlockBytes;
                    float d = Float.float16ToFloat(data.get(I16_LE, at + 2L * k));
                    int col = blk * WeightFormat.BLOCK;
                    for (int j = 0; j < HALF; j++) {
                        int packed = data.get(ValueLayout.JAVA_BYTE, at + SCALE_BYTES + (long) j * GROUP + k) & 0xFF;
                        w[(col + j) * GROUP + k] = d * ((packed & 0x0F) - 8);
                        w[(col + HALF + j) * GROUP + k] = d * ((packed >>> 4) - 8);
                    }
                }
            }
            return;
        }
        for (int blk = 0; blk < blocks; blk++) {
            MemorySegment block = data.asSlice(groupAt + (long) blk * groupBlockBytes, BLOCK_BYTES);
            int col = blk * WeightFormat.BLOCK;
            for (int k = 0; k < GROUP; k += LANES) {
                IntVector h = (IntVector) ShortVector.fromMemorySegment(S, block, 2L * k, LE)
                        .convertShape(VectorOperators.S2I, I, 0);
                FloatVector d = ((FloatVector) h.and(0x8000_0000)
                        .or(h.and(0x7fff).lanewise(VectorOperators.LSHL, 13)).reinterpretAsFloats())
                        .mul(HalfFloats.REBIAS);
                for (int j = 0; j < HALF; j++) {
                    long b = SCALE_BYTES + (long) j * GROUP + k;
                    IntVector v = (IntVector) ByteVector.fromMemorySegment(B, block, b, LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    ((FloatVector) v.and(0x0F).sub(8).convert(VectorOperators.I2F, 0)).mul(d)
                            .intoArray(w, (col + j) * GROUP + k);
                    ((FloatVector) v.lanewise(VectorOperators.LSHR, 4).sub(8).convert(VectorOperators.I2F, 0)).mul(d)
                            .intoArray(w, (col + HALF + j) * GROUP + k);
                }
            }
        }
    }
}
