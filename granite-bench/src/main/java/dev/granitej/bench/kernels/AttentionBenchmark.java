package dev.granitej.bench.kernels;

import dev.granitej.kernels.AttentionKernel;
import dev.granitej.kernels.HalfFloats;
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
 * attend to {@code positions} cached keys and values ({@code headDim} 64, four KV heads, as h-350m/h-tiny).
 * Bytes of cache read per call: 2·positions·headDim·(4 for {@code f32}, 2 for {@code f16}); GB/s = that /
 * (µs/op) / 1e3.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx8g"})
public class AttentionBenchmark {

    private static final int KV_HEADS = 4;
    private static final int HEAD_DIM = 64;

    @Param({"32768"})
    public int positions;

    @Param({"3"})
    public int group;

    private float[] keys;
    private float[] values;
    private short[] halfKeys;
    private short[] halfValues;
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
        region = (positions + b - 1) / b * b * HEAD_DIM;
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
        q = BenchMatrices.activations(group * HEAD_DIM);
        qOffs = new int[group];
        lens = new int[group];
        for (int r = 0; r < group; r++) {
            qOffs[r] = r * HEAD_DIM;
            lens[r] = positions;
        }
        scoreStride = (positions + b - 1) / b * b;
        scores = new float[group * scoreStride];
        out = new float[group * HEAD_DIM];
        widened = new float[AttentionKernel.halfScratchFloats(HEAD_DIM)];
    }

    /** fp32 cache: keys blocked, values rows of the head's dimensions. */
    @Benchmark
    public float[] f32() {
        AttentionKernel.attendRows(q, qOffs, lens, qOffs, group, keys, region, values, HEAD_DIM, region, HEAD_DIM,
                0.125f, scores, scoreStride, out);
        return out;
    }

    /** float16 cache: the same layout, widened two key blocks or a tile of values at a time. */
    @Benchmark
    public float[] f16() {
        AttentionKernel.attendRows(q, qOffs, lens, qOffs, group, halfKeys, region, halfValues, region, HEAD_DIM,
                0.125f, scores, scoreStride, out, widened);
        return out;
    }
}
