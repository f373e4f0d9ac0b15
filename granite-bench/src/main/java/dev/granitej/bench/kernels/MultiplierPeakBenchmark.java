package dev.granitej.bench.kernels;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One core's peak rate of vector multiplies, the ceiling of batched decode (the granite-bench README, twenty-first
 * session): {@link #shortMultiplies} runs {@value #STEPS} steps of {@value #CHAINS} independent 16-bit lane
 * multiplies (the integer kernels' {@code vpmullw}), {@link #floatFmas} the same count of float fused
 * multiply-adds; both at the width the kernels use (the preferred float vector's shape). Instructions per ns =
 * {@code CHAINS·STEPS / (ms/op · 10⁶)}; twelve chains cover the latency of either on the cores measured so far.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class MultiplierPeakBenchmark {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, F.vectorShape());
    /** Independent chains: each waits only on itself. */
    static final int CHAINS = 12;
    static final int STEPS = 1_000_000;

    private short[] shorts;
    private float[] floats;

    @Setup
    public void setUp() {
        shorts = new short[2 * S.length()];
        floats = new float[3 * F.length()];
        for (int i = 0; i < shorts.length; i++) {
            shorts[i] = (short) (7 * i + 1);
        }
        for (int i = 0; i < floats.length; i++) {
            floats[i] = 0.999f;
        }
    }

    @Benchmark
    public long shortMultiplies() {
        ShortVector b = ShortVector.fromArray(S, shorts, 0);
        ShortVector a0 = ShortVector.fromArray(S, shorts, S.length());
        ShortVector a1 = a0.add((short) 1);
        ShortVector a2 = a0.add((short) 2);
        ShortVector a3 = a0.add((short) 3);
        ShortVector a4 = a0.add((short) 4);
        ShortVector a5 = a0.add((short) 5);
        ShortVector a6 = a0.add((short) 6);
        ShortVector a7 = a0.add((short) 7);
        ShortVector a8 = a0.add((short) 8);
        ShortVector a9 = a0.add((short) 9);
        ShortVector a10 = a0.add((short) 10);
        ShortVector a11 = a0.add((short) 11);
        for (int i = 0; i < STEPS; i++) {
            a0 = a0.mul(b);
            a1 = a1.mul(b);
            a2 = a2.mul(b);
            a3 = a3.mul(b);
            a4 = a4.mul(b);
            a5 = a5.mul(b);
            a6 = a6.mul(b);
            a7 = a7.mul(b);
            a8 = a8.mul(b);
            a9 = a9.mul(b);
            a10 = a10.mul(b);
            a11 = a11.mul(b);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }

    @Benchmark
    public float floatFmas() {
        FloatVector b = FloatVector.fromArray(F, floats, 0);
        FloatVector c = FloatVector.fromArray(F, floats, F.length());
        FloatVector a0 = FloatVector.fromArray(F, floats, 2 * F.length());
        FloatVector a1 = a0.add(1f);
        FloatVector a2 = a0.add(2f);
        FloatVector a3 = a0.add(3f);
        FloatVector a4 = a0.add(4f);
        FloatVector a5 = a0.add(5f);
        FloatVector a6 = a0.add(6f);
        FloatVector a7 = a0.add(7f);
        FloatVector a8 = a0.add(8f);
        FloatVector a9 = a0.add(9f);
        FloatVector a10 = a0.add(10f);
        FloatVector a11 = a0.add(11f);
        for (int i = 0; i < STEPS; i++) {
            a0 = a0.fma(b, c);
            a1 = a1.fma(b, c);
            a2 = a2.fma(b, c);
            a3 = a3.fma(b, c);
            a4 = a4.fma(b, c);
            a5 = a5.fma(b, c);
            a6 = a6.fma(b, c);
            a7 = a7.fma(b, c);
            a8 = a8.fma(b, c);
            a9 = a9.fma(b, c);
            a10 = a10.fma(b, c);
            a11 = a11.fma(b, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }
}
