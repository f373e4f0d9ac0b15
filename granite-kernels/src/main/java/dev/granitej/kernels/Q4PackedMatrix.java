package dev.granitej.kernels;

import static dev.granitej.kernels.Simd.B;
import static dev.granitej.kernels.Simd.F;
import static dev.granitej.kernels.Simd.I;
import static dev.granitej.kernels.Simd.LANES;
import static dev.granitej.kernels.Simd.LE;
import static dev.granitej.kernels.Simd.PAIRS;
import static dev.granitej.kernels.Simd.S;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Objects;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * A {@code Q4_0} matrix repacked for decode: ggml's scales and nibble bytes (see {@link Q4Matrix}), laid out so
 * that one vector holds the same weight of many rows. Rows come in groups of {@value #GROUP}; block {@code b} of
 * group {@code g} is {@value #GROUP_BLOCK_BYTES} bytes at {@code (g·blocks + b)·}{@value #GROUP_BLOCK_BYTES}: the
 * group's 32 fp16 scales, then for {@code j = 0..15} its 32 rows' byte {@code j} (weight {@code j} in the low
 * nibble, {@code 16+j} in the high). The last {@code rows % 32} rows follow the groups as plain ggml rows. The
 * size is ggml's, 18 bytes a block.
 *
 * <p>Why: in ggml's layout a row's dot product ends each block with a scale to widen, broadcast and apply, and
 * each row with a horizontal sum; here the lanes are rows, so a block's scales are one vector, the activations are
 * broadcast once for all the rows, and a group's results are stored as they are. One thread reads 8512×2048
 * Q4_0 matrices 1.2-1.45x as fast from memory as with the four-row ggml kernel, 1.6x from cache (granite-bench
 * README, section 5.0). Prefill decodes a whole group at a time, as it is stored (lanes are rows), and runs its
 * own outer-product tiles over it ({@link #matmulGroups}): rows decoded one by one ({@link #decodeRow}, whose bytes
 * lie 32 apart here) made an h-1b prefill 0.88x as fast.
 *
 * <p>Decode multiplies in integers, as llama.cpp does: each token's activations are quantized once per product
 * to 8 bits per block of 32 ({@link Activations}: {@code x ≈ dx·xq}, {@code |xq| ≤ 127}), and a row's block is
 * {@code Σ (q − 8)·xq} exactly, in 16-bit lanes: the {@code − 8} of every weight enters as a start of
 * {@code −8·Σxq}, then the raw nibbles' products are added, in any form equal modulo 2¹⁶ (the sum of a block fits
 * in 16 bits, |·| ≤ 32·8·127, so lanes that wrap on the way still end right). Then, per block in order,
 * {@code acc = fma(sum, d·dx, acc)}. A 16-bit lane holds twice the weights of a float lane and needs no conversion
 * per weight: on a Zen 2 core (AVX2) a product runs 1.5x as fast as with float lanes, where the conversions to
 * float held it at a third of the memory's speed. The integer sums do not depend on their order, and
 * {@link #dotVector} computes the same sequence in scalar code, so every decode path (one token, a few, one row, a
 * partial group, any thread count) gives each row the same bits. Products over a vector of tokens or more
 * (prefill) give each (row, token) {@link PanelMatmul}'s chain over the float weights instead, whatever the range
 * or thread split, and so does {@link #dotScalar}, the plain product of the stored weights. Scales are widened
 * exactly for finite values (the quantizer writes no others).
 */
public final class Q4PackedMatrix extends WeightMatrix {

    /** Rows per group. */
    public static final int GROUP = 32;
    /** Bytes of one block of a group: 32 fp16 scales and 32 × 16 nibble bytes. */
    static final int GROUP_BLOCK_BYTES = GROUP * Q4Matrix.BLOCK_BYTES;
    /** Bytes of a group block's scales, before its nibbles. */
    private static final int SCALE_BYTES = 2 * GROUP;
    private static final int HALF = WeightFormat.BLOCK / 2;
    /** Rows of a group that {@link #passGroups} sums in one vector of shorts: two float vectors. */
    private static final int PASS_ROWS = 2 * LANES;
    /** Shorts of the float vectors' width: {@link #PASS_ROWS} rows' block sums. */
    private static final VectorSpecies<Short> SUMS = VectorSpecies.of(short.class, F.vectorShape());
    /** Bytes with one lane per row of a pass: one load of {@link #PASS_ROWS} rows' nibble byte. */
    private static final VectorSpecies<Byte> NIBBLES = VectorSpecies.of(byte.class,
            VectorShape.forBitSize(F.vectorBitSize() / 2));

    /**
     * Groups side by side in a single token's product: streams through memory. On a Zen 2 core (AVX2) h-1b decodes
     * on 1 thread at 8.3-8.4 t/s with three, 8.1-8.3 with two or four, 6.6-7.5 with six or eight (their rows lie
     * a multiple of 4 KiB apart, so they share L1 sets).
     */
    private static final int STREAMS = 3;

    private final int blocks;
    private final int groupRows;
    private final long groupBytes;
    /** The last {@code rows % GROUP} rows, in ggml's layout; null when there are none. */
    private final Q4Matrix tail;

    Q4PackedMatrix(MemorySegment data, int rows, int cols) {
        super(data, rows, cols);
        this.blocks = cols / WeightFormat.BLOCK;
        this.groupRows = rows / GROUP * GROUP;
        this.groupBytes = (long) blocks * GROUP_BLOCK_BYTES;
        this.tail = groupRows == rows ? null
                : new Q4Matrix(this.data.asSlice(groupRows / GROUP * groupBytes), rows - groupRows, cols);
    }

    /**
     * Repacks {@code rows} ggml rows of {@code src} (row r at {@code r·rowBytes}) into a new segment of
     * {@code arena}.
     */
    static Q4PackedMatrix pack(MemorySegment src, int rows, int cols, Arena arena) {
        long rowBytes = WeightFormat.Q4_0.bytesFor(cols);
        MemorySegment out = arena.allocate(rowBytes * rows, 64);
        int blocks = cols / WeightFormat.BLOCK;
        int full = rows / GROUP;
        for (int g = 0; g < full; g++) {
            packGroup(src.asSlice(g * GROUP * rowBytes, GROUP * rowBytes), rowBytes, blocks, out,
                    g * (long) blocks * GROUP_BLOCK_BYTES);
        }
        long tailAt = full * (long) blocks * GROUP_BLOCK_BYTES;
        MemorySegment.copy(src, full * GROUP * rowBytes, out, tailAt, (rows - full * GROUP) * rowBytes);
        return new Q4PackedMatrix(out, rows, cols);
    }

    /** Writes the {@value #GROUP} ggml rows of {@code src} as one group at {@code out[at..]}. */
    static void packGroup(MemorySegment src, long rowBytes, int blocks, MemorySegment out, long at) {
        for (int b = 0; b < blocks; b++) {
            long o = at + (long) b * GROUP_BLOCK_BYTES;
            for (int r = 0; r < GROUP; r++) {
                long s = r * rowBytes + (long) b * Q4Matrix.BLOCK_BYTES;
                out.set(I16_LE, o + 2L * r, src.get(I16_LE, s));
                for (int j = 0; j < HALF; j++) {
                    out.set(ValueLayout.JAVA_BYTE, o + SCALE_BYTES + (long) j * GROUP + r,
                            src.get(ValueLayout.JAVA_BYTE, s + 2 + j));
                }
            }
        }
    }

    @Override
    public WeightFormat format() {
        return WeightFormat.Q4_0;
    }

    @Override
    int rowAlignment() {
        return GROUP;
    }

    /** Where {@code row}'s block {@code blk} starts: its group block (the row's scale and bytes lie within it). */
    private long groupBlock(int row, int blk) {
        return (row / GROUP * (long) blocks + blk) * GROUP_BLOCK_BYTES;
    }

    private int nibbles(long groupBlock, int lane, int j) {
        return data.get(ValueLayout.JAVA_BYTE, groupBlock + SCALE_BYTES + (long) j * GROUP + lane) & 0xFF;
    }

    @Override
    public float get(int row, int col) {
        if (row >= groupRows) {
            return tail.get(row - groupRows, col);
        }
        long at = groupBlock(row, col / WeightFormat.BLOCK);
        int j = col % WeightFormat.BLOCK;
        int packed = nibbles(at, row % GROUP, j % HALF);
        int q = j < HALF ? packed & 0x0F : packed >>> 4;
        return Float.float16ToFloat(data.get(I16_LE, at + 2L * (row % GROUP))) * (q - 8);
    }

    /** As {@link Q4Matrix#dotScalar}: the same products in the same order. */
    @Override
    public float dotScalar(int row, float[] x, int xOff) {
        if (row >= groupRows) {
            return tail.dotScalar(row - groupRows, x, xOff);
        }
        int lane = row % GROUP;
        float sum = 0f;
        for (int blk = 0, xb = xOff; blk < blocks; blk++, xb += WeightFormat.BLOCK) {
            long at = groupBlock(row, blk);
            float blockSum = 0f;
            for (int j = 0; j < HALF; j++) {
                int packed = nibbles(at, lane, j);
                blockSum += ((packed & 0x0F) - 8) * x[xb + j] + ((packed >>> 4) - 8) * x[xb + HALF + j];
            }
            sum += Float.float16ToFloat(data.get(I16_LE, at + 2L * lane)) * blockSum;
        }
        return sum;
    }

    /**
     * One lane of {@link #passGroups} in scalar code (see the class comment): the same bits. The ggml rows after the
     * groups get the same sequence, in scalar code too: with ggml's vector kernel, called a few times per product,
     * they ran in C1's code (slow for the Vector API) long after start-up, and a second kind of segment in
     * {@code pass} (a padded copy of them on the heap) made every product 2x slower.
     */
    @Override
    float dotVector(int row, float[] x, int xOff) {
        return laneDot(row, Activations.of(x, xOff, cols));
    }

    /** {@link #dotVector} of the token {@code a}. */
    private float laneDot(int row, Activations a) {
        if (row >= groupRows) {
            long at = groupRows / GROUP * groupBytes + (row - groupRows) * rowBytes;
            return laneDot(at, Q4Matrix.BLOCK_BYTES, 0, 2, 1, a);
        }
        int lane = row % GROUP;
        return laneDot(row / GROUP * groupBytes, GROUP_BLOCK_BYTES, 2 * lane, SCALE_BYTES + lane, GROUP, a);
    }

    /**
     * The lane sequence over blocks {@code blockStep} bytes apart from {@code first}: a block's scale at
     * {@code scaleOff}, its byte j at {@code byteOff + j·byteStride}. The block sum is exact in an int, so it is
     * the value a wrapping 16-bit lane ends with.
     */
    private float laneDot(long first, long blockStep, int scaleOff, int byteOff, int byteStride, Activations a) {
        float acc = 0f;
        for (int blk = 0; blk < blocks; blk++) {
            long at = first + blk * blockStep;
            int xb = blk * WeightFormat.BLOCK;
            int c = a.offset[blk];
            for (int j = 0; j < HALF; j++) {
                int packed = data.get(ValueLayout.JAVA_BYTE, at + byteOff + (long) j * byteStride) & 0xFF;
                c += (packed & 0x0F) * a.q[xb + j] + (packed >>> 4) * a.q[xb + HALF + j];
            }
            int h = data.get(I16_LE, at + scaleOff);
            float d = Float.intBitsToFloat((h << 16 & 0x8000_0000) | (h & 0x7fff) << 13) * HalfFloats.REBIAS;
            acc = Math.fma((float) c, d * a.scale[blk], acc);
        }
        return acc;
    }

    /**
     * A token's activations as 8-bit integers per block of 32, as llama.cpp's {@code Q8_0}: {@code dx = max|x|/127},
     * {@code xq = rint(x/dx)} (so {@code |x − dx·xq| ≤ dx/2}), and {@code offset = −8·Σxq}, the {@code − 8} of every
     * weight of the block. A block with a non-finite activation gets {@code dx = NaN}, so the rows' results are NaN
     * as a float product's would be; a block whose largest magnitude is below {@code 127·2⁻¹²⁶} counts as zeros.
     * Taken once per token and product (scalar code: the same values in every compiler tier).
     */
    static final class Activations {
        final short[] q;
        /**
         * The factors the vector kernels multiply a whole nibble byte {@code p = lo + 16·hi} and its high nibble by:
         * per block, {@code q[j]} for {@code p} and {@code q[16+j] − 16·q[j]} for {@code hi}, since
         * {@code p·q[j] + hi·(q[16+j] − 16·q[j]) = lo·q[j] + hi·q[16+j]}. The low nibble needs no mask then (one
         * instruction fewer for every 16 rows and 2 weights: 1.05-1.1x on AVX2).
         */
        final short[] coef;
        final float[] scale;
        final short[] offset;

        /** Room for rows of up to {@code cols} columns (the products index it by block from 0). */
        Activations(int cols) {
            q = new short[cols];
            coef = new short[cols];
            scale = new float[cols / WeightFormat.BLOCK];
            offset = new short[cols / WeightFormat.BLOCK];
        }

        /** The longest rows these arrays hold. */
        int columns() {
            return q.length;
        }

        /** {@code x[xOff .. xOff + cols)} quantized into new arrays. */
        static Activations of(float[] x, int xOff, int cols) {
            return new Activations(cols).quantize(x, xOff, cols);
        }

        /** {@code x[xOff .. xOff + cols)} quantized into these arrays ({@code cols ≤ columns()}); returns this. */
        Activations quantize(float[] x, int xOff, int cols) {
            for (int blk = 0; blk < cols / WeightFormat.BLOCK; blk++) {
                int xb = xOff + blk * WeightFormat.BLOCK;
                float max = 0f;
                for (int i = 0; i < WeightFormat.BLOCK; i++) {
                    max = Math.max(max, Math.abs(x[xb + i]));
                }
                float dx = max / 127f;
                if (dx < Float.MIN_NORMAL) {
                    // a subnormal dx rounds coarsely (|xq| could pass 127) and its inverse may overflow: a block
                    // this small (|x| < 1.5e-36) counts as zero
                    dx = 0f;
                }
                float inverse = dx > 0f ? 1f / dx : 0f;
                int sum = 0;
                for (int i = 0; i < WeightFormat.BLOCK; i++) {
                    // to nearest, ties to even (Math.rint, one instruction; Math.round's ties up cost 1.65x)
                    int v = (int) Math.rint(x[xb + i] * inverse);
                    q[blk * WeightFormat.BLOCK + i] = (short) v;
                    sum += v;
                }
                for (int j = blk * WeightFormat.BLOCK; j < blk * WeightFormat.BLOCK + HALF; j++) {
                    coef[j] = q[j];
                    coef[j + HALF] = (short) (q[j + HALF] - 16 * q[j]);
                }
                scale[blk] = Float.isFinite(max) ? dx : Float.NaN;
                offset[blk] = (short) (-8 * sum);
            }
            return this;
        }
    }

    /**
     * The {@code groups} groups at {@code groupAt0}, {@code groupAt0 + stride}, … against the token {@code a}, the
     * rows of group {@code k} into {@code y[y0 + k·yStride ..]}. Block by block, each group's block in turn, and
     * each {@link #PASS_ROWS} rows of it: one 16-bit lane per row, a byte load widened, times the broadcast factor of
     * the whole byte ({@link Activations#coef}), and its high nibble, shifted down and masked (the shift is in
     * 32-bit lanes, one instruction where C2 makes a 16-bit one three, so the next row's low nibble lands above it),
     * times its own, summed in a second chain (two chains of adds in flight, not one; added at the block's end, and
     * sums modulo 2¹⁶ do not depend on the order). Then the block's sums widened to ints and floats, and its scales
     * as vectors: the fp16 bits moved into a float's place and the exponent bias corrected by a product with 2¹¹²,
     * exact for finite values (subnormals too), times {@code dx}, added into the rows' results in {@code y}, block
     * after block.
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
     */
    private void passGroups(long groupAt0, long stride, int groups, Activations a, float[] y, int y0, int yStride) {
        for (int k = 0; k < groups; k++) {
            Arrays.fill(y, y0 + k * yStride, y0 + k * yStride + GROUP, 0f);
        }
        for (int blk = 0; blk < blocks; blk++) {
            int xb = blk * WeightFormat.BLOCK;
            short offset = a.offset[blk];
            FloatVector dx = FloatVector.broadcast(F, a.scale[blk]);
            for (int k = 0; k < groups; k++) {
                long at = groupAt0 + k * stride + (long) blk * GROUP_BLOCK_BYTES;
                for (int lane0 = 0; lane0 < GROUP; lane0 += PASS_ROWS) {
                    ShortVector c = ShortVector.broadcast(SUMS, offset);
                    ShortVector hc = ShortVector.zero(SUMS);
                    long w = at + SCALE_BYTES + lane0;
                    for (int j = 0; j < HALF; j++) {
                        ShortVector v = (ShortVector) ByteVector.fromMemorySegment(NIBBLES, data, w + (long) j * GROUP,
                                LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, SUMS, 0);
                        ShortVector h = v.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsShorts();
                        c = c.add(v.mul(a.coef[xb + j]));
                        hc = hc.add(h.and((short) 0x0F).mul(a.coef[xb + HALF + j]));
                    }
                    c = c.add(hc);
                    int yo = y0 + k * yStride + lane0;
                    IntVector s = (IntVector) ShortVector.fromMemorySegment(S, data, at + 2L * lane0, LE)
                            .convertShape(VectorOperators.S2I, I, 0);
                    FloatVector scale = ((FloatVector) s.and(0x8000_0000)
                            .or(s.and(0x7fff).lanewise(VectorOperators.LSHL, 13)).reinterpretAsFloats())
                            .mul(HalfFloats.REBIAS).mul(dx);
                    ((FloatVector) ((IntVector) c.convertShape(VectorOperators.S2I, I, 0))
                            .convert(VectorOperators.I2F, 0)).fma(scale, FloatVector.fromArray(F, y, yo))
                            .intoArray(y, yo);
                    s = (IntVector) ShortVector.fromMemorySegment(S, data, at + 2L * (lane0 + LANES), LE)
                            .convertShape(VectorOperators.S2I, I, 0);
                    scale = ((FloatVector) s.and(0x8000_0000)
                            .or(s.and(0x7fff).lanewise(VectorOperators.LSHL, 13)).reinterpretAsFloats())
                            .mul(HalfFloats.REBIAS).mul(dx);
                    ((FloatVector) ((IntVector) c.convertShape(VectorOperators.S2I, I, 1))
                            .convert(VectorOperators.I2F, 0)).fma(scale, FloatVector.fromArray(F, y, yo + LANES))
                            .intoArray(y, yo + LANES);
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
            long at0 = groupAt0 + (long) blk * GROUP_BLOCK_BYTES;
            long at1 = groupAt1 + (long) blk * GROUP_BLOCK_BYTES;
            int xb = blk * WeightFormat.BLOCK;
            ShortVector c0 = ShortVector.broadcast(SUMS, a.offset[blk]);
            ShortVector c1 = c0;
            long w0 = at0 + SCALE_BYTES + lane0;
            long w1 = at1 + SCALE_BYTES + lane0;
            for (int j = 0; j < HALF; j++) {
                short whole = a.coef[xb + j];
                short high = a.coef[xb + HALF + j];
                ShortVector v = (ShortVector) ByteVector.fromMemorySegment(NIBBLES, data, w0 + (long) j * GROUP, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, SUMS, 0);
                ShortVector h = v.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsShorts();
                c0 = c0.add(v.mul(whole)).add(h.and((short) 0x0F).mul(high));
                v = (ShortVector) ByteVector.fromMemorySegment(NIBBLES, data, w1 + (long) j * GROUP, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, SUMS, 0);
                h = v.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsShorts();
                c1 = c1.add(v.mul(whole)).add(h.and((short) 0x0F).mul(high));
            }
            FloatVector dx = FloatVector.broadcast(F, a.scale[blk]);
            IntVector s = (IntVector) ShortVector.fromMemorySegment(S, data, at0 + 2L * lane0, LE)
                    .convertShape(VectorOperators.S2I, I, 0);
            FloatVector scale = ((FloatVector) s.and(0x8000_0000).or(s.and(0x7fff).lanewise(VectorOperators.LSHL, 13))
                    .reinterpretAsFloats()).mul(HalfFloats.REBIAS).mul(dx);
            acc00 = ((FloatVector) ((IntVector) c0.convertShape(VectorOperators.S2I, I, 0))
                    .convert(VectorOperators.I2F, 0)).fma(scale, acc00);
            s = (IntVector) ShortVector.fromMemorySegment(S, data, at0 + 2L * (lane0 + LANES), LE)
                    .convertShape(VectorOperators.S2I, I, 0);
            scale = ((FloatVector) s.and(0x8000_0000).or(s.and(0x7fff).lanewise(VectorOperators.LSHL, 13))
                    .reinterpretAsFloats()).mul(HalfFloats.REBIAS).mul(dx);
            acc01 = ((FloatVector) ((IntVector) c0.convertShape(VectorOperators.S2I, I, 1))
                    .convert(VectorOperators.I2F, 0)).fma(scale, acc01);
            s = (IntVector) ShortVector.fromMemorySegment(S, data, at1 + 2L * lane0, LE)
                    .convertShape(VectorOperators.S2I, I, 0);
            scale = ((FloatVector) s.and(0x8000_0000).or(s.and(0x7fff).lanewise(VectorOperators.LSHL, 13))
                    .reinterpretAsFloats()).mul(HalfFloats.REBIAS).mul(dx);
            acc10 = ((FloatVector) ((IntVector) c1.convertShape(VectorOperators.S2I, I, 0))
                    .convert(VectorOperators.I2F, 0)).fma(scale, acc10);
            s = (IntVector) ShortVector.fromMemorySegment(S, data, at1 + 2L * (lane0 + LANES), LE)
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

    /**
     * {@link #passGroups} for two tokens, one group and {@link #PASS_ROWS} rows of it ({@code ta}, {@code tb},
     * results to {@code ya} and {@code yb}): each weight vector is widened and split once for both, and each token's
     * sums are {@code passGroups}'s, so its results are too.
     */
    private void pass2(long groupAt, int lane0, Activations ta, Activations tb, float[] y, int ya, int yb) {
        FloatVector accA0 = FloatVector.zero(F);
        FloatVector accA1 = accA0;
        FloatVector accB0 = accA0;
        FloatVector accB1 = accA0;
        for (int blk = 0; blk < blocks; blk++) {
            long at = groupAt + (long) blk * GROUP_BLOCK_BYTES;
            int xb = blk * WeightFormat.BLOCK;
            ShortVector ca = ShortVector.broadcast(SUMS, ta.offset[blk]);
            ShortVector cb = ShortVector.broadcast(SUMS, tb.offset[blk]);
            long w = at + SCALE_BYTES + lane0;
            for (int j = 0; j < HALF; j++) {
                ShortVector v = (ShortVector) ByteVector.fromMemorySegment(NIBBLES, data, w + (long) j * GROUP, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, SUMS, 0);
                ShortVector hi = v.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsShorts()
                        .and((short) 0x0F);
                ca = ca.add(v.mul(ta.coef[xb + j])).add(hi.mul(ta.coef[xb + HALF + j]));
                cb = cb.add(v.mul(tb.coef[xb + j])).add(hi.mul(tb.coef[xb + HALF + j]));
            }
            IntVector s = (IntVector) ShortVector.fromMemorySegment(S, data, at + 2L * lane0, LE)
                    .convertShape(VectorOperators.S2I, I, 0);
            FloatVector d = ((FloatVector) s.and(0x8000_0000).or(s.and(0x7fff).lanewise(VectorOperators.LSHL, 13))
                    .reinterpretAsFloats()).mul(HalfFloats.REBIAS);
            accA0 = ((FloatVector) ((IntVector) ca.convertShape(VectorOperators.S2I, I, 0))
                    .convert(VectorOperators.I2F, 0)).fma(d.mul(ta.scale[blk]), accA0);
            accB0 = ((FloatVector) ((IntVector) cb.convertShape(VectorOperators.S2I, I, 0))
                    .convert(VectorOperators.I2F, 0)).fma(d.mul(tb.scale[blk]), accB0);
            s = (IntVector) ShortVector.fromMemorySegment(S, data, at + 2L * (lane0 + LANES), LE)
                    .convertShape(VectorOperators.S2I, I, 0);
            d = ((FloatVector) s.and(0x8000_0000).or(s.and(0x7fff).lanewise(VectorOperators.LSHL, 13))
                    .reinterpretAsFloats()).mul(HalfFloats.REBIAS);
            accA1 = ((FloatVector) ((IntVector) ca.convertShape(VectorOperators.S2I, I, 1))
                    .convert(VectorOperators.I2F, 0)).fma(d.mul(ta.scale[blk]), accA1);
            accB1 = ((FloatVector) ((IntVector) cb.convertShape(VectorOperators.S2I, I, 1))
                    .convert(VectorOperators.I2F, 0)).fma(d.mul(tb.scale[blk]), accB1);
        }
        accA0.intoArray(y, ya);
        accA1.intoArray(y, ya + LANES);
        accB0.intoArray(y, yb);
        accB1.intoArray(y, yb + LANES);
    }

    /**
     * {@link #rowsVector} for two tokens at once (see {@link #pass2}); the rows outside whole groups token by token.
     */
    private void rowsVector2(Activations ta, Activations tb, float[] y, int ya, int yb, int from, int to) {
        int end = Math.min(to, groupRows);
        int first = (from + GROUP - 1) / GROUP * GROUP;
        int last = first + Math.max(0, end - first) / GROUP * GROUP;
        if (last == first) {
            rowsVector(ta, y, ya, from, to);
            rowsVector(tb, y, yb, from, to);
            return;
        }
        rowsVector(ta, y, ya, from, first);
        rowsVector(tb, y, yb, from, first);
        for (int r = first; r < last; r += GROUP) {
            long groupAt = r / GROUP * groupBytes;
            for (int lane = 0; lane < GROUP; lane += PASS_ROWS) {
                pass2(groupAt, lane, ta, tb, y, ya + r + lane, yb + r + lane);
            }
        }
        rowsVector(ta, y, ya, last, to);
        rowsVector(tb, y, yb, last, to);
    }

    /**
     * {@code y[yOff + r] = dotVector(r, x)} for rows {@code [from, to)} of the token {@code a}: the whole groups by
     * {@link #groupsInStreams} where a group takes several passes (AVX2: 1.05-1.09x on h-1b decode, weights from
     * memory), by {@link #groupsInPairs} where one pass covers it (512-bit vectors, where decode is bound by
     * instructions); the rows outside them by {@link #laneDot}.
     */
    private void rowsVector(Activations a, float[] y, int yOff, int from, int to) {
        rowsVector(a, y, yOff, from, to, PASS_ROWS < GROUP);
    }

    /** {@link #rowsVector} with the whole groups in streams or in pairs, as {@code streams} says (tests run both). */
    void rowsVector(Activations a, float[] y, int yOff, int from, int to, boolean streams) {
        int end = Math.min(to, groupRows);
        int first = Math.min(end, (from + GROUP - 1) / GROUP * GROUP);
        int last = first + (end - first) / GROUP * GROUP;
        for (int r = from; r < first; r++) {
            y[yOff + r] = laneDot(r, a);
        }
        if (streams) {
            groupsInStreams(a, y, yOff, first, last);
        } else {
            groupsInPairs(a, y, yOff, first, last);
        }
        for (int r = Math.max(from, last); r < to; r++) {
            y[yOff + r] = laneDot(r, a);
        }
    }

    /**
     * The whole groups of rows {@code [first, last)} in {@link #STREAMS} parts side by side ({@link #passGroups}),
     * those left over side by side too.
     */
    private void groupsInStreams(Activations a, float[] y, int yOff, int first, int last) {
        int part = (last - first) / GROUP / STREAMS;
        for (int g = 0; g < part; g++) {
            int r0 = first + g * GROUP;
            passGroups(r0 / GROUP * groupBytes, part * groupBytes, STREAMS, a, y, yOff + r0, part * GROUP);
        }
        int r = first + STREAMS * part * GROUP;
        if (r < last) {
            passGroups(r / GROUP * groupBytes, groupBytes, (last - r) / GROUP, a, y, yOff + r, GROUP);
        }
    }

    /**
     * The whole groups of rows {@code [first, last)} in two halves side by side ({@link #passTwoGroups}), an odd one
     * alone.
     */
    private void groupsInPairs(Activations a, float[] y, int yOff, int first, int last) {
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

    /**
     * Quantizes {@code x} into new arrays at each call; the model's products go through {@link #matmulExact} with a
     * {@link MatmulScratch} instead, which quantizes once per product and allocates nothing.
     */
    @Override
    public void matvec(float[] x, int xOff, float[] y, int yOff, int rowFrom, int rowTo) {
        Objects.checkFromToIndex(rowFrom, rowTo, rows);
        if (!Kernels.VECTOR) {
            super.matvec(x, xOff, y, yOff, rowFrom, rowTo);
        } else if (rowFrom < rowTo) {
            rowsVector(Activations.of(x, xOff, cols), y, yOff, rowFrom, rowTo);
        }
    }

    /**
     * Two tokens at a time ({@link #pass2}) over chunks of groups that stay in L2 while all the tokens pass (the
     * weights come from memory once), each token's activations quantized once, into {@code scratch}, for all the
     * chunks: each value is the one-token result.
     */
    @Override
    void exactRange(float[] x, int xStride, float[] y, int yStride, int tokens, int rowFrom, int rowTo,
                    MatmulScratch scratch) {
        if (!Kernels.VECTOR) {
            matmulScalar(x, xStride, y, yStride, tokens, rowFrom, rowTo);
        } else if (rowFrom < rowTo) {
            exactRows(quantized(x, 0, xStride, tokens, scratch), y, yStride, tokens, rowFrom, rowTo);
        }
    }

    /** {@link #matmulExact} over the threads, the activations quantized once before they fork. */
    @Override
    void exactOverRows(Parallel pool, float[] x, int xStride, float[] y, int yStride, int tokens,
                       MatmulScratch scratch) {
        if (!Kernels.VECTOR) {
            super.exactOverRows(pool, x, xStride, y, yStride, tokens, scratch);
            return;
        }
        forRows(pool, scratch.exactTask(), x, xStride, y, yStride, tokens, quantized(x, 0, xStride, tokens, scratch));
    }

    /** The quantized tokens' rows; without them (scalar mode) the float rows as every format's. */
    @Override
    void exactChunk(ExactTask task, int chunk, int from, int to) {
        if (task.activations == null) {
            super.exactChunk(task, chunk, from, to);
        } else if (task.matvec) {
            rowsVector(task.activations[0], task.y, task.yOff, from, to);
        } else {
            exactRows(task.activations, task.y, task.yStride, task.tokens, from, to);
        }
    }

    /** The token quantized once into {@code scratch}, shared by the chunks (none in scalar mode). */
    @Override
    Activations[] matvecActivations(float[] x, int xOff, MatmulScratch scratch) {
        return Kernels.VECTOR ? quantized(x, xOff, 0, 1, scratch) : null;
    }

    /** The {@code tokens} rows of {@code x} (row t at {@code xOff + t·xStride}) quantized into {@code scratch}. */
    private Activations[] quantized(float[] x, int xOff, int xStride, int tokens, MatmulScratch scratch) {
        Activations[] a = scratch.activations(tokens, cols);
        for (int t = 0; t < tokens; t++) {
            a[t].quantize(x, xOff + t * xStride, cols);
        }
        return a;
    }

    /** Rows {@code [rowFrom, rowTo)} of {@link #matmulExact} against the quantized tokens {@code a}. */
    private void exactRows(Activations[] a, float[] y, int yStride, int tokens, int rowFrom, int rowTo) {
        if (tokens == 1) {
            // nothing to reuse across tokens: the whole range at once keeps rowsVector's streams a third or half of
            // the range apart (within a chunk they were a group apart, or one alone: 4096 columns make a chunk one
            // group)
            rowsVector(a[0], y, 0, rowFrom, rowTo);
            return;
        }
        int chunk = (int) Math.max(GROUP, EXACT_CHUNK_BYTES / rowBytes / GROUP * GROUP);
        for (int r0 = rowFrom; r0 < rowTo; r0 += chunk) {
            int r1 = Math.min(rowTo, r0 + chunk);
            int t = 0;
            for (; t + 2 <= tokens; t += 2) {
                rowsVector2(a[t], a[t + 1], y, t * yStride, (t + 1) * yStride, r0, r1);
            }
            if (t < tokens) {
                rowsVector(a[t], y, t * yStride, r0, r1);
            }
        }
    }

    /** Below a vector of tokens: the integer kernels beat a float tile there. */
    @Override
    boolean matmulIsExact(int tokens) {
        return tokens < LANES;
    }

    /** Below a vector of tokens as {@link #matmulExact}; from there on {@link #matmulGroups}. */
    @Override
    public void matmul(float[] x, int xStride, float[] y, int yStride, int tokens, int rowFrom, int rowTo) {
        if (!Kernels.VECTOR) {
            super.matmul(x, xStride, y, yStride, tokens, rowFrom, rowTo);
        } else if (matmulIsExact(tokens)) {
            matmulExact(x, xStride, y, yStride, tokens, rowFrom, rowTo);
        } else {
            Objects.checkFromToIndex(rowFrom, rowTo, rows);
            matmulGroups(x, xStride, y, yStride, tokens, rowFrom, rowTo, null, 0);
        }
    }

    /**
     * Per chunk a decoded group ({@link #decodeGroup}); where rows outside whole groups remain, room for their
     * panels too, and the tokens laid out for them once ({@link PanelMatmul#transpose}).
     */
    @Override
    void prepareRows(float[] x, int xStride, int tokens, MatmulScratch scratch, int chunks) {
        if (groupRows == rows) {
            scratch.reserve(chunks, groupFloats(), 0);
            return;
        }
        scratch.reserve(chunks, Math.max(groupFloats(), PanelMatmul.ROWS * PanelMatmul.panelStride(cols)),
                accumulatorFloats(tokens));
        PanelMatmul.transpose(x, xStride, tokens, cols, scratch.transposed(PanelMatmul.transposedSize(tokens, cols)));
    }

    @Override
    void matmulRows(float[] x, int xStride, float[] y, int yStride, int tokens, int rowFrom, int rowTo,
                    MatmulScratch scratch, int chunk) {
        matmulGroups(x, xStride, y, yStride, tokens, rowFrom, rowTo, scratch, chunk);
    }

    /** Floats of a group decoded by {@link #decodeGroup}. */
    private int groupFloats() {
        return cols * GROUP;
    }

    /**
     * Products over a vector of tokens or more (prefill): each whole group is decoded once, column-major (lanes are
     * rows, as stored, so no transposition), into {@code w}, then run against the tokens twelve at a time by
     * {@link #tile12}; rows outside whole groups go through decoded panels ({@link #matmulPanels}). Every result
     * is the fused multiply-add chain over the columns that {@link PanelMatmul} computes, so it does not depend on
     * the row range, the thread split or the tile. Its buffers come from chunk {@code chunk} of {@code scratch}
     * readied by {@link #prepareRows}, or are allocated where {@code scratch} is null.
     */
    private void matmulGroups(float[] x, int xStride, float[] y, int yStride, int tokens, int rowFrom, int rowTo,
                              MatmulScratch scratch, int chunk) {
        if (rowFrom >= groupRows) {
            panels(x, xStride, y, yStride, tokens, rowFrom, rowTo, scratch, chunk);
            return;
        }
        int end = Math.min(rowTo, groupRows);
        int first = Math.min(end, (rowFrom + GROUP - 1) / GROUP * GROUP);
        if (rowFrom < first) {
            panels(x, xStride, y, yStride, tokens, rowFrom, first, scratch, chunk);
        }
        int r = first;
        if (r + GROUP <= end) {
            float[] w = scratch == null ? new float[groupFloats()] : scratch.panel(chunk);
            for (; r + GROUP <= end; r += GROUP) {
                decodeGroup(r / GROUP, w);
                for (int lane = 0; lane < GROUP; lane += PASS_ROWS) {
                    int t = 0;
                    // tile12's 24 accumulators need AVX-512's 32 registers; with AVX2's 16 they would spill
                    for (; t + 12 <= tokens && Simd.REGISTERS_32; t += 12) {
                        tile12(w, lane, x, t * xStride, xStride, y, t * yStride + r + lane, yStride);
                    }
                    for (; t + 4 <= tokens; t += 4) {
                        tile4(w, lane, x, t * xStride, xStride, y, t * yStride + r + lane, yStride);
                    }
                    for (; t < tokens; t++) {
                        tile1(w, lane, x, t * xStride, xStride, y, t * yStride + r + lane, yStride);
                    }
                }
            }
        }
        if (r < rowTo) {
            panels(x, xStride, y, yStride, tokens, r, rowTo, scratch, chunk);
        }
    }

    /**
     * Rows {@code [rowFrom, rowTo)} outside whole groups on decoded panels: with the tokens {@link #prepareRows}
     * laid out and chunk {@code chunk}'s buffers, or allocating them where {@code scratch} is null.
     */
    private void panels(float[] x, int xStride, float[] y, int yStride, int tokens, int rowFrom, int rowTo,
                        MatmulScratch scratch, int chunk) {
        if (scratch == null) {
            matmulPanels(x, xStride, y, yStride, tokens, rowFrom, rowTo);
        } else {
            multiplyPanels(scratch.transposed(PanelMatmul.transposedSize(tokens, cols)), tokens, y, yStride, rowFrom,
                    rowTo, scratch.panel(chunk), scratch.accumulators(chunk));
        }
    }

    /** Group {@code g} dequantized to {@code w} column-major: row k's weight of column c at {@code c·32 + k}. */
    private void decodeGroup(int g, float[] w) {
        long groupAt = g * groupBytes;
        if (PAIRS) {
            for (int k = 0; k < GROUP; k++) {
                for (int blk = 0; blk < blocks; blk++) {
                    long at = groupAt + (long) blk * GROUP_BLOCK_BYTES;
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
            long at = groupAt + (long) blk * GROUP_BLOCK_BYTES;
            int col = blk * WeightFormat.BLOCK;
            for (int k = 0; k < GROUP; k += LANES) {
                IntVector h = (IntVector) ShortVector.fromMemorySegment(S, data, at + 2L * k, LE)
                        .convertShape(VectorOperators.S2I, I, 0);
                FloatVector d = ((FloatVector) h.and(0x8000_0000)
                        .or(h.and(0x7fff).lanewise(VectorOperators.LSHL, 13)).reinterpretAsFloats())
                        .mul(HalfFloats.REBIAS);
                for (int j = 0; j < HALF; j++) {
                    long b = at + SCALE_BYTES + (long) j * GROUP + k;
                    IntVector v = (IntVector) ByteVector.fromMemorySegment(B, data, b, LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    ((FloatVector) v.and(0x0F).sub(8).convert(VectorOperators.I2F, 0)).mul(d)
                            .intoArray(w, (col + j) * GROUP + k);
                    ((FloatVector) v.lanewise(VectorOperators.LSHR, 4).sub(8).convert(VectorOperators.I2F, 0)).mul(d)
                            .intoArray(w, (col + HALF + j) * GROUP + k);
                }
            }
        }
    }

    /**
     * 12 tokens × rows {@code lane0 ..} ({@link #PASS_ROWS}) of a group decoded column-major in {@code w} (column
     * {@code c}'s 32 rows at {@code c·32}): per column two weight vectors, each token's activation broadcast, one
     * fused multiply-add per token and vector, so each result is the chain {@code s = fma(w_c, x_c, s)} over the
     * columns from zero, as {@link PanelMatmul}'s.
     */
    private void tile12(float[] w, int lane0, float[] x, int xOff, int xStride, float[] y, int yOff, int yStride) {
        FloatVector a00 = FloatVector.zero(F);
        FloatVector a01 = a00;
        FloatVector a10 = FloatVector.zero(F);
        FloatVector a11 = a10;
        FloatVector a20 = FloatVector.zero(F);
        FloatVector a21 = a20;
        FloatVector a30 = FloatVector.zero(F);
        FloatVector a31 = a30;
        FloatVector a40 = FloatVector.zero(F);
        FloatVector a41 = a40;
        FloatVector a50 = FloatVector.zero(F);
        FloatVector a51 = a50;
        FloatVector a60 = FloatVector.zero(F);
        FloatVector a61 = a60;
        FloatVector a70 = FloatVector.zero(F);
        FloatVector a71 = a70;
        FloatVector a80 = FloatVector.zero(F);
        FloatVector a81 = a80;
        FloatVector a90 = FloatVector.zero(F);
        FloatVector a91 = a90;
        FloatVector a100 = FloatVector.zero(F);
        FloatVector a101 = a100;
        FloatVector a110 = FloatVector.zero(F);
        FloatVector a111 = a110;
        for (int c = 0; c < cols; c++) {
            FloatVector w0 = FloatVector.fromArray(F, w, c * GROUP + lane0);
            FloatVector w1 = FloatVector.fromArray(F, w, c * GROUP + lane0 + LANES);
            int xc = xOff + c;
            FloatVector xt = FloatVector.broadcast(F, x[xc]);
            a00 = w0.fma(xt, a00);
            a01 = w1.fma(xt, a01);
            xt = FloatVector.broadcast(F, x[xc + xStride]);
            a10 = w0.fma(xt, a10);
            a11 = w1.fma(xt, a11);
            xt = FloatVector.broadcast(F, x[xc + 2 * xStride]);
            a20 = w0.fma(xt, a20);
            a21 = w1.fma(xt, a21);
            xt = FloatVector.broadcast(F, x[xc + 3 * xStride]);
            a30 = w0.fma(xt, a30);
            a31 = w1.fma(xt, a31);
            xt = FloatVector.broadcast(F, x[xc + 4 * xStride]);
            a40 = w0.fma(xt, a40);
            a41 = w1.fma(xt, a41);
            xt = FloatVector.broadcast(F, x[xc + 5 * xStride]);
            a50 = w0.fma(xt, a50);
            a51 = w1.fma(xt, a51);
            xt = FloatVector.broadcast(F, x[xc + 6 * xStride]);
            a60 = w0.fma(xt, a60);
            a61 = w1.fma(xt, a61);
            xt = FloatVector.broadcast(F, x[xc + 7 * xStride]);
            a70 = w0.fma(xt, a70);
            a71 = w1.fma(xt, a71);
            xt = FloatVector.broadcast(F, x[xc + 8 * xStride]);
            a80 = w0.fma(xt, a80);
            a81 = w1.fma(xt, a81);
            xt = FloatVector.broadcast(F, x[xc + 9 * xStride]);
            a90 = w0.fma(xt, a90);
            a91 = w1.fma(xt, a91);
            xt = FloatVector.broadcast(F, x[xc + 10 * xStride]);
            a100 = w0.fma(xt, a100);
            a101 = w1.fma(xt, a101);
            xt = FloatVector.broadcast(F, x[xc + 11 * xStride]);
            a110 = w0.fma(xt, a110);
            a111 = w1.fma(xt, a111);
        }
        a00.intoArray(y, yOff);
        a01.intoArray(y, yOff + LANES);
        a10.intoArray(y, yOff + yStride);
        a11.intoArray(y, yOff + yStride + LANES);
        a20.intoArray(y, yOff + 2 * yStride);
        a21.intoArray(y, yOff + 2 * yStride + LANES);
        a30.intoArray(y, yOff + 3 * yStride);
        a31.intoArray(y, yOff + 3 * yStride + LANES);
        a40.intoArray(y, yOff + 4 * yStride);
        a41.intoArray(y, yOff + 4 * yStride + LANES);
        a50.intoArray(y, yOff + 5 * yStride);
        a51.intoArray(y, yOff + 5 * yStride + LANES);
        a60.intoArray(y, yOff + 6 * yStride);
        a61.intoArray(y, yOff + 6 * yStride + LANES);
        a70.intoArray(y, yOff + 7 * yStride);
        a71.intoArray(y, yOff + 7 * yStride + LANES);
        a80.intoArray(y, yOff + 8 * yStride);
        a81.intoArray(y, yOff + 8 * yStride + LANES);
        a90.intoArray(y, yOff + 9 * yStride);
        a91.intoArray(y, yOff + 9 * yStride + LANES);
        a100.intoArray(y, yOff + 10 * yStride);
        a101.intoArray(y, yOff + 10 * yStride + LANES);
        a110.intoArray(y, yOff + 11 * yStride);
        a111.intoArray(y, yOff + 11 * yStride + LANES);
    }

    /**
     * 4 tokens × rows {@code lane0 ..} ({@link #PASS_ROWS}) of a group decoded column-major in {@code w} (column
     * {@code c}'s 32 rows at {@code c·32}): per column two weight vectors, each token's activation broadcast, one
     * fused multiply-add per token and vector, so each result is the chain {@code s = fma(w_c, x_c, s)} over the
     * columns from zero, as {@link PanelMatmul}'s.
     */
    private void tile4(float[] w, int lane0, float[] x, int xOff, int xStride, float[] y, int yOff, int yStride) {
        FloatVector a00 = FloatVector.zero(F);
        FloatVector a01 = a00;
        FloatVector a10 = FloatVector.zero(F);
        FloatVector a11 = a10;
        FloatVector a20 = FloatVector.zero(F);
        FloatVector a21 = a20;
        FloatVector a30 = FloatVector.zero(F);
        FloatVector a31 = a30;
        for (int c = 0; c < cols; c++) {
            FloatVector w0 = FloatVector.fromArray(F, w, c * GROUP + lane0);
            FloatVector w1 = FloatVector.fromArray(F, w, c * GROUP + lane0 + LANES);
            int xc = xOff + c;
            FloatVector xt = FloatVector.broadcast(F, x[xc]);
            a00 = w0.fma(xt, a00);
            a01 = w1.fma(xt, a01);
            xt = FloatVector.broadcast(F, x[xc + xStride]);
            a10 = w0.fma(xt, a10);
            a11 = w1.fma(xt, a11);
            xt = FloatVector.broadcast(F, x[xc + 2 * xStride]);
            a20 = w0.fma(xt, a20);
            a21 = w1.fma(xt, a21);
            xt = FloatVector.broadcast(F, x[xc + 3 * xStride]);
            a30 = w0.fma(xt, a30);
            a31 = w1.fma(xt, a31);
        }
        a00.intoArray(y, yOff);
        a01.intoArray(y, yOff + LANES);
        a10.intoArray(y, yOff + yStride);
        a11.intoArray(y, yOff + yStride + LANES);
        a20.intoArray(y, yOff + 2 * yStride);
        a21.intoArray(y, yOff + 2 * yStride + LANES);
        a30.intoArray(y, yOff + 3 * yStride);
        a31.intoArray(y, yOff + 3 * yStride + LANES);
    }

    /**
     * 1 tokens × rows {@code lane0 ..} ({@link #PASS_ROWS}) of a group decoded column-major in {@code w} (column
     * {@code c}'s 32 rows at {@code c·32}): per column two weight vectors, each token's activation broadcast, one
     * fused multiply-add per token and vector, so each result is the chain {@code s = fma(w_c, x_c, s)} over the
     * columns from zero, as {@link PanelMatmul}'s.
     */
    private void tile1(float[] w, int lane0, float[] x, int xOff, int xStride, float[] y, int yOff, int yStride) {
        FloatVector a00 = FloatVector.zero(F);
        FloatVector a01 = a00;
        for (int c = 0; c < cols; c++) {
            FloatVector w0 = FloatVector.fromArray(F, w, c * GROUP + lane0);
            FloatVector w1 = FloatVector.fromArray(F, w, c * GROUP + lane0 + LANES);
            int xc = xOff + c;
            FloatVector xt = FloatVector.broadcast(F, x[xc]);
            a00 = w0.fma(xt, a00);
            a01 = w1.fma(xt, a01);
        }
        a00.intoArray(y, yOff);
        a01.intoArray(y, yOff + LANES);
    }

    /** Not used ({@link #matmul} takes small products itself): plain dots. */
    @Override
    void tile(int row, float[] x, int xOff, int xStride, float[] y, int yOff, int yStride, float[] sums) {
        for (int t = 0; t < TILE_TOKENS; t++) {
            y[yOff + t * yStride + row] = dotVector(row, x, xOff + t * xStride);
            y[yOff + t * yStride + row + 1] = dotVector(row + 1, x, xOff + t * xStride);
        }
    }

    /**
     * No: {@link #matmul} runs its own products over whole groups (which {@code matmul}'s thread split keeps
     * whole, {@link #rowAlignment}); {@link #decodeRow} serves the rows outside them.
     */
    @Override
    boolean decodesPanels() {
        return false;
    }

    /** Dequantizes {@code d·(q − 8)} per weight, as {@link #get}. */
    @Override
    void decodeRow(int row, float[] dst, int dstOff) {
        if (row >= groupRows) {
            if (PAIRS) {
                tail.readRow(row - groupRows, dst, dstOff);
            } else {
                tail.decodeRow(row - groupRows, dst, dstOff);
            }
            return;
        }
        int lane = row % GROUP;
        for (int blk = 0; blk < blocks; blk++) {
            long at = groupBlock(row, blk);
            float d = Float.float16ToFloat(data.get(I16_LE, at + 2L * lane));
            int o = dstOff + blk * WeightFormat.BLOCK;
            for (int j = 0; j < HALF; j++) {
                int packed = nibbles(at, lane, j);
                dst[o + j] = d * ((packed & 0x0F) - 8);
                dst[o + HALF + j] = d * ((packed >>> 4) - 8);
            }
        }
    }

    /** Rows {@code [first, first + count)}: {@code first} a multiple of {@value #GROUP}, and so the count unless
     * the view runs to the last row. */
    @Override
    WeightMatrix slice(int first, int count) {
        if (first % GROUP != 0 || (count % GROUP != 0 && first + count != rows)) {
            throw new IllegalArgumentException("rows [" + first + ", " + (first + count) + ") of a repacked Q4_0 "
                    + "matrix: a view must start at a multiple of " + GROUP + " rows and span whole groups or run "
                    + "to the last row");
        }
        return new Q4PackedMatrix(data.asSlice(first / GROUP * groupBytes, count * rowBytes), count, cols);
    }
}
