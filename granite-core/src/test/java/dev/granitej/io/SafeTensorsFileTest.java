package dev.granitej.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The safetensors reader accepts valid files and rejects every malformed one with a message naming the fault. */
class SafeTensorsFileTest {

    @TempDir
    Path dir;

    /** A file with the given JSON header and {@code dataBytes} bytes of data (values 0..). */
    private Path file(String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(h.length).put(h);
        for (int i = 0; i < dataBytes; i++) {
            buf.put((byte) i);
        }
        Path p = dir.resolve("model.safetensors");
        Files.write(p, buf.array());
        return p;
    }

    private CheckpointException rejects(Path p) {
        try (Arena arena = Arena.ofConfined()) {
            return assertThrows(CheckpointException.class, () -> SafeTensorsFile.open(p, arena));
        }
    }

    @Test
    void readsTensorsAndValues() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        data.putFloat(1.5f).putFloat(-2f);
        data.putShort((short) (Float.floatToIntBits(3f) >>> 16)).putShort((short) (Float.floatToIntBits(-0.5f) >>> 16));
        data.putInt(7);
        String header = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[1,2],\"data_offsets\":[8,12]},"
                + "\"c\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[12,16]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(8 + h.length + 16).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(h.length).put(h).put(data.array());
        Path p = dir.resolve("ok.safetensors");
        Files.write(p, buf.array());
        try (Arena arena = Arena.ofConfined()) {
            SafeTensorsFile f = SafeTensorsFile.open(p, arena);
            assertEquals("pt", f.metadata().get("format"));
            assertArrayEquals(new float[] {1.5f, -2f}, f.tensors().get("a").toFloatArray());
            assertArrayEquals(new float[] {3f, -0.5f}, f.tensors().get("b").toFloatArray());
            assertArrayEquals(new long[] {7}, f.tensors().get("c").toLongArray());
            assertEquals(-0.5f, f.tensors().get("b").asMatrix(1, 2).get(0, 1));
        }
    }

    @Test
    void rejectsFileShorterThanHeaderLength() throws IOException {
        Path p = dir.resolve("short.safetensors");
        Files.write(p, new byte[] {1, 2, 3});
        assertTrue(rejects(p).getMessage().contains("too short"));
    }

    @Test
    void rejectsHeaderLengthPastEndOfFile() throws IOException {
        byte[] bytes = new byte[16];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(1000);
        Path p = dir.resolve("trunc.safetensors");
        Files.write(p, bytes);
        assertTrue(rejects(p).getMessage().contains("past the end"));
    }

    @Test
    void rejectsHugeHeaderLengthWithoutAllocating() throws IOException {
        byte[] bytes = new byte[16];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE);
        Path p = dir.resolve("huge.safetensors");
        Files.write(p, bytes);
        assertTrue(rejects(p).getMessage().contains("header length"));
    }

    @Test
    void rejectsMalformedJson() throws IOException {
        assertTrue(rejects(file("{\"a\": [", 0)).getMessage().contains("not well-formed JSON"));
    }

    @Test
    void rejectsDuplicateTensorNames() throws IOException {
        String h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
        assertTrue(rejects(file(h, 8)).getMessage().contains("Duplicate"));
    }

    @Test
    void rejectsOffsetsPastTheDataRegion() throws IOException {
        String h = "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}";
        CheckpointException e = rejects(file(h, 12));
        assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains("past the end"), e.getMessage());
    }

    @Test
    void rejectsOverlappingTensors() throws IOException {
        String h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        assertTrue(rejects(file(h, 12)).getMessage().contains("overlaps"));
    }

    @Test
    void rejectsShapeThatDisagreesWithByteLength() throws IOException {
        String h = "{\"w\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[0,8]}}";
        CheckpointException e = rejects(file(h, 8));
        assertTrue(e.getMessage().contains("needs 6 bytes"), e.getMessage());
    }

    @Test
    void rejectsOverflowingShape() throws IOException {
        String h = "{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}";
        assertTrue(rejects(file(h, 8)).getMessage().contains("overflows"));
    }

    @Test
    void rejectsUnknownDtypeAndBadOffsets() throws IOException {
        assertTrue(rejects(file("{\"w\":{\"dtype\":\"Q9\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4))
                .getMessage().contains("unsupported dtype"));
        assertTrue(rejects(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", 8))
                .getMessage().contains("not an interval"));
        assertTrue(rejects(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4))
                .getMessage().contains("invalid size"));
    }
}
