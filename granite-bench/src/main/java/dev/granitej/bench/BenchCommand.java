package dev.granitej.bench;

import dev.granitej.model.GraniteModel;
import dev.granitej.model.KvCacheFormat;
import dev.granitej.model.QuantCache;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code granite bench}: llama-bench's tests on a checkpoint, printed as llama-bench's table (model, size,
 * params, format, threads, test, t/s as mean ± sample stddev over the repetitions), so the figures sit next to
 * llama.cpp's.
 *
 * <ul>
 *   <li>{@code ppP}: prefill P random tokens into a fresh state (tokens/s);</li>
 *   <li>{@code tgN}: N single-token decode steps from an empty context, as llama-bench does;</li>
 *   <li>{@code tgN @ dD}: the same after a D-token context (with {@code -d D});</li>
 *   <li>{@code tgN xS}: S sessions decoding N steps each, stepped together in batched decode steps;
 *       aggregate tokens/s (with {@code --sessions S,...}).</li>
 * </ul>
 * With {@code q8_0}/{@code q4_0} the quantized weights are cached next to the checkpoint by default
 * ({@code <model>.granitej-cache/}, or {@code --quant-cache-dir DIR}; {@code --no-quant-cache} turns it off), so
 * only the first run of a checkpoint in a format pays for quantizing; the timed figures do not change.
 * Before the first test of each model an untimed warm-up (a 4-token prefill and 4 decode steps) lets the
 * JIT compile the hot loops; {@code --no-warmup} skips it.
 */
public final class BenchCommand {

    private static final String USAGE = """
            usage: granite bench --model DIR [--format bf16|q8_0|q4_0] [--threads N[,N...]]
                                 [-p N[,N...]] [-n N[,N...]] [-r N] [-d N[,N...]] [--sessions S[,S...]]
                                 [--seed N] [--no-warmup] [--quant-cache-dir DIR | --no-quant-cache]
                                 [--fast-batches] [-ctk f16|f32|q8_0]
              --model, -m     checkpoint directory (config.json + safetensors)
              --format        weight format (default bf16 as stored; q8_0, q4_0 quantize at load)
              --quant-cache-dir  keep q8_0/q4_0 weights in DIR for the next run (default: cached next to
                              the checkpoint, in <model>.granitej-cache/)
              --no-quant-cache   quantize at every load, cache nothing
              --threads, -t   engine threads (default 1)
              -p              prompt sizes for the ppN test (default 512; 0 skips it)
              -n              decode steps for the tgN tests (default 128; 0 skips them)
              -r              repetitions (default 3)
              -d              context depths for tgN @ dD (default 0: only from an empty context)
              --sessions      concurrent decode sessions for tgN xS (aggregate tokens/s)
              --fast-batches  batched decode with the tiled product (not batch-invariant; see
                              ModelOptions.batchInvariant)
              -ctk, --cache-type  KV cache type (default f16, as llama-bench; f32 is the library's default)
              --seed          seed of the random token ids (default 42)
              --no-warmup     skip the untimed warm-up""";

    /**
     * Warm-up: a prompt, then rounds of decode steps for at least {@link #WARMUP_NANOS}, so C2 has compiled
     * the kernels (the Vector API runs its slow reference code until then) and its compiler threads have stopped
     * competing for the cores. A 4-step warm-up left the first test of a run 20–40% slow.
     */
    private static final int WARMUP_PROMPT = 64;
    private static final int WARMUP_STEPS = 32;
    private static final long WARMUP_NANOS = 3_000_000_000L;

    private BenchCommand() {
    }

