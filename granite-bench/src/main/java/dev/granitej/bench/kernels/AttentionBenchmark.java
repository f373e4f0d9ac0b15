package dev.granitej.bench.kernels;

import dev.granitej.kernels.AttentionKernel;
import dev.granitej.kernels.HalfFloats;
import dev.granitej.kernels.Q8KvBlocks;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One decode step of one KV head over a long context: the {@code group} query heads that share the KV head
 * attend to {@code positions} cached keys and values (four KV heads, as every Granite 4.0 hybrid).
 * Bytes of cache read per call: 2·positions·headDim·(4 for {@code f32}, 2 for {@code f16}, 1.125 for
 * {@code q8_0}); GB/s = that / (µs/op) / 1e3.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx8g"})
public class AttentionBenchmark {

    private static final int KV_HEADS = 4;

    @Param({"32768"})
    public int positions;

    @Param({"3"})
    public int group;

    /** 64 as h-350m, 128 as h-1b and h-tiny. */
    @Param({"64", "128"})
    public int headDim;

    private float[] keys;
    private float[] values;
    private short[] halfKeys;
    private short[] halfValues;
    private byte[] q8Keys;
    private byte[] q8Values;
    private float[] keyScales;
    private float[] valueScales;
    private float[] q;
    private int[] qOffs;
    private int[] lens;
    private float[] scores;
    private float[] out;
    private float[] widened;
    private int scoreStride;
    /** Where KV head 1's keys and values start: each head has a region of its own, as in the engine's cache. */
    private int region;

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom random = new SplittableRandom(3);
        int b = AttentionKernel.KEY_BLOCK;
        region = (positions + b - 1) / b * b * headDim;
        int cached = region * KV_HEADS;
        keys = new float[cached];
        values = new float[cached];
        for (int i = 0; i < cached; i++) {
            keys[i] = (float) random.nextGaussian();
            values[i] = (float) random.nextGaussian();
        }
        halfKeys = new short[cached];
        halfValues = new short[cached];
        HalfFloats.narrow(keys, 0, halfKeys, 0, cached);
        HalfFloats.narrow(values, 0, halfValues, 0, cached);
        // the codes' arrangement does not change the time: both arrays are quantized as rows
        q8Keys = new byte[cached];
        q8Values = new byte[cached];
        keyScales = new float[cached / Q8KvBlocks.blockDims(headDim)];
        valueScales = new float[keyScales.length];
        for (int i = 0; i < cached; i += headDim) {
            Q8KvBlocks.narrowRow(keys, i, q8Keys, i, keyScales, headDim);
            Q8KvBlocks.narrowRow(values, i, q8Values, i, valueScales, headDim);
        }
        q = BenchMatrices.activations(group * headDim);
        qOffs = new int[group];
        lens = new int[group];
        for (int r = 0; r < group; r++) {
            qOffs[r] = r * headDim;
            lens[r] = positions;
        }
        scoreStride = (positions + b - 1) / b * b;
        scores = new float[group * scoreStride];
        out = new float[group * headDim];
        widened = new float[AttentionKernel.widenedScratchFloats(headDim)];
    }

    /** fp32 cache: keys blocked, values rows of the head's dimensions. */
    @Benchmark
    public float[] f32() {
        AttentionKernel.attendRows(q, qOffs, lens, qOffs, group, keys, region, values, headDim, region, headDim,
                0.125f, scores, scoreStride, out);
        return out;
    }

    /** float16 cache: the same layout, widened two key blocks or a tile of values at a time. */
    @Benchmark
    public float[] f16() {
        AttentionKernel.attendRows(q, qOffs, lens, qOffs, group, halfKeys, region, halfValues, region, headDim,
                0.125f, scores, scoreStride, out, widened);
        return out;
    }

    /** 8-bit cache: the same layout, codes and scales widened two key blocks or a tile of values at a time. */
    @Benchmark
    public float[] q8_0() {
        AttentionKernel.attendRows(q, qOffs, lens, qOffs, group, q8Keys, keyScales, region, q8Values, valueScales,
                region, headDim, 0.125f, scores, scoreStride, out, widened);
        return out;
    }
}
