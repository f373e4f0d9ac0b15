package dev.granitej.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON header of a safetensors file being written: {@code __metadata__}, then each tensor's dtype, shape and
 * data offsets, tensors stored back to back in the given order. Field order is fixed, so the same tensors give
 * the same bytes in every JVM.
 */
public final class SafeTensorsHeader {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One tensor: its name, element type, shape and size in bytes. */
    public record Entry(String name, DType dtype, long[] shape, long bytes) {

        public Entry {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }
    }

    private SafeTensorsHeader() {
    }

    /**
     * The header bytes (without the 8-byte little-endian length that precedes them in the file), padded with
     * spaces so the data region, which starts after the length and the header, begins at a multiple of
     * {@code alignment} bytes.
     */
    public static byte[] encode(Map<String, String> metadata, List<Entry> entries, int alignment) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("__metadata__", metadata);
        long offset = 0;
        for (Entry e : entries) {
            long end = offset + e.bytes();
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("dtype", e.dtype().name());
            fields.put("shape", e.shape());
            fields.put("data_offsets", new long[] {offset, end});
            h.put(e.name(), fields);
            offset = end;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(h);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("cannot serialise a safetensors header", ex);
        }
        int padded = Math.toIntExact((8L + json.length + alignment - 1) / alignment * alignment - 8);
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }
}