    /**
     * The parsed command line.
     *
     * @param model    checkpoint directory
     * @param format   weight format
     * @param threads  thread counts, one table block each
     * @param prompts  ppN sizes (0 entries are skipped)
     * @param gens     tgN lengths (0 entries are skipped)
     * @param reps     repetitions
     * @param depths   tg context depths
     * @param sessions concurrent session counts
     * @param seed     token-id seed
     * @param warmup   whether to warm up first
     * @param quantCache where quantized weights are cached
     * @param batchInvariant whether batched decode is batch-invariant (the engine's default)
     * @param kvCache  the KV cache format
     */
    record Request(Path model, BenchFormat format, List<Integer> threads, List<Integer> prompts, List<Integer> gens,
                int reps, List<Integer> depths, List<Integer> sessions, long seed, boolean warmup,
                QuantCache quantCache, boolean batchInvariant, KvCacheFormat kvCache) {

        static Request parse(String[] a) {
            Path model = null;
            BenchFormat format = BenchFormat.BF16;
            List<Integer> threads = List.of(1);
            List<Integer> prompts = List.of(512);
            List<Integer> gens = List.of(128);
            List<Integer> depths = List.of(0);
            List<Integer> sessions = List.of();
            int reps = 3;
            long seed = 42;
            boolean warmup = true;
            boolean batchInvariant = true;
            KvCacheFormat kvCache = KvCacheFormat.F16;
            QuantCache quantCache = QuantCache.nextToCheckpoint();
            for (int i = 0; i < a.length; i++) {
                switch (a[i]) {
                    case "--model", "-m" -> model = Path.of(Args.value(a, ++i, a[i - 1]));
                    case "--format" -> format = BenchFormat.parse(Args.value(a, ++i, "--format"));
                    case "--threads", "-t" -> threads = Args.intList(a, ++i, a[i - 1]);
                    case "-p", "--n-prompt" -> prompts = Args.intList(a, ++i, a[i - 1]);
                    case "-n", "--n-gen" -> gens = Args.intList(a, ++i, a[i - 1]);
                    case "-d", "--n-depth" -> depths = Args.intList(a, ++i, a[i - 1]);
                    case "-r", "--repetitions" -> reps = Args.intValue(a, ++i, a[i - 1]);
                    case "--sessions" -> sessions = Args.intList(a, ++i, "--sessions");
                    case "--seed" -> seed = Args.longValue(a, ++i, "--seed");
                    case "--no-warmup" -> warmup = false;
                    case "--quant-cache-dir" -> quantCache = QuantCache.in(Path.of(Args.value(a, ++i, a[i - 1])));
                    case "--no-quant-cache" -> quantCache = QuantCache.off();
                    case "--fast-batches" -> batchInvariant = false;
                    case "-ctk", "--cache-type" -> kvCache = KvCacheFormat.parse(Args.value(a, ++i, a[i - 1]));
                    default -> throw new IllegalArgumentException("unknown option '" + a[i] + "'");
                }
            }
            if (model == null) {
                throw new IllegalArgumentException("--model DIR is required");
            }
            if (reps < 1) {
                throw new IllegalArgumentException("-r must be at least 1, was " + reps);
            }
            if (threads.contains(0)) {
                throw new IllegalArgumentException("--threads must be at least 1");
            }
            if (sessions.contains(0)) {
                throw new IllegalArgumentException("--sessions must be at least 1");
            }
            return new Request(model, format, threads, prompts, gens, reps, depths, sessions, seed, warmup,
                    quantCache, batchInvariant, kvCache);
        }
    }

    /** Command-line entry point; exits with {@link #run}'s status. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs the benchmark. Returns 0 on success, 2 for a bad command line, 1 when the model cannot be loaded
     * or a test fails.
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        for (String a : args) {
            if (a.equals("-h") || a.equals("--help")) {
                out.println(USAGE);
                return 0;
            }
        }
        Request a;
        try {
            a = Request.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("granite bench: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        if (!Files.isRegularFile(a.model().resolve("config.json"))) {
            err.println("granite bench: " + a.model() + " is not a checkpoint directory (no config.json)");
            return 1;
        }
        ResultTable table = new ResultTable(out, a.kvCache());
        table.header();
        for (int threads : a.threads()) {
            BenchOptions options = new BenchOptions(a.model(), a.format(), threads, a.quantCache(),
                    a.batchInvariant(), a.kvCache());
            try (GraniteModel model = options.load()) {
                runTests(a, options, model, table);
            } catch (RuntimeException e) {
                err.println("granite bench: " + e.getMessage());
                return 1;
            }
        }
        return 0;
    }

    private static void runTests(Request a, BenchOptions options, GraniteModel model, ResultTable table) {
        String name = a.model().toAbsolutePath().normalize().getFileName().toString();
        long bytes = model.weightBytes();
        long params = model.parameterCount();
        BenchRunner runner = new BenchRunner(model, a.seed());
        if (a.warmup()) {
            runner.prefill(WARMUP_PROMPT, 1);
            long until = System.nanoTime() + WARMUP_NANOS;
            do {
                runner.decode(WARMUP_STEPS, 0, 1);
            } while (System.nanoTime() < until);
        }
        for (int p : a.prompts()) {
            if (p > 0) {
                table.row(name, bytes, params, options.format(), options.threads(), runner.prefill(p, a.reps()));
            }
        }
        for (int depth : a.depths()) {
            for (int n : a.gens()) {
                if (n == 0) {
                    continue;
                }
                table.row(name, bytes, params, options.format(), options.threads(), runner.decode(n, depth, a.reps()));
                for (int s : a.sessions()) {
                    table.row(name, bytes, params, options.format(), options.threads(),
                            runner.concurrentDecode(s, n, depth, a.reps()));
                }
            }
        }
    }
}
