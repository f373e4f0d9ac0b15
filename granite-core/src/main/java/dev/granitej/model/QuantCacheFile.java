package dev.granitej.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.granitej.io.DType;
import dev.granitej.io.SafeTensorsFile;
import dev.granitej.io.SafeTensorsHeader;
import dev.granitej.io.Tensor;
import dev.granitej.kernels.WeightFormat;
import dev.granitej.kernels.WeightMatrix;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SequencedMap;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.CRC32C;

/**
 * The on-disk form of a quantized-weight cache ({@link QuantCache}): a safetensors file holding each converted
 * matrix under its checkpoint tensor's name as {@code U8 [rows, rowBytes]} (the Q8_0/Q4_0 blocks exactly as the
 * kernels read them, rows repacked by groups of 32: {@code WeightMatrix.ofRepacked}), back to back from a data
 * region that starts 64-byte aligned, and in {@code __metadata__}
 * the layout version, the target format, the checkpoint fingerprint and a CRC-32C of the tensors' bytes in header
 * order. {@link #open} accepts a file only when all of these match, so a file is used whole or not at all.
 *
 * <p>While a model is built from a file it records which tensors it took ({@link #matrix}, {@link #requireAllUsed});
 * that bookkeeping is the builder's, on one thread.
 */
final class QuantCacheFile {

    /**
     * The layout version. Bump it whenever this layout or {@code Quantizer}'s output changes, so old files are
     * rebuilt instead of misread.
     */
    static final String VERSION = "3";
    static final String KEY_VERSION = "granitej.cache_version";
    static final String KEY_FORMAT = "granitej.weight_format";
    static final String KEY_SOURCE = "granitej.source";
    static final String KEY_CRC = "granitej.crc32c";

    /** The data region starts at a multiple of this (a cache line, and a whole vector register of bytes). */
    static final int ALIGNMENT = 64;
    /** ByteBuffer views of a segment are limited to 2 GiB; checksums and writes go in chunks of this. */
    private static final long CHUNK = 1L << 30;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Tensor> tensors;
    private final Set<String> used = new HashSet<>();

    private QuantCacheFile(Map<String, Tensor> tensors) {
        this.tensors = tensors;
    }

    /** A cache file that cannot be used for this checkpoint and format; the message says why. */
    static final class Invalid extends RuntimeException {
        Invalid(String message) {
            super(message);
        }
    }

    /**
     * Opens {@code path} (mapped into {@code arena}, or read into memory from it) and checks it completely: a
     * well-formed safetensors file with this layout version, format and source fingerprint, every tensor
     * {@code U8} of rank 2, and the checksum over all tensor bytes.
     *
     * @throws Invalid                          when the file is well-formed but does not match or fails its checksum
     * @throws dev.granitej.io.CheckpointException when it is not a well-formed safetensors file (truncated, say)
     * @throws java.io.UncheckedIOException     when it cannot be read
     */
    static QuantCacheFile open(Path path, WeightFormat format, String source, Arena arena, boolean inMemory) {
        SafeTensorsFile file = SafeTensorsFile.open(path, arena, inMemory);
        Map<String, String> meta = file.metadata();
        require(meta, KEY_VERSION, VERSION, "layout version");
        require(meta, KEY_FORMAT, format.name(), "weight format");
        String written = meta.get(KEY_SOURCE);
        if (!source.equals(written)) {
            throw new Invalid("the checkpoint changed since it was written: " + difference(written, source));
        }
        for (Tensor t : file.tensors().values()) {
            if (t.dtype() != DType.U8 || t.shape().length != 2) {
                throw new Invalid("tensor '" + t.name() + "' is " + t.dtype() + " " + Arrays.toString(t.shape())
                        + ", expected U8 [rows, rowBytes]");
            }
        }
        String crc = checksum(file.tensors().values().stream().map(Tensor::data).toList());
        if (!crc.equals(meta.get(KEY_CRC))) {
            throw new Invalid("the data's CRC-32C is " + crc + " but the file records " + meta.get(KEY_CRC)
                    + " (the file is corrupt)");
        }
        return new QuantCacheFile(file.tensors());
    }

    private static void require(Map<String, String> meta, String key, String expected, String what) {
        String actual = meta.get(key);
        if (!expected.equals(actual)) {
            throw new Invalid(what + " is " + (actual == null ? "missing" : "'" + actual + "'") + ", expected '"
                    + expected + "'");
        }
    }

