package dev.granitej.bench;

import dev.granitej.io.DType;
import dev.granitej.io.SafeTensorsHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Writes one bf16 safetensors file, streaming tensor data through a fixed buffer. */
final class SafeTensorsWriter {

    /** Large writes keep the disk busy without holding a tensor in memory. */
    private static final int BUFFER_BYTES = 16 << 20;

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

    /** The header, padded with spaces to a multiple of 8 bytes as the reference writer does. */
    static byte[] header(List<TensorPlan.Entry> entries) {
        List<SafeTensorsHeader.Entry> tensors = new ArrayList<>();
        for (TensorPlan.Entry e : entries) {
            tensors.add(new SafeTensorsHeader.Entry(e.name(), DType.BF16, e.shape(), 2 * e.elements()));
        }
        return SafeTensorsHeader.encode(Map.of("format", "pt"), tensors, 8);
    }
}
