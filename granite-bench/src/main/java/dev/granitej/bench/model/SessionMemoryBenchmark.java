package dev.granitej.bench.model;

import dev.granitej.bench.ReleasedShapes;
import dev.granitej.bench.SessionMemory;
import dev.granitej.model.SequenceState;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Memory per session. Setup prefills {@code context} tokens, checks that the measured
 * {@code SequenceState.stateBytes()} equals {@link SessionMemory}'s formula (failing the run otherwise), and
 * prints the formula's comparison of h-tiny against a 40-layer all-attention transformer of the same width at
 * 4K, 32K and 128K tokens, contexts too long to prefill here. The timed part is what that memory costs at run
 * time: forking a session ({@code state.copy()}, e.g. to branch a shared prompt), whose time is proportional to
 * the state's size.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class SessionMemoryBenchmark extends ModelBenchmark {

    /** Tokens in the measured state. */
    @Param("256")
    public int context;

    private SequenceState state;

    @Override
    protected void prepare() {
        state = BenchCheckpoint.prefilled(model, context, 0, new SplittableRandom(42));
        long formula = SessionMemory.of(model.config()).bytesAt(context);
        if (state.stateBytes() != formula) {
            throw new IllegalStateException("stateBytes() is " + state.stateBytes() + " after " + context
                    + " tokens but the formula gives " + formula);
        }
        System.out.printf("%nstateBytes() after %d tokens: %d bytes (= formula)%n", context, state.stateBytes());
        SessionMemory.printComparison("granite-4.0-h-tiny", ReleasedShapes.of("h-tiny"), System.out);
    }

    @Benchmark
    public SequenceState forkSession() {
        return state.copy();
    }
}
