package dev.granitej.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.granitej.config.GraniteConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Writes a Hugging Face checkpoint directory with random bf16 weights and the exact shapes of a released
 * Granite 4.0 model: {@code config.json} in the released spelling plus {@code model.safetensors}, or shards
 * of about {@link #DEFAULT_SHARD_BYTES} with {@code model.safetensors.index.json} when larger. Weight values do
 * not change the speed of dense kernels, so these stand in for the real models in benchmarks; their scales are
 * those of a trained model (see {@link TensorPlan}) so that activations, MoE routing and the SSM stay in range.
 *
 * <p>Deterministic for a seed. The directory appears atomically: it is written under a temporary name and
 * renamed when complete, so an existing {@code config.json} means a complete checkpoint.
 *
 * <pre>java ... dev.granitej.bench.RandomCheckpoint --model h-1b --out DIR [--seed N] [--config-only]
 *     [--layers N] [--vocab N] [--shard-size 2GB]</pre>
 */
public final class RandomCheckpoint {

    /** Shards stay below this size (a single tensor larger than it gets a shard of its own). */
    public static final long DEFAULT_SHARD_BYTES = 2_000_000_000L;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * What was written.
     *
     * @param directory  the checkpoint directory
     * @param parameters elements of all tensors
     * @param bytes      bytes of tensor data
     * @param shards     safetensors files written (0 for a config-only checkpoint)
     */
    public record Written(Path directory, long parameters, long bytes, int shards) {
    }

    private RandomCheckpoint() {
    }

    /** Writes a complete checkpoint for {@code config} to the new (or empty) directory {@code out}. */
    public static Written write(GraniteConfig config, Path out, long seed, long shardBytes) {
        return writeDirectory(config, out, seed, shardBytes, false);
    }

    /** Writes only {@code config.json} (e.g. for h-small, whose 64 GB of weights rarely fit). */
    public static Written writeConfigOnly(GraniteConfig config, Path out) {
        return writeDirectory(config, out, 0, DEFAULT_SHARD_BYTES, true);
    }

    private static Written writeDirectory(GraniteConfig config, Path out, long seed, long shardBytes,
                                          boolean configOnly) {
        if (shardBytes <= 0) {
            throw new IllegalArgumentException("shard size must be positive, was " + shardBytes);
        }
        Path target = out.toAbsolutePath().normalize();
        Path partial = target.resolveSibling(target.getFileName() + ".partial-" + ProcessHandle.current().pid());
        try {
            requireAbsentOrEmpty(target);
            Files.createDirectories(partial);
            TensorPlan plan = TensorPlan.of(config);
            Files.writeString(partial.resolve("config.json"), ConfigJson.write(config));
            int shards = configOnly ? 0 : writeWeights(plan, partial, seed, shardBytes);
            Files.deleteIfExists(target);
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            return new Written(target, plan.parameterCount(), configOnly ? 0 : plan.bf16Bytes(), shards);
        } catch (IOException e) {
            deleteQuietly(partial);
            throw new UncheckedIOException("cannot write checkpoint " + target + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            deleteQuietly(partial);
            throw e;
        }
    }

    private static void requireAbsentOrEmpty(Path target) throws IOException {
        if (!Files.exists(target)) {
            return;
        }
        if (!Files.isDirectory(target)) {
            throw new FileAlreadyExistsException(target + " exists and is not a directory");
        }
        try (Stream<Path> s = Files.list(target)) {
            if (s.findAny().isPresent()) {
                throw new DirectoryNotEmptyException(target + " (refusing to overwrite; delete it first)");
            }
        }
    }

    private static int writeWeights(TensorPlan plan, Path dir, long seed, long shardBytes) throws IOException {
        List<List<TensorPlan.Entry>> shards = new ArrayList<>();
        List<TensorPlan.Entry> current = new ArrayList<>();
        long size = 0;
        for (TensorPlan.Entry e : plan.tensors()) {
            long bytes = 2 * e.elements();
            if (!current.isEmpty() && size + bytes > shardBytes) {
                shards.add(current);
                current = new ArrayList<>();
                size = 0;
            }
            current.add(e);
            size += bytes;
        }
        shards.add(current);
        RandomBf16 values = new RandomBf16(seed);
        if (shards.size() == 1) {
            SafeTensorsWriter.write(dir.resolve("model.safetensors"), shards.getFirst(), values);
            return 1;
        }
        Map<String, String> weightMap = new TreeMap<>();
        for (int i = 0; i < shards.size(); i++) {
            String file = String.format(Locale.ROOT, "model-%05d-of-%05d.safetensors", i + 1, shards.size());
            SafeTensorsWriter.write(dir.resolve(file), shards.get(i), values);
            shards.get(i).forEach(e -> weightMap.put(e.name(), file));
        }
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("metadata", Map.of("total_parameters", plan.parameterCount(), "total_size", plan.bf16Bytes()));
        index.put("weight_map", weightMap);
        try {
            Files.writeString(dir.resolve("model.safetensors.index.json"), JSON.writeValueAsString(index) + "\n");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise the shard index", e);
        }
        return shards.size();
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // best effort: the partial directory's name says what it is
        }
    }

    /** Command-line entry point; exits with {@link #run}'s status. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command line; returns 0 on success, 2 on bad arguments, 1 when writing fails. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        String model = null;
        Path dir = null;
        long seed = 0;
        boolean configOnly = false;
        int layers = 0;
        int vocab = 0;
        long shardBytes = DEFAULT_SHARD_BYTES;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--model" -> model = Args.value(args, ++i, "--model");
                    case "--out" -> dir = Path.of(Args.value(args, ++i, "--out"));
                    case "--seed" -> seed = Args.longValue(args, ++i, "--seed");
                    case "--config-only" -> configOnly = true;
                    case "--layers" -> layers = Args.intValue(args, ++i, "--layers");
                    case "--vocab" -> vocab = Args.intValue(args, ++i, "--vocab");
                    case "--shard-size" -> shardBytes = Args.bytesValue(args, ++i, "--shard-size");
                    case "-h", "--help" -> {
                        out.println(usage());
                        return 0;
                    }
                    default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
                }
            }
            if (model == null || dir == null) {
                throw new IllegalArgumentException("--model and --out are required");
            }
        } catch (IllegalArgumentException e) {
            err.println("random-checkpoint: " + e.getMessage());
            err.println(usage());
            return 2;
        }
        GraniteConfig config;
        try {
            config = ReleasedShapes.of(model);
            if (layers > 0) {
                config = ReleasedShapes.truncated(config, layers);
            }
            if (vocab > 0) {
                config = ReleasedShapes.withVocab(config, vocab);
            }
        } catch (RuntimeException e) {
            err.println("random-checkpoint: " + e.getMessage());
            return 2;
        }
        long start = System.nanoTime();
        try {
            Written w = configOnly ? writeConfigOnly(config, dir) : write(config, dir, seed, shardBytes);
            String what = configOnly ? "config.json only"
                    : Units.bytes(w.bytes()) + " of bf16 weights in " + w.shards() + " shard(s)";
            out.printf(Locale.ROOT, "wrote %s: %s parameters, %s, %s, %.1f s%n",
                    ReleasedShapes.repositoryName(model), Units.params(w.parameters()), what, w.directory(),
                    (System.nanoTime() - start) / 1e9);
            return 0;
        } catch (RuntimeException e) {
            err.println("random-checkpoint: " + e.getMessage());
            return 1;
        }
    }

    private static String usage() {
        return "usage: RandomCheckpoint --model " + String.join("|", ReleasedShapes.NAMES) + " --out DIR"
                + " [--seed N] [--config-only] [--layers N] [--vocab N] [--shard-size BYTES|2GB|512MB]";
    }
}
