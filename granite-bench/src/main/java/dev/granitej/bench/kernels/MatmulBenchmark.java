package dev.granitej.bench.kernels;

import dev.granitej.kernels.WeightFormat;
import dev.granitej.kernels.WeightMatrix;
import java.lang.foreign.Arena;
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
import org.openjdk.jmh.annotations.TearDown;

/**
 * Prefill {@code Y = X·Wᵀ} for {@code tokens} tokens: 2·tokens·rows·cols flops per call, so
 * GFLOP/s = 2·tokens·rows·cols / (ms/op) / 1e6. {@code tiled} is the vector kernel (12-row outer-product
 * panel tiles), {@code dots} one vector dot per (token, row), {@code scalar} the scalar twin.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx8g"})
public class MatmulBenchmark {

    @Param({"F32", "BF16", "F16", "Q8_0", "Q4_0"})
    public WeightFormat format;

    @Param({"1536x1536"})
    public String shape;

    @Param({"64"})
    public int tokens;

    private Arena arena;
    private WeightMatrix w;
    private float[] x;
    private float[] y;

    @Setup(Level.Trial)
    public void setUp() {
        int[] s = BenchMatrices.shape(shape);
        arena = Arena.ofShared();
        w = BenchMatrices.random(format, s[0], s[1], arena);
        x = BenchMatrices.activations(s[1] * tokens);
        y = new float[s[0] * tokens];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public float[] tiled() {
        w.matmul(x, w.cols(), y, w.rows(), tokens, 0, w.rows());
        return y;
    }

    /** The batch-invariant product of batched decode: every token gets its one-token dot, each row read once. */
    @Benchmark
    public float[] exact() {
        w.matmulExact(x, w.cols(), y, w.rows(), tokens, 0, w.rows());
        return y;
    }

    @Benchmark
    public float[] dots() {
        for (int t = 0; t < tokens; t++) {
            w.matvec(x, t * w.cols(), y, t * w.rows(), 0, w.rows());
        }
        return y;
    }

    @Benchmark
    public float[] scalar() {
        w.matmulScalar(x, w.cols(), y, w.rows(), tokens, 0, w.rows());
        return y;
    }
}
