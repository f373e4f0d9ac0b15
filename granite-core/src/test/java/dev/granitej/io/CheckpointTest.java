package dev.granitej.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.granitej.model.GraniteModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sharded checkpoints, and the model loader's refusal of incomplete or inconsistent checkpoints. */
class CheckpointTest {

    static final Path SHARDED = Path.of("src/test/resources/golden/micro-dense-bf16-sharded");
    static final Path TINY = Path.of("src/test/resources/golden/tiny-moe-nope");

    @TempDir
    Path tmp;

    private Path copyOf(Path src) throws IOException {
        Path dst = tmp.resolve(src.getFileName());
        Files.createDirectories(dst);
        try (Stream<Path> files = Files.list(src)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, dst.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return dst;
    }

    @Test
    void opensAllShards() {
        try (Checkpoint c = Checkpoint.open(SHARDED)) {
            assertTrue(c.tensors().containsKey("lm_head.weight"));
            assertEquals(DType.BF16, c.tensor("model.embed_tokens.weight").dtype());
        }
    }

    @Test
    void inMemoryCheckpointHoldsTheSameTensors() {
        try (Checkpoint mapped = Checkpoint.open(SHARDED); Checkpoint copied = Checkpoint.open(SHARDED, true)) {
            assertEquals(mapped.tensors().keySet(), copied.tensors().keySet());
            for (Tensor t : mapped.tensors().values()) {
                Tensor c = copied.tensor(t.name());
                assertEquals(-1L, t.data().mismatch(c.data()), t.name());
                assertTrue(!c.data().isMapped(), "copied tensors are not file mappings");
            }
        }
    }

    @Test
    void missingShardIsNamed() throws IOException {
        Path d = copyOf(SHARDED);
        Files.delete(d.resolve("model-00003-of-00009.safetensors"));
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.open(d));
        assertTrue(e.getMessage().contains("model-00003-of-00009.safetensors is missing"), e.getMessage());
    }

    @Test
    void missingTensorIsNamed() throws IOException {
        Path d = copyOf(TINY);
        rewriteHeaderDroppingTensor(d.resolve("model.safetensors"), "model.layers.3.mamba.D");
        CheckpointException e = assertThrows(CheckpointException.class, () -> GraniteModel.load(d));
        assertTrue(e.getMessage().contains("missing tensor 'model.layers.3.mamba.D'"), e.getMessage());
    }

    @Test
    void truncatedWeightFileIsRejected() throws IOException {
        Path d = copyOf(TINY);
        Path f = d.resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(bytes, bytes.length - 1000));
        CheckpointException e = assertThrows(CheckpointException.class, () -> GraniteModel.load(d));
        assertTrue(e.getMessage().contains("past the end"), e.getMessage());
    }

    @Test
    void wrongShapeForConfigIsRejected() throws IOException {
        Path d = copyOf(TINY);
        Path cfg = d.resolve("config.json");
        Files.writeString(cfg, Files.readString(cfg).replace("\"shared_intermediate_size\": 48",
                "\"shared_intermediate_size\": 40"));
        CheckpointException e = assertThrows(CheckpointException.class, () -> GraniteModel.load(d));
        assertTrue(e.getMessage().contains("shared_mlp.input_linear.weight") && e.getMessage().contains("expected"),
                e.getMessage());
    }

    @Test
    void integerDtypeForWeightsIsRejected() throws IOException {
        Path d = copyOf(TINY);
        Path f = d.resolve("model.safetensors");
        // The norm weight is F32 [64]; declaring it I32 keeps the byte size but makes it an integer tensor.
        rewriteHeader(f, h -> h.replaceFirst(
                "(\"model\\.norm\\.weight\":\\{\"dtype\":\")F32", "$1I32"));
        CheckpointException e = assertThrows(CheckpointException.class, () -> GraniteModel.load(d));
        assertTrue(e.getMessage().contains("model.norm.weight") && e.getMessage().contains("I32"), e.getMessage());
    }

    /** Rewrites the JSON header in place (padding with spaces to keep the data offsets valid). */
    static void rewriteHeader(Path file, java.util.function.UnaryOperator<String> edit) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int len = (int) b.getLong(0);
        String header = new String(bytes, 8, len, java.nio.charset.StandardCharsets.UTF_8).replace(" ", "");
        String edited = edit.apply(header);
        byte[] e = edited.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (e.length > len) {
            throw new IllegalStateException("edited header grew");
        }
        byte[] padded = new byte[len];
        java.util.Arrays.fill(padded, (byte) ' ');
        System.arraycopy(e, 0, padded, 0, e.length);
        System.arraycopy(padded, 0, bytes, 8, len);
        Files.write(file, bytes);
    }

    static void rewriteHeaderDroppingTensor(Path file, String name) throws IOException {
        rewriteHeader(file, h -> {
            com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper();
            try {
                var node = (com.fasterxml.jackson.databind.node.ObjectNode) m.readTree(h);
                if (node.remove(name) == null) {
                    throw new IllegalStateException("no tensor " + name);
                }
                return m.writeValueAsString(node);
            } catch (IOException ex) {
                throw new java.io.UncheckedIOException(ex);
            }
        });
    }
}
