package dev.granitej.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.granitej.kernels.WeightFormat;
import dev.granitej.model.QuantCache;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --quant-cache} and {@code --quant-cache-dir DIR} of {@code generate} and {@code chat}. */
class QuantCacheOptionTest {

    @TempDir
    Path tmp;

    private static QuantCache parse(String... argv) {
        return new Args("generate", argv, 0, Args.LOAD_VALUED, Args.LOAD_FLAGS).loadOptions().quantCache();
    }

    @Test
    void flagsChooseTheCache() {
        assertEquals(QuantCache.off(), parse());
        assertEquals(QuantCache.off(), parse("--format", "q8_0"));
        assertEquals(QuantCache.nextToCheckpoint(), parse("--format", "q8_0", "--quant-cache"));
        assertEquals(QuantCache.in(Path.of("/var/cache/granitej")),
                parse("--quant-cache-dir", "/var/cache/granitej"));
        assertEquals(QuantCache.in(Path.of("c")), parse("--quant-cache", "--quant-cache-dir=c"));
    }

    private Path demoCopy() throws IOException {
        Path src = repoRoot().resolve("models/granite-4.0-h-demo");
        Path dst = Files.createDirectories(tmp.resolve("demo"));
        try (Stream<Path> files = Files.list(src)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (!f.getFileName().toString().equals("golden.safetensors")) {
                    Files.copy(f, dst.resolve(f.getFileName()));
                }
            }
        }
        return dst;
    }

    private static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (!Files.isDirectory(p.resolve("models"))) {
            p = p.getParent();
        }
        return p;
    }

    @Test
    void generateAndChatWriteAndReuseTheCache() throws IOException {
        Path model = demoCopy();
        Path dir = tmp.resolve("caches");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        int code = Main.run(new String[] {"generate", "--model", model.toString(), "--tokens", "5,17,42",
            "--max-tokens", "2", "--format", "q4_0", "--threads", "1", "--quant-cache"}, o, e);
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        assertTrue(Files.isRegularFile(tmp.resolve("demo.granitej-cache/q4_0.safetensors")));

        code = Main.run(new String[] {"generate", "--model", model.toString(), "--tokens", "5,17,42",
            "--max-tokens", "2", "--format", "q8_0", "--threads", "1", "--quant-cache-dir", dir.toString()}, o, e);
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        assertTrue(Files.isRegularFile(QuantCache.in(dir).fileFor(model, WeightFormat.Q8_0)));

        // chat takes the same options; the demo model has no chat template, so it stops once the model is loaded
        IllegalStateException noTemplate = assertThrows(IllegalStateException.class, () -> ChatCommand.run(
                new String[] {"chat", "--model", model.toString(), "--format", "q4_0", "--threads", "1",
                    "--quant-cache-dir", dir.toString()},
                new ByteArrayInputStream("hi\n".getBytes(StandardCharsets.UTF_8)), o, e));
        assertTrue(noTemplate.getMessage().contains("no chat template"), noTemplate.getMessage());
        assertTrue(Files.isRegularFile(QuantCache.in(dir).fileFor(model, WeightFormat.Q4_0)));
    }
}
