package dev.granitej.bench.kernels;

import dev.granitej.kernels.Parallel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
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
 * The machine's read bandwidth, the yardstick of the decode target ("weights read at ≥ 70% of it"): one pass of
 * vector loads over a 1 GiB native segment (far beyond the caches), summed so the loads are not dead, on
 * {@code threads} threads of an engine {@link Parallel} (each its own contiguous part). GB/s = 1.074 / (s/op).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
public class ReadBandwidthBenchmark {

    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final long BYTES = 1L << 30;
    /** Bytes per chunk handed to a thread: 1 MiB. */
    private static final int CHUNK = 1 << 20;

    @Param({"1", "2"})
    public int threads;

    private Arena arena;
    private MemorySegment data;
    private Parallel pool;
    private int[] sums;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        data = arena.allocate(BYTES, 4096);
        data.fill((byte) 1);
        pool = new Parallel(threads);
        sums = new int[threads];
        System.out.println("\n[read bandwidth] " + BYTES + " bytes, " + threads + " thread(s), " + I);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        arena.close();
    }

    @Benchmark
    public int read() {
        int chunks = (int) (BYTES / CHUNK);
        // one contiguous run of chunks per thread, as matvec splits rows
        pool.forChunks(0, chunks, chunks / threads, (chunk, from, to) ->
                sums[chunk] += sum(data, (long) from * CHUNK, (long) to * CHUNK));
        int s = 0;
        for (int v : sums) {
            s += v;
        }
        return s;
    }

    private static int sum(MemorySegment s, long from, long to) {
        IntVector a0 = IntVector.zero(I);
        IntVector a1 = a0;
        IntVector a2 = a0;
        IntVector a3 = a0;
        long step = I.vectorByteSize();
        for (long i = from; i < to; i += 4 * step) {
            a0 = a0.add(IntVector.fromMemorySegment(I, s, i, ByteOrder.LITTLE_ENDIAN));
            a1 = a1.add(IntVector.fromMemorySegment(I, s, i + step, ByteOrder.LITTLE_ENDIAN));
            a2 = a2.add(IntVector.fromMemorySegment(I, s, i + 2 * step, ByteOrder.LITTLE_ENDIAN));
            a3 = a3.add(IntVector.fromMemorySegment(I, s, i + 3 * step, ByteOrder.LITTLE_ENDIAN));
        }
        return a0.add(a1).add(a2).add(a3).reduceLanes(VectorOperators.ADD);
    }
}
