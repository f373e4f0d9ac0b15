package dev.granitej.kernels;

import static dev.granitej.kernels.Simd.F;
import static dev.granitej.kernels.Simd.I;
import static dev.granitej.kernels.Simd.LANES;
import static dev.granitej.kernels.Simd.LE;
import static dev.granitej.kernels.Simd.S;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/** A bfloat16 weight matrix, accumulated in fp32. A bf16 is widened by shifting its bits into the upper half of a float. */
public final class Bf16Matrix extends WeightMatrix {

    Bf16Matrix(MemorySegment data, int rows, int cols) {
        super(data, rows, cols);
    }

    @Override
    public WeightFormat format() {
        return WeightFormat.BF16;
    }

    @Override
    public float get(int row, int col) {
        return bf16ToFloat(data.get(I16_LE, ((long) row * cols + col) * 2));
    }

    @Override
    public float dotScalar(int row, float[] x, int xOff) {
        long base = (long) row * cols * 2;
        float sum = 0f;
        for (int i = 0; i < cols; i++) {
            sum += bf16ToFloat(data.get(I16_LE, base + i * 2L)) * x[xOff + i];
        }
        return sum;
    }

    @Override
    float dotVector(int row, float[] x, int xOff) {
        long base = row * rowBytes;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        FloatVector acc2 = FloatVector.zero(F);
        FloatVector acc3 = FloatVector.zero(F);
        int i = 0;
        for (; i <= cols - 4 * LANES; i += 4 * LANES) {
            long at = base + i * 2L;
            acc0 = ((IntVector) ShortVector.fromMemorySegment(S, data, at, LE)
                    .convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                    .fma(FloatVector.fromArray(F, x, xOff + i), acc0);
            acc1 = ((IntVector) ShortVector.fromMemorySegment(S, data, at + 2L * LANES, LE)
                    .convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                    .fma(FloatVector.fromArray(F, x, xOff + i + LANES), acc1);
            acc2 = ((IntVector) ShortVector.fromMemorySegment(S, data, at + 4L * LANES, LE)
                    .convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                    .fma(FloatVector.fromArray(F, x, xOff + i + 2 * LANES), acc2);
            acc3 = ((IntVector) ShortVector.fromMemorySegment(S, data, at + 6L * LANES, LE)
                    .convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                    .fma(FloatVector.fromArray(F, x, xOff + i + 3 * LANES), acc3);
        }
        for (; i <= cols - LANES; i += LANES) {
            acc0 = ((IntVector) ShortVector.fromMemorySegment(S, data, base + i * 2L, LE)
                    .convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                    .fma(FloatVector.fromArray(F, x, xOff + i), acc0);
        }
        float sum = Simd.sum(acc0.add(acc1).add(acc2.add(acc3)));
        for (; i < cols; i++) {
            sum += bf16ToFloat(data.get(I16_LE, base + i * 2L)) * x[xOff + i];
        }
        return sum;
    }

    /**
     * {@link #dotVector}'s bits in scalar code: lane {@code l} of accumulator {@code k} is the fused multiply-add
     * chain over columns {@code i + k·LANES + l} of the four-vector steps (accumulator 0 then over the one-vector
     * steps), the lanes are combined as {@code (acc0 + acc1) + (acc2 + acc3)} and summed by {@link Simd#sum}'s tree
     * ({@link #laneTree}), then the columns after the last vector are added as {@code dotVector} adds them.
     */
    @Override
    float dotVectorReplica(int row, float[] x, int xOff) {
        long base = row * rowBytes;
        float sum = laneTree(base, x, xOff, 0, 1, LANES);
        for (int i = cols / LANES * LANES; i < cols; i++) {
            sum += bf16ToFloat(data.get(I16_LE, base + i * 2L)) * x[xOff + i];
        }
        return sum;
    }

    /**
     * {@link Simd#sum}'s tree over the lanes {@code lane, lane + step, …} ({@code count} of them): a level of the
     * butterfly adds lane {@code i + h} to lane {@code i}, so the lanes that end in lane 0 pair up this way.
     */
    private float laneTree(long base, float[] x, int xOff, int lane, int step, int count) {
        if (count == 1) {
            return lane(base, x, xOff, lane, 0) + lane(base, x, xOff, lane, 1)
                    + (lane(base, x, xOff, lane, 2) + lane(base, x, xOff, lane, 3));
        }
        return laneTree(base, x, xOff, lane, 2 * step, count / 2)
                + laneTree(base, x, xOff, lane + step, 2 * step, count / 2);
    }

    /** Lane {@code lane} of {@link #dotVector}'s accumulator {@code k}. */
    private float lane(long base, float[] x, int xOff, int lane, int k) {
        float acc = 0f;
        int i = 0;
        for (; i <= cols - 4 * LANES; i += 4 * LANES) {
            int c = i + k * LANES + lane;
            acc = Math.fma(bf16ToFloat(data.get(I16_LE, base + c * 2L)), x[xOff + c], acc);
        }
        if (k == 0) {
            for (; i <= cols - LANES; i += LANES) {
                acc = Math.fma(bf16ToFloat(data.get(I16_LE, base + (i + lane) * 2L)), x[xOff + i + lane], acc);
            }
        }
        return acc;
    }

    /** Four rows per pass (see {@link WeightMatrix#fourStreams}) when rows are whole 4-vector steps. */
    @Override
    boolean fourStreams() {
        return cols % (4 * LANES) == 0;
    }

    /** As {@link #dotVector}, for four rows: their four accumulators each, the activations loaded once. */
    @Override
    void dotRows4(int row, int step, float[] x, int xOff, float[] y, int yOff) {
        long base0 = row * rowBytes;
        long base1 = base0 + step * rowBytes;
        long base2 = base1 + step * rowBytes;
        long base3 = base2 + step * rowBytes;
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        for (int i = 0; i < cols; i += 4 * LANES) {
            long o = i * 2L;
            FloatVector x0 = FloatVector.fromArray(F, x, xOff + i);
            FloatVector x1 = FloatVector.fromArray(F, x, xOff + i + LANES);
            FloatVector x2 = FloatVector.fromArray(F, x, xOff + i + 2 * LANES);
            FloatVector x3 = FloatVector.fromArray(F, x, xOff + i + 3 * LANES);
            a00 = ((IntVector) ShortVector.fromMemorySegment(S, data, base0 + o, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                    .fma(x0, a00);
            a01 = ((IntVector) ShortVector.fromMemorySegment(S, data, base0 + o + 2L * LANES, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                    .fma(x1, a01);
            a02 = ((IntVector) ShortVector.fromMemorySegment(S, data, base0 + o + 4L * LANES, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                    .fma(x2, a02);
            a03 = ((IntVector) ShortVector.fromMemorySegment(S, data, base0 + o + 6L * LANES, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                    .fma(x3, a03);
            a10 = ((IntVector) ShortVector.fromMemorySegment(S, data, base1 + o, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                    .fma(x0, a10);
            a11 = ((IntVector) ShortVector.fromMemorySegment(S, data, base1 + o + 2L * LANES, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                    .fma(x1, a11);
            a12 = ((IntVector) ShortVector.fromMemorySegment(S, data, base1 + o + 4L * LANES, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                    .fma(x2, a12);
            a13 = ((IntVector) ShortVector.fromMemorySegment(S, data, base1 + o + 6L * LANES, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                    .fma(x3, a13);
            a20 = ((IntVector) ShortVector.fromMemorySegment(S, data, base2 + o, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                    .fma(x0, a20);
            a21 = ((IntVector) ShortVector.fromMemorySegment(S, data, base2 + o + 2L * LANES, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                    .fma(x1, a21);
            a22 = ((IntVector) ShortVector.fromMemorySegment(S, data, base2 + o + 4L * LANES, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                    .fma(x2, a22);
            a23 = ((IntVector) ShortVector.fromMemorySegment(S, data, base2 + o + 6L * LANES, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                    .fma(x3, a23);
            a30 = ((IntVector) ShortVector.fromMemorySegment(S, data, base3 + o, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                    .fma(x0, a30);
            a31 = ((IntVector) ShortVector.fromMemorySegment(S, data, base3 + o + 2L * LANES, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                    .fma(x1, a31);
            a32 = ((IntVector) ShortVector.fromMemorySegment(S, data, base3 + o + 4L * LANES, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                    .fma(x2, a32);
            a33 = ((IntVector) ShortVector.fromMemorySegment(S, data, base3 + o + 6L * LANES, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()
                    .fma(x3, a33);
        }
        // each row's four summed as dotVector sums them, then Simd.sum's tree written out on the four rows in
        // registers, as in Q4Matrix.dotRows4 (no call a vector could be boxed at)
        FloatVector s0 = a00.add(a01).add(a02.add(a03));
        FloatVector s1 = a10.add(a11).add(a12.add(a13));
        FloatVector s2 = a20.add(a21).add(a22.add(a23));
        FloatVector s3 = a30.add(a31).add(a32.add(a33));
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
        long base = row * rowBytes;
        int o0 = xOff;
        int o1 = o0 + xStride;
        int o2 = o1 + xStride;
        int o3 = o2 + xStride;
        FloatVector a00 = FloatVector.zero(F), a01 = FloatVector.zero(F), a02 = FloatVector.zero(F), a03 = FloatVector.zero(F);
        FloatVector a10 = FloatVector.zero(F), a11 = FloatVector.zero(F), a12 = FloatVector.zero(F), a13 = FloatVector.zero(F);
        FloatVector a20 = FloatVector.zero(F), a21 = FloatVector.zero(F), a22 = FloatVector.zero(F), a23 = FloatVector.zero(F);
        FloatVector a30 = FloatVector.zero(F), a31 = FloatVector.zero(F), a32 = FloatVector.zero(F), a33 = FloatVector.zero(F);
        int i = 0;
        for (; i <= cols - 4 * LANES; i += 4 * LANES) {
            long at = base + i * 2L;
            FloatVector w0 = ((IntVector) ShortVector.fromMemorySegment(S, data, at, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector w1 = ((IntVector) ShortVector.fromMemorySegment(S, data, at + 2L * LANES, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector w2 = ((IntVector) ShortVector.fromMemorySegment(S, data, at + 4L * LANES, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector w3 = ((IntVector) ShortVector.fromMemorySegment(S, data, at + 6L * LANES, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            a00 = w0.fma(FloatVector.fromArray(F, x, o0 + i), a00);
            a01 = w1.fma(FloatVector.fromArray(F, x, o0 + i + LANES), a01);
            a02 = w2.fma(FloatVector.fromArray(F, x, o0 + i + 2 * LANES), a02);
            a03 = w3.fma(FloatVector.fromArray(F, x, o0 + i + 3 * LANES), a03);
            a10 = w0.fma(FloatVector.fromArray(F, x, o1 + i), a10);
            a11 = w1.fma(FloatVector.fromArray(F, x, o1 + i + LANES), a11);
            a12 = w2.fma(FloatVector.fromArray(F, x, o1 + i + 2 * LANES), a12);
            a13 = w3.fma(FloatVector.fromArray(F, x, o1 + i + 3 * LANES), a13);
            a20 = w0.fma(FloatVector.fromArray(F, x, o2 + i), a20);
            a21 = w1.fma(FloatVector.fromArray(F, x, o2 + i + LANES), a21);
            a22 = w2.fma(FloatVector.fromArray(F, x, o2 + i + 2 * LANES), a22);
            a23 = w3.fma(FloatVector.fromArray(F, x, o2 + i + 3 * LANES), a23);
            a30 = w0.fma(FloatVector.fromArray(F, x, o3 + i), a30);
            a31 = w1.fma(FloatVector.fromArray(F, x, o3 + i + LANES), a31);
            a32 = w2.fma(FloatVector.fromArray(F, x, o3 + i + 2 * LANES), a32);
            a33 = w3.fma(FloatVector.fromArray(F, x, o3 + i + 3 * LANES), a33);
        }
        for (; i <= cols - LANES; i += LANES) {
            FloatVector w = ((IntVector) ShortVector.fromMemorySegment(S, data, base + i * 2L, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            a00 = w.fma(FloatVector.fromArray(F, x, o0 + i), a00);
            a10 = w.fma(FloatVector.fromArray(F, x, o1 + i), a10);
            a20 = w.fma(FloatVector.fromArray(F, x, o2 + i), a20);
            a30 = w.fma(FloatVector.fromArray(F, x, o3 + i), a30);
        }
        // in the order finishDots sums them; no vector leaves this method (see Simd.sumLanes)
        a00.add(a01).add(a02.add(a03)).intoArray(sums, 0);
        a10.add(a11).add(a12.add(a13)).intoArray(sums, Simd.LANES);
        a20.add(a21).add(a22.add(a23)).intoArray(sums, 2 * Simd.LANES);
        a30.add(a31).add(a32.add(a33)).intoArray(sums, 3 * Simd.LANES);
        finishDots(row, i, x, xOff, xStride, y, yOff, yStride, sums);
    }

    /**
     * Four tokens keep 16 accumulators and four weight vectors live, which AVX2's 16 registers spill: there
     * {@link #dotVector3} and {@link #dotVector2} run instead ({@code MatmulBenchmark.exact}, 16 tokens on a Zen 2
     * core: 8192 × 1536 18.0 → 14.1 ms, 1536 × 1536 3.5-3.9 → 2.3 ms).
     */
    @Override
    int exactTokens() {
        return Simd.REGISTERS_32 ? 4 : 3;
    }

    /**
     * {@link #dotVector4} for three tokens, each weight vector converted once and used at once by the three
     * (12 accumulators and one weight vector live): the same chains as {@link #dotVector}.
     */
    @Override
    void dotVector3(int row, float[] x, int xOff, int xStride, float[] y, int yOff, int yStride, float[] sums) {
        long base = row * rowBytes;
        int o0 = xOff;
        int o1 = o0 + xStride;
        int o2 = o1 + xStride;
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        int i = 0;
        for (; i <= cols - 4 * LANES; i += 4 * LANES) {
            long at = base + i * 2L;
            FloatVector w = ((IntVector) ShortVector.fromMemorySegment(S, data, at, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            a00 = w.fma(FloatVector.fromArray(F, x, o0 + i), a00);
            a10 = w.fma(FloatVector.fromArray(F, x, o1 + i), a10);
            a20 = w.fma(FloatVector.fromArray(F, x, o2 + i), a20);
            w = ((IntVector) ShortVector.fromMemorySegment(S, data, at + 2L * LANES, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            a01 = w.fma(FloatVector.fromArray(F, x, o0 + i + LANES), a01);
            a11 = w.fma(FloatVector.fromArray(F, x, o1 + i + LANES), a11);
            a21 = w.fma(FloatVector.fromArray(F, x, o2 + i + LANES), a21);
            w = ((IntVector) ShortVector.fromMemorySegment(S, data, at + 4L * LANES, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            a02 = w.fma(FloatVector.fromArray(F, x, o0 + i + 2 * LANES), a02);
            a12 = w.fma(FloatVector.fromArray(F, x, o1 + i + 2 * LANES), a12);
            a22 = w.fma(FloatVector.fromArray(F, x, o2 + i + 2 * LANES), a22);
            w = ((IntVector) ShortVector.fromMemorySegment(S, data, at + 6L * LANES, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            a03 = w.fma(FloatVector.fromArray(F, x, o0 + i + 3 * LANES), a03);
            a13 = w.fma(FloatVector.fromArray(F, x, o1 + i + 3 * LANES), a13);
            a23 = w.fma(FloatVector.fromArray(F, x, o2 + i + 3 * LANES), a23);
        }
        for (; i <= cols - LANES; i += LANES) {
            FloatVector w = ((IntVector) ShortVector.fromMemorySegment(S, data, base + i * 2L, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            a00 = w.fma(FloatVector.fromArray(F, x, o0 + i), a00);
            a10 = w.fma(FloatVector.fromArray(F, x, o1 + i), a10);
            a20 = w.fma(FloatVector.fromArray(F, x, o2 + i), a20);
        }
        // Simd.sum's tree written out on the three tokens, in registers: through sums and finishDots the stores,
        // reloads and the generic tree cost 3072 × 512 rows a quarter of their time (a helper taking the vectors
        // would box them)
        FloatVector s0 = a00.add(a01).add(a02.add(a03));
        FloatVector s1 = a10.add(a11).add(a12.add(a13));
        FloatVector s2 = a20.add(a21).add(a22.add(a23));
        if (LANES > 8) {
            s0 = s0.add(s0.rearrange(Simd.SWAP8));
            s1 = s1.add(s1.rearrange(Simd.SWAP8));
            s2 = s2.add(s2.rearrange(Simd.SWAP8));
        }
        if (LANES > 4) {
            s0 = s0.add(s0.rearrange(Simd.SWAP4));
            s1 = s1.add(s1.rearrange(Simd.SWAP4));
            s2 = s2.add(s2.rearrange(Simd.SWAP4));
        }
        if (LANES > 2) {
            s0 = s0.add(s0.rearrange(Simd.SWAP2));
            s1 = s1.add(s1.rearrange(Simd.SWAP2));
            s2 = s2.add(s2.rearrange(Simd.SWAP2));
        }
        s0 = s0.add(s0.rearrange(Simd.SWAP1));
        s1 = s1.add(s1.rearrange(Simd.SWAP1));
        s2 = s2.add(s2.rearrange(Simd.SWAP1));
        y[yOff] = withTail(s0.lane(0), row, i, x, o0);
        y[yOff + yStride] = withTail(s1.lane(0), row, i, x, o1);
        y[yOff + 2 * yStride] = withTail(s2.lane(0), row, i, x, o2);
    }

    /** {@link #dotVector3} for two tokens (a batch's last two, where threes would leave one). */
    @Override
    void dotVector2(int row, float[] x, int xOff, int xStride, float[] y, int yOff, int yStride, float[] sums) {
        long base = row * rowBytes;
        int o0 = xOff;
        int o1 = o0 + xStride;
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        int i = 0;
        for (; i <= cols - 4 * LANES; i += 4 * LANES) {
            long at = base + i * 2L;
            FloatVector w = ((IntVector) ShortVector.fromMemorySegment(S, data, at, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            a00 = w.fma(FloatVector.fromArray(F, x, o0 + i), a00);
            a10 = w.fma(FloatVector.fromArray(F, x, o1 + i), a10);
            w = ((IntVector) ShortVector.fromMemorySegment(S, data, at + 2L * LANES, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            a01 = w.fma(FloatVector.fromArray(F, x, o0 + i + LANES), a01);
            a11 = w.fma(FloatVector.fromArray(F, x, o1 + i + LANES), a11);
            w = ((IntVector) ShortVector.fromMemorySegment(S, data, at + 4L * LANES, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            a02 = w.fma(FloatVector.fromArray(F, x, o0 + i + 2 * LANES), a02);
            a12 = w.fma(FloatVector.fromArray(F, x, o1 + i + 2 * LANES), a12);
            w = ((IntVector) ShortVector.fromMemorySegment(S, data, at + 6L * LANES, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            a03 = w.fma(FloatVector.fromArray(F, x, o0 + i + 3 * LANES), a03);
            a13 = w.fma(FloatVector.fromArray(F, x, o1 + i + 3 * LANES), a13);
        }
        for (; i <= cols - LANES; i += LANES) {
            FloatVector w = ((IntVector) ShortVector.fromMemorySegment(S, data, base + i * 2L, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            a00 = w.fma(FloatVector.fromArray(F, x, o0 + i), a00);
            a10 = w.fma(FloatVector.fromArray(F, x, o1 + i), a10);
        }
        // in registers, as in dotVector3
        FloatVector s0 = a00.add(a01).add(a02.add(a03));
        FloatVector s1 = a10.add(a11).add(a12.add(a13));
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
        y[yOff] = withTail(s0.lane(0), row, i, x, o0);
        y[yOff + yStride] = withTail(s1.lane(0), row, i, x, o1);
    }

    @Override
    void tile(int row, float[] x, int xOff, int xStride, float[] y, int yOff, int yStride, float[] sums) {
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
        int i = 0;
        for (; i <= cols - LANES; i += LANES) {
            FloatVector w0 = ((IntVector) ShortVector.fromMemorySegment(S, data, base0 + i * 2L, LE)
                    .convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector w1 = ((IntVector) ShortVector.fromMemorySegment(S, data, base1 + i * 2L, LE)
                    .convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector x0 = FloatVector.fromArray(F, x, xOff + i);
            a00 = w0.fma(x0, a00);
            a10 = w1.fma(x0, a10);
            FloatVector x1 = FloatVector.fromArray(F, x, x1Off + i);
            a01 = w0.fma(x1, a01);
            a11 = w1.fma(x1, a11);
            FloatVector x2 = FloatVector.fromArray(F, x, x2Off + i);
            a02 = w0.fma(x2, a02);
            a12 = w1.fma(x2, a12);
            FloatVector x3 = FloatVector.fromArray(F, x, x3Off + i);
            a03 = w0.fma(x3, a03);
            a13 = w1.fma(x3, a13);
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
        finishTile(row, i, x, xOff, xStride, y, yOff, yStride, sums);
    }

    @Override
    boolean wideTiles() {
        return Simd.REGISTERS_32;
    }

    @Override
    void tile4x4(int row, float[] x, int xOff, int xStride, float[] y, int yOff, int yStride, float[] sums) {
        long base0 = row * rowBytes;
        long base1 = base0 + rowBytes;
        long base2 = base1 + rowBytes;
        long base3 = base2 + rowBytes;
        int x1Off = xOff + xStride;
        int x2Off = x1Off + xStride;
        int x3Off = x2Off + xStride;
        FloatVector zero = FloatVector.zero(F);
        FloatVector a00 = zero, a01 = zero, a02 = zero, a03 = zero;
        FloatVector a10 = zero, a11 = zero, a12 = zero, a13 = zero;
        FloatVector a20 = zero, a21 = zero, a22 = zero, a23 = zero;
        FloatVector a30 = zero, a31 = zero, a32 = zero, a33 = zero;
        int i = 0;
        for (; i <= cols - LANES; i += LANES) {
            long o = i * 2L;
            FloatVector w0 = ((IntVector) ShortVector.fromMemorySegment(S, data, base0 + o, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector w1 = ((IntVector) ShortVector.fromMemorySegment(S, data, base1 + o, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector w2 = ((IntVector) ShortVector.fromMemorySegment(S, data, base2 + o, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector w3 = ((IntVector) ShortVector.fromMemorySegment(S, data, base3 + o, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector x0 = FloatVector.fromArray(F, x, xOff + i);
            a00 = w0.fma(x0, a00); a01 = w1.fma(x0, a01); a02 = w2.fma(x0, a02); a03 = w3.fma(x0, a03);
            FloatVector x1 = FloatVector.fromArray(F, x, x1Off + i);
            a10 = w0.fma(x1, a10); a11 = w1.fma(x1, a11); a12 = w2.fma(x1, a12); a13 = w3.fma(x1, a13);
            FloatVector x2 = FloatVector.fromArray(F, x, x2Off + i);
            a20 = w0.fma(x2, a20); a21 = w1.fma(x2, a21); a22 = w2.fma(x2, a22); a23 = w3.fma(x2, a23);
            FloatVector x3 = FloatVector.fromArray(F, x, x3Off + i);
            a30 = w0.fma(x3, a30); a31 = w1.fma(x3, a31); a32 = w2.fma(x3, a32); a33 = w3.fma(x3, a33);
        }
        // token t's row k at (4t + k)·LANES, as finishWide reads them; no vector leaves this method
        a00.intoArray(sums, 0 * LANES);
        a01.intoArray(sums, 1 * LANES);
        a02.intoArray(sums, 2 * LANES);
        a03.intoArray(sums, 3 * LANES);
        a10.intoArray(sums, 4 * LANES);
        a11.intoArray(sums, 5 * LANES);
        a12.intoArray(sums, 6 * LANES);
        a13.intoArray(sums, 7 * LANES);
        a20.intoArray(sums, 8 * LANES);
        a21.intoArray(sums, 9 * LANES);
        a22.intoArray(sums, 10 * LANES);
        a23.intoArray(sums, 11 * LANES);
        a30.intoArray(sums, 12 * LANES);
        a31.intoArray(sums, 13 * LANES);
        a32.intoArray(sums, 14 * LANES);
        a33.intoArray(sums, 15 * LANES);
        finishWide(row, 4, i, x, xOff, xStride, y, yOff, yStride, sums);
    }

    @Override
    void tile4x6(int row, float[] x, int xOff, int xStride, float[] y, int yOff, int yStride, float[] sums) {
        long base0 = row * rowBytes;
        long base1 = base0 + rowBytes;
        long base2 = base1 + rowBytes;
        long base3 = base2 + rowBytes;
        int x1Off = xOff + xStride;
        int x2Off = x1Off + xStride;
        int x3Off = x2Off + xStride;
        int x4Off = x3Off + xStride;
        int x5Off = x4Off + xStride;
        FloatVector zero = FloatVector.zero(F);
        FloatVector a00 = zero, a01 = zero, a02 = zero, a03 = zero;
        FloatVector a10 = zero, a11 = zero, a12 = zero, a13 = zero;
        FloatVector a20 = zero, a21 = zero, a22 = zero, a23 = zero;
        FloatVector a30 = zero, a31 = zero, a32 = zero, a33 = zero;
        FloatVector a40 = zero, a41 = zero, a42 = zero, a43 = zero;
        FloatVector a50 = zero, a51 = zero, a52 = zero, a53 = zero;
        int i = 0;
        for (; i <= cols - LANES; i += LANES) {
            long o = i * 2L;
            FloatVector w0 = ((IntVector) ShortVector.fromMemorySegment(S, data, base0 + o, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector w1 = ((IntVector) ShortVector.fromMemorySegment(S, data, base1 + o, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector w2 = ((IntVector) ShortVector.fromMemorySegment(S, data, base2 + o, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector w3 = ((IntVector) ShortVector.fromMemorySegment(S, data, base3 + o, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector x0 = FloatVector.fromArray(F, x, xOff + i);
            a00 = w0.fma(x0, a00); a01 = w1.fma(x0, a01); a02 = w2.fma(x0, a02); a03 = w3.fma(x0, a03);
            FloatVector x1 = FloatVector.fromArray(F, x, x1Off + i);
            a10 = w0.fma(x1, a10); a11 = w1.fma(x1, a11); a12 = w2.fma(x1, a12); a13 = w3.fma(x1, a13);
            FloatVector x2 = FloatVector.fromArray(F, x, x2Off + i);
            a20 = w0.fma(x2, a20); a21 = w1.fma(x2, a21); a22 = w2.fma(x2, a22); a23 = w3.fma(x2, a23);
            FloatVector x3 = FloatVector.fromArray(F, x, x3Off + i);
            a30 = w0.fma(x3, a30); a31 = w1.fma(x3, a31); a32 = w2.fma(x3, a32); a33 = w3.fma(x3, a33);
            FloatVector x4 = FloatVector.fromArray(F, x, x4Off + i);
            a40 = w0.fma(x4, a40); a41 = w1.fma(x4, a41); a42 = w2.fma(x4, a42); a43 = w3.fma(x4, a43);
            FloatVector x5 = FloatVector.fromArray(F, x, x5Off + i);
            a50 = w0.fma(x5, a50); a51 = w1.fma(x5, a51); a52 = w2.fma(x5, a52); a53 = w3.fma(x5, a53);
        }
        // token t's row k at (4t + k)·LANES, as finishWide reads them; no vector leaves this method
        a00.intoArray(sums, 0 * LANES);
        a01.intoArray(sums, 1 * LANES);
        a02.intoArray(sums, 2 * LANES);
        a03.intoArray(sums, 3 * LANES);
        a10.intoArray(sums, 4 * LANES);
        a11.intoArray(sums, 5 * LANES);
        a12.intoArray(sums, 6 * LANES);
        a13.intoArray(sums, 7 * LANES);
        a20.intoArray(sums, 8 * LANES);
        a21.intoArray(sums, 9 * LANES);
        a22.intoArray(sums, 10 * LANES);
        a23.intoArray(sums, 11 * LANES);
        a30.intoArray(sums, 12 * LANES);
        a31.intoArray(sums, 13 * LANES);
        a32.intoArray(sums, 14 * LANES);
        a33.intoArray(sums, 15 * LANES);
        a40.intoArray(sums, 16 * LANES);
        a41.intoArray(sums, 17 * LANES);
        a42.intoArray(sums, 18 * LANES);
        a43.intoArray(sums, 19 * LANES);
        a50.intoArray(sums, 20 * LANES);
        a51.intoArray(sums, 21 * LANES);
        a52.intoArray(sums, 22 * LANES);
        a53.intoArray(sums, 23 * LANES);
        finishWide(row, 6, i, x, xOff, xStride, y, yOff, yStride, sums);
    }

    @Override
    boolean decodesPanels() {
        return true;
    }

    @Override
    void decodeRow(int row, float[] dst, int dstOff) {
        long base = row * rowBytes;
        int i = 0;
        for (; i <= cols - LANES; i += LANES) {
            ((IntVector) ShortVector.fromMemorySegment(S, data, base + i * 2L, LE)
                    .convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, dstOff + i);
        }
        for (; i < cols; i++) {
            dst[dstOff + i] = bf16ToFloat(data.get(I16_LE, base + i * 2L));
        }
    }

    static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat(bits << 16);
    }
}
