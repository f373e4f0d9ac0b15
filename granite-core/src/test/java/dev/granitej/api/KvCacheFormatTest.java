package dev.granitej.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.granitej.model.KvCacheFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A float16 and an 8-bit KV cache through the library API: a session's reservation counts 2 bytes per cached
 * value, or 1 and a float scale per 32 (9/32 of fp32's), its constant state is unchanged, and greedy generation
 * on the demo model gives the same text.
 */
class KvCacheFormatTest {

    @ParameterizedTest
    @CsvSource({"F16, 16", "Q8_0, 9"})
    void narrowCachesShrinkTheKvBytesAndKeepGreedyText(KvCacheFormat format, int thirtySecondsOfF32) {
        GenerationRequest request = GenerationRequest.builder(Prompt.text("def fibonacci(n):\n")).maxTokens(24)
                .sampling(SamplingParams.greedy()).build();
        String exact;
        ModelInfo f32;
        try (Granite g = Granite.load(GenerationTest.demoDir(), LoadOptions.defaults())) {
            f32 = g.info();
            exact = g.generate(request).text();
        }
        try (Granite g = Granite.load(GenerationTest.demoDir(), LoadOptions.defaults().withKvCache(format))) {
            ModelInfo narrow = g.info();
            assertEquals(f32.kvBytesPerToken() * thirtySecondsOfF32, 32 * narrow.kvBytesPerToken());
            assertEquals(f32.stateBytesPerSession(), narrow.stateBytesPerSession());
            assertEquals(exact, g.generate(request).text());
        }
    }
}
