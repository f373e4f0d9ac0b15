package dev.granitej.bench.kernels;

import dev.granitej.kernels.Parallel;
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
 * One-token {@code y = W·x} (decode). Weight bytes read per call are {@code rows × rowBytes}, so
 * GB/s = byteSize / (µs/op) / 1000. {@code vector} is the kernel in vector mode, {@code scalar} the scalar twin,
 * {@code vector2t} the vector kernel split over a two-thread {@link Parallel}, {@code rowByRow} the vector dot
 * called row by row.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx8g"})
public class MatvecBenchmark {

    @Param({"F32", "BF16", "F16", "Q8_0", "Q4_0"})
    public WeightFormat format;

    @Param({"4096x4096", "6448x1536"})
    public String shape;

    private Arena arena;
    private WeightMatrix w;
    private float[] x;
    private float[] y;
    private Parallel pool;

    @Setup(Level.Trial)
    public void setUp() {
        int[] s = BenchMatrices.shape(shape);
        arena = Arena.ofShared();
        w = BenchMatrices.random(format, s[0], s[1], arena);
        x = BenchMatrices.activations(s[1]);
        y = new float[s[0]];
        pool = new Parallel(2);
        System.out.println("\n[matvec] " + format + " " + shape + " weight bytes " + w.byteSize());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        arena.close();
    }

    @Benchmark
    public float[] vector() {
        w.matvec(x, y);
        return y;
    }

    /**
     * The vector kernel one row at a time ({@link WeightMatrix#dot} per row), as {@code matvec} ran before Q8_0
     * and bf16 got their four-row passes: {@code vector} against this is what they gain, in one JVM.
     */
    @Benchmark
    public float[] rowByRow() {
        for (int r = 0; r < y.length; r++) {
            y[r] = w.dot(r, x, 0);
        }
        return y;
    }

    @Benchmark
    public float[] scalar() {
        for (int r = 0; r < y.length; r++) {
            y[r] = w.dotScalar(r, x, 0);
        }
        return y;
    }

    @Benchmark
    public float[] vector2t() {
        w.matvec(pool, x, y);
        return y;
    }
}
