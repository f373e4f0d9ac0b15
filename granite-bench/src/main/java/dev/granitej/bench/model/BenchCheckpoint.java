package dev.granitej.bench.model;

import dev.granitej.bench.BenchFormat;
import dev.granitej.bench.BenchOptions;
import dev.granitej.bench.RandomCheckpoint;
import dev.granitej.bench.ReleasedShapes;
import dev.granitej.model.GraniteModel;
import dev.granitej.model.KvCacheFormat;
import dev.granitej.model.SequenceState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Where the JMH benchmarks find their model, and the states they start from.
 *
 * <p>Order: the benchmark's {@code checkpoint} parameter when not empty ({@code -p checkpoint=DIR}), then
 * the system property {@value #PROPERTY} ({@code -jvmArgsAppend -Dgranitej.bench.checkpoint=DIR}), then
 * {@code ${java.io.tmpdir}/granitej-bench/granite-4.0-h-350m}, generated there (seed 0, about 650 MiB, a few
 * seconds) when absent. Generation is atomic, so a present {@code config.json} means a complete checkpoint.
 */
public final class BenchCheckpoint {

    /** System property naming the checkpoint directory. */
    public static final String PROPERTY = "granitej.bench.checkpoint";

    private BenchCheckpoint() {
    }

    /** The checkpoint directory for a benchmark whose {@code checkpoint} parameter is {@code param}. */
    public static Path resolve(String param) {
        if (param != null && !param.isBlank()) {
            return Path.of(param);
        }
        String property = System.getProperty(PROPERTY);
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        Path fallback = Path.of(System.getProperty("java.io.tmpdir"), "granitej-bench", "granite-4.0-h-350m");
        if (!Files.exists(fallback.resolve("config.json"))) {
            try {
                RandomCheckpoint.write(ReleasedShapes.of("h-350m"), fallback, 0, RandomCheckpoint.DEFAULT_SHARD_BYTES);
            } catch (RuntimeException e) {
                // Another fork may have finished it first; anything else is a real failure.
                if (!Files.exists(fallback.resolve("config.json"))) {
                    throw e;
                }
            }
        }
        return fallback;
    }

    /**
     * Loads the model through the same path as {@code granite bench}, in {@code format} ({@code bf16},
     * {@code q8_0} or {@code q4_0}, quantized at load or mapped from the cache beside the checkpoint), with a KV
     * cache of {@code kvCache} ({@code f32}, {@code f16} or {@code q8_0}).
     */
    static GraniteModel load(String param, String format, int threads, String kvCache) {
        return new BenchOptions(resolve(param), BenchFormat.parse(format), threads)
                .withKvCache(KvCacheFormat.parse(kvCache)).load();
    }

    /** A state holding {@code depth} random tokens with room for {@code extra} more. */
    static SequenceState prefilled(GraniteModel model, int depth, int extra, SplittableRandom random) {
        SequenceState state = model.newState(Math.max(1, depth + extra));
        if (depth > 0) {
            model.forward(state, randomTokens(model, depth, random));
        }
        return state;
    }

    /** {@code n} token ids drawn uniformly from the vocabulary. */
    static int[] randomTokens(GraniteModel model, int n, SplittableRandom random) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = random.nextInt(model.config().vocabSize());
        }
        return ids;
    }
}
