package dev.granitej.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.granitej.config.GraniteConfig;
import dev.granitej.config.LayerType;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReleasedShapesTest {

    /** Parameter counts of spec §2 ("sanity check"), i.e. the published model sizes. */
    @ParameterizedTest
    @CsvSource({"h-small, 32.2e9", "h-tiny, 6.9e9", "h-micro, 3.19e9", "h-1b, 1.46e9", "h-350m, 0.34e9",
            "micro, 3.4e9"})
    void configParsesBackAndHasThePublishedParameterCount(String name, double published) {
        GraniteConfig shape = ReleasedShapes.of(name);
        GraniteConfig parsed = GraniteConfig.parse(ConfigJson.write(shape));
        assertEquals(shape, parsed, "config.json round trip of " + name);
        long params = TensorPlan.of(parsed).parameterCount();
        assertEquals(published, params, published * 0.02, name + " parameters: " + params);
    }

    @Test
    void shapesMatchTheSpecTable() {
        // spec §2 "Concrete shapes": in_proj, conv1d and expert tensors of h-tiny; attention of micro.
        Map<String, long[]> tiny = shapes(ReleasedShapes.of("granite-4.0-h-tiny"));
        assertArrayEquals(new long[] {6448, 1536}, tiny.get("model.layers.0.mamba.in_proj.weight"));
        assertArrayEquals(new long[] {3328, 1, 4}, tiny.get("model.layers.0.mamba.conv1d.weight"));
        assertArrayEquals(new long[] {64, 1024, 1536}, tiny.get("model.layers.0.block_sparse_moe.input_linear.weight"));
        assertArrayEquals(new long[] {64, 1536, 512}, tiny.get("model.layers.5.block_sparse_moe.output_linear.weight"));
        assertArrayEquals(new long[] {512, 1536}, tiny.get("model.layers.5.self_attn.k_proj.weight"));
        Map<String, long[]> small = shapes(ReleasedShapes.of("h-small"));
        assertArrayEquals(new long[] {16768, 4096}, small.get("model.layers.0.mamba.in_proj.weight"));
        assertArrayEquals(new long[] {72, 1536, 4096}, small.get("model.layers.0.block_sparse_moe.input_linear.weight"));
        Map<String, long[]> micro = shapes(ReleasedShapes.of("micro"));
        assertArrayEquals(new long[] {512, 2560}, micro.get("model.layers.39.self_attn.v_proj.weight"));
        assertArrayEquals(new long[] {16384, 2560}, micro.get("model.layers.0.shared_mlp.input_linear.weight"));
        assertTrue(micro.keySet().stream().noneMatch(n -> n.contains("mamba")));
        assertTrue(tiny.keySet().stream().noneMatch(n -> n.startsWith("lm_head")), "embeddings are tied");
    }

    @Test
    void layerPlansAndPositionEncodingAreTheReleasedOnes() {
        GraniteConfig h350 = ReleasedShapes.of("h-350m");
        assertEquals(32, h350.numLayers());
        for (int i : new int[] {10, 13, 17, 27}) {
            assertEquals(LayerType.ATTENTION, h350.layerTypes().get(i));
        }
        assertEquals(4, h350.count(LayerType.ATTENTION));
        GraniteConfig micro = GraniteConfig.parse(ConfigJson.write(ReleasedShapes.of("micro")));
        assertTrue(micro.rope());
        assertEquals(1e7, micro.ropeTheta());
        assertEquals(40, micro.count(LayerType.ATTENTION));
        String json = ConfigJson.write(ReleasedShapes.of("h-1b"));
        assertTrue(json.contains("\"layer_types\"") && json.contains("\"mamba\"") && json.contains("\"attention\""));
        assertTrue(json.contains("\"torch_dtype\": \"bfloat16\"") && json.contains("\"rope_theta\": 10000.0"));
        assertTrue(json.contains("\"residual_multiplier\": 0.22"), json);
    }

    @Test
    void truncationKeepsBothMixers() {
        GraniteConfig two = ReleasedShapes.truncated(ReleasedShapes.of("h-1b"), 2);
        assertEquals(2, two.numLayers());
        assertEquals(LayerType.ATTENTION, two.layerTypes().get(1));
        assertThrows(IllegalArgumentException.class, () -> ReleasedShapes.truncated(two, 3));
    }

    @Test
    void unknownNameIsNamed() {
        var e = assertThrows(IllegalArgumentException.class, () -> ReleasedShapes.of("h-huge"));
        assertTrue(e.getMessage().contains("h-huge") && e.getMessage().contains("granite-4.0-h-tiny"));
    }

    private static Map<String, long[]> shapes(GraniteConfig c) {
        Map<String, long[]> m = new java.util.HashMap<>();
        TensorPlan.of(c).tensors().forEach(e -> m.put(e.name(), e.shape()));
        return m;
    }
}
