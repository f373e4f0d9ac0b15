package dev.granitej.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One memory-mapped safetensors file: an 8-byte little-endian header length, a JSON header describing
 * every tensor ({@code dtype}, {@code shape}, {@code data_offsets} relative to the data region) and the
 * data region. The header is validated completely before any tensor is handed out, so a truncated or
 * hostile file ends in a {@link CheckpointException}, never in a read outside the mapping.
 */
public final class SafeTensorsFile {

    /** The safetensors reference implementation refuses headers above 100 MB; so do we. */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    private static final int MAX_RANK = 8;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final Path path;
    private final Map<String, Tensor> tensors;
    private final Map<String, String> metadata;

    private SafeTensorsFile(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) {
        this.path = path;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /**
     * Maps {@code path} read-only into {@code arena} and validates its header. The mapping lives as long as
     * the arena.
     */
    public static SafeTensorsFile open(Path path, Arena arena) {
        return open(path, arena, false);
    }

    /**
     * Opens {@code path} and validates its header. Mapped ({@code inMemory} false): the mapping lives as long as
     * {@code arena} and pages are read on first use. In memory: the file is read once into memory allocated from
     * {@code arena} (2 MiB aligned) and the mapping is dropped, so every weight is resident from the start and
     * read without page faults, which decodes faster on big checkpoints (llama.cpp's {@code --no-mmap}).
     */
    public static SafeTensorsFile open(Path path, Arena arena, boolean inMemory) {
        if (!inMemory) {
            return map(path, arena);
        }
        try (Arena mapping = Arena.ofConfined();
             FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                return parse(path, MemorySegment.NULL, size);
            }
            MemorySegment copy = arena.allocate(size, 1L << 21);
            copy.copyFrom(channel.map(FileChannel.MapMode.READ_ONLY, 0, size, mapping));
            return parse(path, copy, size);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read safetensors file " + path, e);
        }
    }

