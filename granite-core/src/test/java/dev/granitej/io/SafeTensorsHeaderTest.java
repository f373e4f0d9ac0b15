package dev.granitej.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A written header reads back through the strict reader, with its data region aligned as asked. */
class SafeTensorsHeaderTest {

    @Test
    void headerReadsBackAlignedAndInOrder(@TempDir Path dir) throws IOException {
        List<SafeTensorsHeader.Entry> entries = List.of(
                new SafeTensorsHeader.Entry("a", DType.BF16, new long[] {2, 3}, 12),
                new SafeTensorsHeader.Entry("b", DType.U8, new long[] {5}, 5));
        for (int alignment : new int[] {8, 64}) {
            byte[] header = SafeTensorsHeader.encode(Map.of("k", "v"), entries, alignment);
            assertEquals(0, (8 + header.length) % alignment);
            assertArrayEquals(header, SafeTensorsHeader.encode(Map.of("k", "v"), entries, alignment));
            Path file = dir.resolve("t" + alignment + ".safetensors");
            ByteBuffer b = ByteBuffer.allocate(8 + header.length + 17).order(ByteOrder.LITTLE_ENDIAN);
            b.putLong(header.length).put(header);
            Files.write(file, b.array());
            try (Arena arena = Arena.ofConfined()) {
                SafeTensorsFile f = SafeTensorsFile.open(file, arena);
                assertEquals(List.of("a", "b"), List.copyOf(f.tensors().keySet()));
                assertArrayEquals(new long[] {2, 3}, f.tensors().get("a").shape());
                assertEquals(DType.U8, f.tensors().get("b").dtype());
                assertEquals(5, f.tensors().get("b").data().byteSize());
                assertEquals("v", f.metadata().get("k"));
            }
        }
    }
}
