package dev.granitej.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Both config spellings, derived dimensions, and clear failures on inconsistent configs. */
class GraniteConfigTest {

    static String golden(String name) throws IOException {
        return Files.readString(Path.of("src/test/resources/golden", name, "config.json"));
    }

    @Test
    void readsTransformers5Spelling() throws IOException {
        GraniteConfig c = GraniteConfig.parse(golden("tiny-moe-nope"));
        assertEquals(10, c.numLayers());
        assertEquals(LayerType.ATTENTION, c.layerTypes().get(4));
        assertEquals(LayerType.MAMBA, c.layerTypes().get(0));
        assertEquals(Float.POSITIVE_INFINITY, c.timeStepMax());
        assertEquals(10000.0, c.ropeTheta());
        assertFalse(c.rope());
        assertTrue(c.isMoe());
        assertEquals(128, c.mambaInner());
        assertEquals(128 + 2 * 2 * 16, c.mambaConvDim());
    }

    @Test
    void readsReleasedSpelling() throws IOException {
        GraniteConfig c = GraniteConfig.parse(golden("micro-dense-bf16-sharded"));
        assertEquals(LayerType.ATTENTION, c.layerTypes().get(5));
        assertFalse(c.isMoe());
        assertFalse(c.tieWordEmbeddings());
    }

    @Test
    void readsRope() throws IOException {
        GraniteConfig c = GraniteConfig.parse(golden("dense-attention-rope"));
        assertTrue(c.rope());
    }

    @Test
    void acceptsBareInfinity() throws IOException {
        String json = golden("tiny-moe-nope").replaceAll("\\{\\s*\"__float__\":\\s*\"Infinity\"\\s*}", "Infinity");
        assertEquals(Float.POSITIVE_INFINITY, GraniteConfig.parse(json).timeStepMax());
    }

    @Test
    void honoursFiniteTimeStepLimit() throws IOException {
        String json = golden("tiny-moe-nope").replaceAll("\\[\\s*0\\.0,\\s*\\{\\s*\"__float__\":\\s*\"Infinity\"\\s*}\\s*]",
                "[0.01, 0.5]");
        GraniteConfig c = GraniteConfig.parse(json);
        assertEquals(0.01f, c.timeStepMin());
        assertEquals(0.5f, c.timeStepMax());
    }

    private static String rejects(String json) {
        return assertThrows(ConfigException.class, () -> GraniteConfig.parse(json)).getMessage();
    }

    @Test
    void rejectsInconsistentConfigs() throws IOException {
        String base = golden("tiny-moe-nope");
        assertTrue(rejects(base.replace("\"mamba_d_head\": 16", "\"mamba_d_head\": 12"))
                .contains("must equal mamba_expand"));
        assertTrue(rejects(base.replace("\"num_key_value_heads\": 2", "\"num_key_value_heads\": 3"))
                .contains("must divide num_attention_heads"));
        assertTrue(rejects(base.replace("\"mamba_n_groups\": 2", "\"mamba_n_groups\": 3"))
                .contains("mamba_n_groups"));
        assertTrue(rejects(base.replace("\"linear_attention\",", "\"conv\",")).contains("layer_types[0]"));
        assertTrue(rejects(base.replace("\"num_hidden_layers\": 10", "\"num_hidden_layers\": 9"))
                .contains("num_hidden_layers"));
        assertTrue(rejects(base.replace("\"hidden_size\": 64,", "")).contains("hidden_size"));
        assertTrue(rejects(base.replace("\"vocab_size\": 384", "\"vocab_size\": \"many\"")).contains("vocab_size"));
        assertTrue(rejects(base.replace("\"num_experts_per_tok\": 2", "\"num_experts_per_tok\": 9"))
                .contains("num_experts_per_tok"));
        assertTrue(rejects("{ not json").contains("not well-formed JSON"));
        assertTrue(rejects(base.replace("\"granitemoehybrid\"", "\"llama\"")).contains("model_type"));
    }
}
