package dev.granitej.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.granitej.config.GraniteConfig;
import dev.granitej.config.LayerType;
import dev.granitej.model.GraniteModel;
import dev.granitej.model.KvCacheFormat;
import dev.granitej.model.ModelOptions;
import dev.granitej.model.SequenceState;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionMemoryTest {

    @TempDir
    Path tmp;

    @Test
    void formulaMatchesMeasuredStateOfHybridAndTransformer() {
        GraniteConfig hybrid = TinyShapes.hybridMoe();
        GraniteConfig dense = SessionMemory.allAttention(hybrid);
        assertEquals(3, dense.count(LayerType.ATTENTION));
        for (GraniteConfig c : new GraniteConfig[] {hybrid, dense}) {
            Path dir = RandomCheckpoint.write(c, tmp.resolve("m" + c.count(LayerType.MAMBA)), 1, Long.MAX_VALUE)
                    .directory();
            for (KvCacheFormat kvCache : KvCacheFormat.values()) {
                SessionMemory formula = SessionMemory.of(c, kvCache);
                try (GraniteModel model = GraniteModel.load(dir, ModelOptions.defaults().withKvCache(kvCache))) {
                    SequenceState state = model.newState(300);
                    assertEquals(formula.bytesAt(0), state.stateBytes(), kvCache + ": empty state");
                    int[] prompt = new int[70];
                    for (int i = 0; i < prompt.length; i++) {
                        prompt[i] = (i * 37) % c.vocabSize();
                    }
                    model.forward(state, prompt);
                    assertEquals(formula.bytesAt(70), state.stateBytes(), kvCache + ": after 70 tokens");
                    model.forward(state, new int[] {5});
                    assertEquals(formula.bytesAt(71), state.stateBytes(), kvCache + ": after one decode step");
                }
            }
        }
    }

    @Test
    void hTinyAgainstItsAllAttentionTwin() {
        GraniteConfig tiny = ReleasedShapes.of("h-tiny");
        SessionMemory hybrid = SessionMemory.of(tiny);
        SessionMemory dense = SessionMemory.of(SessionMemory.allAttention(tiny));
        // 36 Mamba layers × (3 × 3328 conv + 48 × 64 × 128 SSM) floats; 4 attention layers × 2 × 512 floats/token.
        assertEquals(36L * 4 * (3 * 3328 + 48 * 64 * 128), hybrid.mambaBytes());
        assertEquals(4L * 2 * 512 * 4, hybrid.kvBytesPerPosition());
        assertEquals(40L * 2 * 512 * 4, dense.kvBytesPerPosition());
        assertEquals(0, dense.mambaBytes());
        double at128k = (double) hybrid.bytesAt(131072) / dense.bytesAt(131072);
        assertTrue(at128k > 0.10 && at128k < 0.11, "ratio at 128K " + at128k);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        SessionMemory.printComparison("h-tiny", tiny, new PrintStream(buf, true, StandardCharsets.UTF_8));
        String table = buf.toString(StandardCharsets.UTF_8);
        assertTrue(table.contains("| f32 | 128K | 2.05 GiB | 20.00 GiB | 0.103 |"), table);
        // 8-bit: 4 × 2 × 512 bytes of codes and 4 × 2 × 16 float scales a token
        assertEquals(4L * 2 * (512 + 16 * 4), SessionMemory.of(tiny, KvCacheFormat.Q8_0).kvBytesPerPosition());
    }
}