    /** The first file whose entry differs between two fingerprints, for the log; the raw strings if unreadable. */
    private static String difference(String written, String current) {
        if (written != null) {
            try {
                Map<String, JsonNode> before = byFile(JSON.readTree(written));
                Map<String, JsonNode> now = byFile(JSON.readTree(current));
                Set<String> names = new TreeSet<>(before.keySet());
                names.addAll(now.keySet());
                for (String name : names) {
                    if (!Objects.equals(before.get(name), now.get(name))) {
                        return name + " was " + before.get(name) + ", is " + now.get(name);
                    }
                }
            } catch (JsonProcessingException | RuntimeException unreadable) {
                // fall through to the raw strings
            }
        }
        return "fingerprint " + written + ", expected " + current;
    }

    private static Map<String, JsonNode> byFile(JsonNode entries) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (JsonNode e : entries) {
            out.put(e.get("file").asText(), e);
        }
        return out;
    }

    /**
     * The cached matrix for checkpoint tensor {@code name}, in {@code format} with {@code rows × cols} weights.
     *
     * @throws Invalid when the file has no such tensor or it has another shape
     */
    WeightMatrix matrix(String name, WeightFormat format, int rows, int cols) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new Invalid("no tensor '" + name + "'");
        }
        long[] expected = {rows, format.bytesFor(cols)};
        if (!Arrays.equals(t.shape(), expected)) {
            throw new Invalid("tensor '" + name + "' has shape " + Arrays.toString(t.shape()) + ", expected "
                    + Arrays.toString(expected) + " for " + format + " " + rows + "x" + cols);
        }
        used.add(name);
        return WeightMatrix.ofRepacked(format, t.data(), rows, cols);
    }

    /**
     * Throws unless every tensor of the file was taken: a file holding more than the checkpoint converts was
     * written for something else.
     */
    void requireAllUsed() {
        for (String name : tensors.keySet()) {
            if (!used.contains(name)) {
                throw new Invalid("tensor '" + name + "' is not a weight this checkpoint converts");
            }
        }
    }

    /**
     * Writes {@code matrices} (by tensor name, in order) as a cache file for {@code format} and {@code source}:
     * to a temporary file in the same directory (created when missing), flushed to disk, then moved over
     * {@code path} atomically, so readers see the old file or the whole new one, never a part. The temporary
     * file is removed on failure.
     */
    static void write(Path path, WeightFormat format, String source, SequencedMap<String, WeightMatrix> matrices)
            throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve(path.getFileName() + "." + ProcessHandle.current().pid() + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
            SequencedMap<String, MemorySegment> data = new LinkedHashMap<>();
            matrices.forEach((name, m) -> data.put(name, m.segment().asSlice(0, m.byteSize())));
            byte[] header = header(format, source, checksum(data.values()), matrices);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                writeFully(ch, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length));
                writeFully(ch, ByteBuffer.wrap(header));
                for (MemorySegment s : data.values()) {
                    for (long at = 0; at < s.byteSize(); at += CHUNK) {
                        writeFully(ch, s.asSlice(at, Math.min(CHUNK, s.byteSize() - at)).asByteBuffer());
                    }
                }
                ch.force(true);
            }
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** The header: cache metadata, then each matrix as U8 {@code [rows, rowBytes]}, data 64-byte aligned. */
    private static byte[] header(WeightFormat format, String source, String crc,
                                 SequencedMap<String, WeightMatrix> matrices) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(KEY_VERSION, VERSION);
        meta.put(KEY_FORMAT, format.name());
        meta.put(KEY_SOURCE, source);
        meta.put(KEY_CRC, crc);
        List<SafeTensorsHeader.Entry> entries = new ArrayList<>();
        matrices.forEach((name, m) -> entries.add(new SafeTensorsHeader.Entry(name, DType.U8,
                new long[] {m.rows(), m.byteSize() / m.rows()}, m.byteSize())));
        return SafeTensorsHeader.encode(meta, entries, ALIGNMENT);
    }

    /** CRC-32C of the segments' bytes, one after the other, as 8 hex digits. */
    private static String checksum(Iterable<MemorySegment> segments) {
        CRC32C crc = new CRC32C();
        for (MemorySegment s : segments) {
            for (long at = 0; at < s.byteSize(); at += CHUNK) {
                crc.update(s.asSlice(at, Math.min(CHUNK, s.byteSize() - at)).asByteBuffer());
            }
        }
        return String.format("%08x", crc.getValue());
    }
}
