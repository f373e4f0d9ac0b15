package dev.granitej.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The weights of a Hugging Face checkpoint directory: {@code model.safetensors}, or the shards listed in
 * {@code model.safetensors.index.json}. All files are mapped into one shared arena; {@link #close()}
 * unmaps them, after which no tensor of this checkpoint may be touched.
 */
public final class Checkpoint implements AutoCloseable {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final Path directory;
    private final Arena arena;
    private final Map<String, Tensor> tensors;

    private Checkpoint(Path directory, Arena arena, Map<String, Tensor> tensors) {
        this.directory = directory;
        this.arena = arena;
        this.tensors = tensors;
    }

    /** Opens the checkpoint in {@code directory}, single-file or sharded, mapping its files. */
    public static Checkpoint open(Path directory) {
        return open(directory, false);
    }

    /**
     * Opens the checkpoint in {@code directory}: mapped, or with {@code inMemory} read once into memory owned by
     * the checkpoint (see {@link SafeTensorsFile#open(Path, Arena, boolean)}).
     */
    public static Checkpoint open(Path directory, boolean inMemory) {
        Path index = directory.resolve("model.safetensors.index.json");
        Path single = directory.resolve("model.safetensors");
        Arena arena = Arena.ofShared();
        try {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            if (Files.exists(index)) {
                openSharded(directory, index, arena, tensors, inMemory);
            } else if (Files.exists(single)) {
                tensors.putAll(SafeTensorsFile.open(single, arena, inMemory).tensors());
            } else {
                throw new CheckpointException(directory + ": neither model.safetensors nor "
                        + "model.safetensors.index.json found");
            }
            return new Checkpoint(directory, arena, Collections.unmodifiableMap(tensors));
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** Opens a single safetensors file (for test data and tools). */
    public static Checkpoint openFile(Path file) {
        Arena arena = Arena.ofShared();
        try {
            return new Checkpoint(file.getParent(), arena, SafeTensorsFile.open(file, arena).tensors());
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static void openSharded(Path directory, Path index, Arena arena, Map<String, Tensor> out,
                                    boolean inMemory) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(index));
        } catch (IOException e) {
            throw new CheckpointException(index.getFileName() + ": cannot read: " + e.getMessage(), e);
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject()) {
            throw new CheckpointException(index.getFileName() + ": missing object 'weight_map'");
        }
        Map<String, String> fileOf = new LinkedHashMap<>();
        Set<String> shards = new LinkedHashSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String shard = e.getValue().asText();
            if (!e.getValue().isTextual() || shard.isEmpty() || shard.contains("/") || shard.contains("\\")
                    || shard.equals("..") || shard.equals(".")) {
                throw new CheckpointException(index.getFileName() + ": tensor '" + e.getKey()
                        + "' maps to an invalid shard name " + e.getValue());
            }
            fileOf.put(e.getKey(), shard);
            shards.add(shard);
        }
        for (String shard : shards) {
            Path file = directory.resolve(shard);
            if (!Files.exists(file)) {
                throw new CheckpointException(index.getFileName() + ": shard " + shard + " is missing");
            }
            for (Tensor t : SafeTensorsFile.open(file, arena, inMemory).tensors().values()) {
                String expected = fileOf.get(t.name());
                if (expected == null) {
                    throw new CheckpointException(shard + ": tensor '" + t.name() + "' is not in the index");
                }
                if (!expected.equals(shard)) {
                    throw new CheckpointException(shard + ": tensor '" + t.name() + "' is indexed in " + expected);
                }
                if (out.putIfAbsent(t.name(), t) != null) {
                    throw new CheckpointException(shard + ": tensor '" + t.name() + "' appears twice");
                }
            }
        }
        for (String name : fileOf.keySet()) {
            if (!out.containsKey(name)) {
                throw new CheckpointException(fileOf.get(name) + ": tensor '" + name
                        + "' is listed in the index but absent from its shard");
            }
        }
    }

    /** The directory this checkpoint was read from. */
    public Path directory() {
        return directory;
    }

    /** All tensors by name. */
    public Map<String, Tensor> tensors() {
        return tensors;
    }

    /** The tensor called {@code name}; a {@link CheckpointException} naming it when absent. */
    public Tensor tensor(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new CheckpointException(directory.getFileName() + ": missing tensor '" + name + "'");
        }
        return t;
    }

    /** The tensor called {@code name}, if present. */
    public Optional<Tensor> find(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    /** Total bytes of all tensors. */
    public long byteSize() {
        long sum = 0;
        for (Tensor t : tensors.values()) {
            sum += t.data().byteSize();
        }
        return sum;
    }

    /** Unmaps every file. */
    @Override
    public void close() {
        arena.close();
    }

}
