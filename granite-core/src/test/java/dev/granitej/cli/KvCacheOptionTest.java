package dev.granitej.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.granitej.model.KvCacheFormat;
import org.junit.jupiter.api.Test;

/** {@code --kv-cache f32|f16|q8_0} of {@code generate} and {@code chat}. */
class KvCacheOptionTest {

    private static KvCacheFormat parse(String... argv) {
        return new Args("generate", argv, 0, Args.LOAD_VALUED, Args.LOAD_FLAGS).loadOptions().model().kvCache();
    }

    @Test
    void flagChoosesTheCacheFormat() {
        assertEquals(KvCacheFormat.F32, parse());
        assertEquals(KvCacheFormat.F32, parse("--kv-cache", "f32"));
        assertEquals(KvCacheFormat.F16, parse("--kv-cache", "F16"));
        assertEquals(KvCacheFormat.Q8_0, parse("--kv-cache", "q8_0"));
        UsageException e = assertThrows(UsageException.class, () -> parse("--kv-cache", "q4_0"));
        assertTrue(e.getMessage().contains("--kv-cache must be f32, f16 or q8_0, was 'q4_0'"), e.getMessage());
    }

    @Test
    void oneParserServesEveryCommandLine() {
        assertEquals("f32, f16 or q8_0", KvCacheFormat.choices());
        for (KvCacheFormat f : KvCacheFormat.values()) {
            assertEquals(f, KvCacheFormat.parse(f.label()));
            assertEquals(f, KvCacheFormat.parse(f.label().toUpperCase(java.util.Locale.ROOT)));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KvCacheFormat.parse("bf16"));
        assertEquals("unknown KV cache type 'bf16' (f32, f16 or q8_0)", e.getMessage());
    }
}
