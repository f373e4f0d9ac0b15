package dev.granitej.bench;

import com.sun.management.ThreadMXBean;
import dev.granitej.model.DecodeBatch;
import dev.granitej.model.GraniteModel;
import dev.granitej.model.SequenceState;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Heap bytes one decode step allocates once the code is compiled, per thread
 * ({@link ThreadMXBean#getThreadAllocatedBytes(long[])}): {@code warm-up} steps first, then {@code steps} measured.
 * Each state holds {@code warm-up + steps} positions and its KV caches double at 64, 128, 256, … positions, so a
 * warm-up past the last power of two below that total (the default 1100 + 100: past 1024) leaves the growth out of
 * the measured steps; the warm-up should also last long enough for C2 to compile the step (tens of seconds: code
 * it has not compiled yet allocates every vector). What is left is what the step itself allocates. Usage: {@code granite-bench/granite-bench allocation --model DIR [--format bf16|q8_0|q4_0]
 * [--threads N] [--sessions S] [--warmup W] [--steps N]}; {@code --sessions} above 1 steps them as one batch.
 */
public final class DecodeAllocation {

    private DecodeAllocation() {
    }

    public static void main(String[] args) {
        run(args, System.out);
    }

    /**
     * Measures as {@link #main} and prints the line to {@code out}; returns the bytes a step. Unknown or missing
     * options are an {@link IllegalArgumentException} naming them.
     */
    static double run(String[] a, PrintStream out) {
        Path model = null;
        BenchFormat format = BenchFormat.BF16;
        int threads = 2;
        int sessions = 1;
        int warmup = 1100;
        int steps = 100;
        for (int i = 0; i < a.length; i++) {
            switch (a[i]) {
                case "--model", "-m" -> model = Path.of(Args.value(a, ++i, a[i - 1]));
                case "--format" -> format = BenchFormat.parse(Args.value(a, ++i, "--format"));
                case "--threads", "-t" -> threads = Args.intValue(a, ++i, a[i - 1]);
                case "--sessions" -> sessions = Args.intValue(a, ++i, "--sessions");
                case "--warmup" -> warmup = Args.intValue(a, ++i, "--warmup");
                case "--steps" -> steps = Args.intValue(a, ++i, "--steps");
                default -> throw new IllegalArgumentException("unknown option '" + a[i] + "'");
            }
        }
        if (model == null) {
            throw new IllegalArgumentException("--model DIR is required");
        }
        if (sessions < 1 || warmup < 0 || steps < 1) {
            throw new IllegalArgumentException("--sessions and --steps must be at least 1, --warmup at least 0");
        }
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (GraniteModel m = new BenchOptions(model, format, threads).load()) {
            int vocab = m.config().vocabSize();
            float[] logits = new float[sessions * vocab];
            SequenceState[] states = new SequenceState[sessions];
            for (int s = 0; s < sessions; s++) {
                states[s] = m.newState(warmup + steps);
            }
            DecodeBatch batch = m.newDecodeBatch();
            int[] ids = new int[sessions];
            for (int i = 0; i < warmup; i++) {
                step(m, batch, states, ids, i, logits);
            }
            long[] tids = mx.getAllThreadIds();
            long[] before = mx.getThreadAllocatedBytes(tids);
            for (int i = warmup; i < warmup + steps; i++) {
                step(m, batch, states, ids, i, logits);
            }
            long[] after = mx.getThreadAllocatedBytes(tids);
            long total = 0;
            StringBuilder perThread = new StringBuilder();
            for (int t = 0; t < tids.length; t++) {
                long bytes = after[t] - before[t];
                if (before[t] >= 0 && bytes > 0) {
                    total += bytes;
                    var info = mx.getThreadInfo(tids[t]);
                    perThread.append(String.format(Locale.ROOT, " %s %.1f", info == null ? "?" : info.getThreadName(),
                            bytes / (double) steps));
                }
            }
            out.printf(Locale.ROOT, "%s %s, %d thread(s), %d session(s), steps %d..%d: %.1f bytes a step"
                    + " (by thread:%s)%n", model.getFileName(), format.label(), threads, sessions, warmup,
                    warmup + steps, total / (double) steps, perThread.length() == 0 ? " none" : perThread);
            return total / (double) steps;
        }
    }

    private static void step(GraniteModel m, DecodeBatch batch, SequenceState[] states, int[] ids, int i,
                             float[] logits) {
        int vocab = m.config().vocabSize();
        for (int s = 0; s < states.length; s++) {
            ids[s] = (i * 31 + s * 7919) % vocab;
        }
        if (states.length == 1) {
            m.forward(states[0], ids, 0, 1, logits, false);
        } else {
            m.decode(batch, states, ids, states.length, logits);
        }
    }
}
