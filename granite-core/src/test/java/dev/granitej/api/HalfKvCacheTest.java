package dev.granitej.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.granitej.model.KvCacheFormat;
import org.junit.jupiter.api.Test;

/**
 * A float16 KV cache through the library API: a session's reservation counts 2 bytes per cached value, its state
 * grows by half as much per token, and greedy generation on the demo model is unchanged.
 */
class HalfKvCacheTest {

    @Test
    void halfCacheHalvesTheKvBytesAndKeepsGreedyText() {
        GenerationRequest request = GenerationRequest.builder(Prompt.text("def fibonacci(n):\n")).maxTokens(24)
                .sampling(SamplingParams.greedy()).build();
        String exact;
        ModelInfo f32;
        try (Granite g = Granite.load(GenerationTest.demoDir(), LoadOptions.defaults())) {
            f32 = g.info();
            exact = g.generate(request).text();
        }
        try (Granite g = Granite.load(GenerationTest.demoDir(), LoadOptions.defaults().withKvCache(KvCacheFormat.F16))) {
            ModelInfo f16 = g.info();
            assertEquals(f32.kvBytesPerToken(), 2 * f16.kvBytesPerToken());
            assertEquals(f32.stateBytesPerSession(), f16.stateBytesPerSession());
            assertTrue(f16.kvBytesPerToken() > 0);
            assertEquals(exact, g.generate(request).text());
        }
    }
}
