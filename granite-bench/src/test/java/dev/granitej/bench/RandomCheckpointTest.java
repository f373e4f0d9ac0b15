package dev.granitej.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.granitej.config.GraniteConfig;
import dev.granitej.io.DType;
import dev.granitej.io.Tensor;
import dev.granitej.model.GraniteModel;
import dev.granitej.model.SequenceState;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RandomCheckpointTest {

    @TempDir
    Path tmp;

    @Test
    void tinyShardedCheckpointLoadsAndRunsWithFiniteLogits() {
        Path dir = TinyShapes.hybridMoeCheckpoint(tmp.resolve("tiny"));
        assertTrue(Files.exists(dir.resolve("model.safetensors.index.json")), "small shard size must shard");
        try (GraniteModel model = GraniteModel.load(dir)) {
            assertEquals(TinyShapes.hybridMoe(), model.config());
            assertEquals(TensorPlan.of(model.config()).parameterCount(), model.parameterCount());
            assertEquals(2 * model.parameterCount(), model.checkpoint().byteSize());
            for (Tensor t : model.checkpoint().tensors().values()) {
                assertEquals(DType.BF16, t.dtype(), t.name());
            }
            SequenceState state = model.newState(64);
            float[] logits = model.forward(state, new int[] {3, 17, 200, 5, 99});
            assertFinite(logits);
            assertTrue(spread(logits) > 1e-3, "logits must depend on the input");
            float[] next = model.forward(state, new int[] {42});
            assertFinite(next);
            assertEquals(6, state.position());
        }
    }

    @Test
    void realWidthTruncatedModelFromTheCommandLineRuns() {
        Path dir = tmp.resolve("h350-2");
        int rc = RandomCheckpoint.run(new String[] {"--model", "granite-4.0-h-350m", "--layers", "2",
                "--vocab", "2048", "--seed", "3", "--out", dir.toString()}, quiet(), quiet());
        assertEquals(0, rc);
        try (GraniteModel model = GraniteModel.load(dir)) {
            GraniteConfig c = model.config();
            assertEquals(768, c.hiddenSize());
            assertEquals(2, c.numLayers());
            SequenceState state = model.newState(16);
            assertFinite(model.forward(state, new int[] {1, 2, 3, 2047}));
        }
    }

    @Test
    void sameSeedSameBytesOtherSeedOtherBytes() throws IOException {
        GraniteConfig c = TinyShapes.hybridMoe();
        Path a = RandomCheckpoint.write(c, tmp.resolve("a"), 11, Long.MAX_VALUE).directory();
        Path b = RandomCheckpoint.write(c, tmp.resolve("b"), 11, Long.MAX_VALUE).directory();
        Path d = RandomCheckpoint.write(c, tmp.resolve("d"), 12, Long.MAX_VALUE).directory();
        byte[] fa = Files.readAllBytes(a.resolve("model.safetensors"));
        assertArrayEquals(fa, Files.readAllBytes(b.resolve("model.safetensors")));
        assertFalse(Arrays.equals(fa, Files.readAllBytes(d.resolve("model.safetensors"))));
    }

    @Test
    void valuesHaveTheIntendedScales() {
        Path dir = RandomCheckpoint.write(ReleasedShapes.withVocab(ReleasedShapes.truncated(
                ReleasedShapes.of("h-1b"), 2), 4096), tmp.resolve("scales"), 5, Long.MAX_VALUE).directory();
        try (GraniteModel model = GraniteModel.load(dir)) {
            var t = model.checkpoint().tensors();
            assertStd(t.get("model.layers.0.mamba.in_proj.weight").toFloatArray(), 0, 1 / Math.sqrt(1536));
            assertStd(t.get("model.layers.0.mamba.out_proj.weight").toFloatArray(), 0, 1 / Math.sqrt(3072));
            assertStd(t.get("model.embed_tokens.weight").toFloatArray(), 0, 0.1);
            assertStd(t.get("model.norm.weight").toFloatArray(), 1, 0.02);
            for (float v : t.get("model.layers.0.mamba.A_log").toFloatArray()) {
                assertTrue(v >= 0 && v <= Math.log(16) + 0.02, "A_log " + v);
            }
            for (float v : t.get("model.layers.0.mamba.dt_bias").toFloatArray()) {
                assertTrue(v >= -1.51 && v <= 0.51, "dt_bias " + v);
            }
            for (float v : t.get("model.layers.0.mamba.D").toFloatArray()) {
                assertTrue(v >= 0 && v <= 2.01, "D " + v);
            }
        }
    }

    @Test
    void configOnlyAndRefusalToOverwrite() throws IOException {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Path dir = tmp.resolve("small");
        assertEquals(0, RandomCheckpoint.run(new String[] {"--model", "h-small", "--config-only", "--out",
                dir.toString()}, quiet(), quiet()));
        GraniteConfig c = GraniteConfig.load(dir.resolve("config.json"));
        assertEquals(ReleasedShapes.of("h-small"), c);
        assertEquals(1, Files.list(dir).count());
        assertEquals(1, RandomCheckpoint.run(new String[] {"--model", "h-small", "--config-only", "--out",
                dir.toString()}, quiet(), new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("refusing to overwrite"), err.toString());
        assertEquals(2, RandomCheckpoint.run(new String[] {"--model", "h-1b"}, quiet(), quiet()));
        try (var s = Files.list(tmp)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().contains(".partial-")), "no leftovers");
        }
    }

    static void assertFinite(float[] v) {
        for (int i = 0; i < v.length; i++) {
            assertTrue(Float.isFinite(v[i]), "value " + i + " is " + v[i]);
        }
    }

    private static double spread(float[] v) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float x : v) {
            lo = Math.min(lo, x);
            hi = Math.max(hi, x);
        }
        return hi - lo;
    }

    private static void assertStd(float[] v, double mean, double std) {
        double s = 0;
        double s2 = 0;
        for (float x : v) {
            s += x;
            s2 += (double) x * x;
        }
        double m = s / v.length;
        double sd = Math.sqrt(s2 / v.length - m * m);
        assertEquals(mean, m, std * 0.05 + 1e-3, "mean");
        assertEquals(std, sd, std * 0.03, "std");
    }

    static PrintStream quiet() {
        return new PrintStream(PrintStream.nullOutputStream());
    }
}