    private static SafeTensorsFile map(Path path, Arena arena) {
        MemorySegment file;
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            file = size == 0 ? MemorySegment.NULL : channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            return parse(path, file, size);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map safetensors file " + path, e);
        }
    }

    private static SafeTensorsFile parse(Path path, MemorySegment file, long size) {
        String where = path.getFileName().toString();
        if (size < 8) {
            throw new CheckpointException(where + ": file is " + size + " bytes, too short for a safetensors header");
        }
        long headerLen = file.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (headerLen < 2 || headerLen > MAX_HEADER_BYTES) {
            throw new CheckpointException(where + ": header length " + Long.toUnsignedString(headerLen)
                    + " is outside [2, " + MAX_HEADER_BYTES + "]");
        }
        if (headerLen > size - 8) {
            throw new CheckpointException(where + ": header length " + headerLen + " runs past the end of the "
                    + size + "-byte file (truncated?)");
        }
        byte[] headerBytes = file.asSlice(8, headerLen).toArray(ValueLayout.JAVA_BYTE);
        JsonNode header;
        try {
            header = JSON.readTree(new String(headerBytes, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new CheckpointException(where + ": header is not well-formed JSON: " + e.getOriginalMessage(), e);
        }
        if (header == null || !header.isObject()) {
            throw new CheckpointException(where + ": header must be a JSON object");
        }
        long dataStart = 8 + headerLen;
        long dataSize = size - dataStart;
        MemorySegment dataRegion = file.asSlice(dataStart, dataSize);

        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = Map.of();
        List<long[]> ranges = new ArrayList<>();
        List<String> rangeNames = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            if (name.equals("__metadata__")) {
                metadata = readMetadata(where, e.getValue());
                continue;
            }
            Tensor t = readTensor(path, where, name, e.getValue(), dataRegion, dataSize);
            tensors.put(name, t);
            ranges.add(new long[] {t.data().address() - dataRegion.address(), t.data().byteSize()});
            rangeNames.add(name);
        }
        checkNoOverlap(where, ranges, rangeNames);
        return new SafeTensorsFile(path, Collections.unmodifiableMap(tensors), metadata);
    }

    private static Map<String, String> readMetadata(String where, JsonNode node) {
        if (!node.isObject()) {
            throw new CheckpointException(where + ": __metadata__ must be an object of strings");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new CheckpointException(where + ": __metadata__ value '" + e.getKey() + "' is not a string");
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return Collections.unmodifiableMap(out);
    }

    private static Tensor readTensor(Path path, String where, String name, JsonNode info,
                                     MemorySegment dataRegion, long dataSize) {
        String prefix = where + ": tensor '" + name + "': ";
        if (!info.isObject()) {
            throw new CheckpointException(prefix + "entry must be an object");
        }
        JsonNode dtypeNode = info.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new CheckpointException(prefix + "missing dtype");
        }
        DType dtype = DType.fromHeader(dtypeNode.asText());
        if (dtype == null) {
            throw new CheckpointException(prefix + "unsupported dtype '" + dtypeNode.asText() + "'");
        }
        JsonNode shapeNode = info.get("shape");
        if (shapeNode == null || !shapeNode.isArray() || shapeNode.size() > MAX_RANK) {
            throw new CheckpointException(prefix + "shape must be an array of at most " + MAX_RANK + " sizes");
        }
        long[] shape = new long[shapeNode.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0) {
                throw new CheckpointException(prefix + "shape " + shapeNode + " has an invalid size at index " + i);
            }
            shape[i] = d.asLong();
            try {
                elements = Math.multiplyExact(elements, shape[i]);
            } catch (ArithmeticException overflow) {
                throw new CheckpointException(prefix + "shape " + shapeNode + " overflows");
            }
        }
        JsonNode offsets = info.get("data_offsets");
        if (offsets == null || !offsets.isArray() || offsets.size() != 2
                || !offsets.get(0).canConvertToLong() || !offsets.get(1).canConvertToLong()
                || !offsets.get(0).isIntegralNumber() || !offsets.get(1).isIntegralNumber()) {
            throw new CheckpointException(prefix + "data_offsets must be two integers");
        }
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        if (begin < 0 || end < begin) {
            throw new CheckpointException(prefix + "data_offsets [" + begin + ", " + end + "] are not an interval");
        }
        if (end > dataSize) {
            throw new CheckpointException(prefix + "data_offsets [" + begin + ", " + end
                    + "] run past the end of the data region (" + dataSize + " bytes; truncated file?)");
        }
        long expected;
        try {
            expected = Math.multiplyExact(elements, dtype.bytes());
        } catch (ArithmeticException overflow) {
            throw new CheckpointException(prefix + "byte size overflows");
        }
        if (end - begin != expected) {
            throw new CheckpointException(prefix + "shape " + shapeNode + " of " + dtype + " needs " + expected
                    + " bytes but data_offsets cover " + (end - begin));
        }
        return new Tensor(name, dtype, shape, dataRegion.asSlice(begin, end - begin), path);
    }

    private static void checkNoOverlap(String where, List<long[]> ranges, List<String> names) {
        Integer[] order = new Integer[ranges.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, Comparator.comparingLong(i -> ranges.get(i)[0]));
        long prevEnd = 0;
        String prevName = null;
        for (int idx : order) {
            long[] r = ranges.get(idx);
            if (r[1] == 0) {
                continue;
            }
            if (prevName != null && r[0] < prevEnd) {
                throw new CheckpointException(where + ": tensor '" + names.get(idx) + "' overlaps tensor '"
                        + prevName + "' in the data region");
            }
            prevEnd = r[0] + r[1];
            prevName = names.get(idx);
        }
    }

    /** The file this was read from. */
    public Path path() {
        return path;
    }

    /** Every tensor by name, in header order. */
    public Map<String, Tensor> tensors() {
        return tensors;
    }

    /** The optional {@code __metadata__} string map. */
    public Map<String, String> metadata() {
        return metadata;
    }
}
