package dev.granitej.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes one bf16 safetensors file, streaming tensor data through a fixed buffer. */
final class SafeTensorsWriter {

    /** Large writes keep the disk busy without holding a tensor in memory. */
    private static final int BUFFER_BYTES = 16 << 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    private SafeTensorsWriter() {
    }

    /** Writes {@code entries} in order to a new file {@code file}. */
    static void write(Path file, List<TensorPlan.Entry> entries, RandomBf16 values) throws IOException {
        byte[] header = header(entries);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            buffer.putLong(header.length).put(header);
            for (TensorPlan.Entry e : entries) {
                values.write(e, buffer, ch);
            }
            RandomBf16.drain(buffer, ch);
        }
    }

    /** The JSON header, padded with spaces to a multiple of 8 bytes as the reference writer does. */
    static byte[] header(List<TensorPlan.Entry> entries) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("__metadata__", Map.of("format", "pt"));
        long offset = 0;
        for (TensorPlan.Entry e : entries) {
            long end = offset + 2 * e.elements();
            h.put(e.name(), Map.of("dtype", "BF16", "shape", e.shape(), "data_offsets", new long[] {offset, end}));
            offset = end;
        }
        String json;
        try {
            json = JSON.writeValueAsString(h);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("cannot serialise safetensors header", ex);
        }
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        int padded = (bytes.length + 7) & ~7;
        byte[] out = new byte[padded];
        System.arraycopy(bytes, 0, out, 0, bytes.length);
        java.util.Arrays.fill(out, bytes.length, padded, (byte) ' ');
        return out;
    }
}
