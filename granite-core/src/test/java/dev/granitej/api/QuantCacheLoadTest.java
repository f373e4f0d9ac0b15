package dev.granitej.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.granitej.kernels.WeightFormat;
import dev.granitej.model.QuantCache;
import dev.granitej.sig.TestSigner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quantized-weight cache through the public API: {@link LoadOptions#withQuantCache} reaches the model, and a
 * load that verifies {@code model.sig} neither reads nor writes the cache (which the signature does not cover),
 * while the cache next to a signed checkpoint does not disturb its verification.
 */
class QuantCacheLoadTest {

    @TempDir
    Path tmp;

    private static QuantCache.Outcome outcome(Path dir, LoadOptions options, int[] tokensOut) {
        try (Granite g = Granite.load(dir, options)) {
            int[] ids = g.generate(GenerationRequest.ofText("import os\n", 6)).tokenIds();
            System.arraycopy(ids, 0, tokensOut, 0, ids.length);
            return g.model().quantCacheOutcome();
        }
    }

    @Test
    void aVerifiedLoadNeitherReadsNorWritesTheCache() throws IOException {
        TestSigner signer = TestSigner.withNewKey();
        Path dir = SignedLoadTest.signedDemo(tmp, signer);
        LoadOptions cached = LoadOptions.defaults().withThreads(1).withWeightFormat(WeightFormat.Q8_0)
                .withQuantCache(QuantCache.nextToCheckpoint());
        LoadOptions verified = cached.withVerification(Verification.required(signer.options()));
        assertEquals(QuantCache.nextToCheckpoint(), verified.quantCache());
        Path file = QuantCache.nextToCheckpoint().fileFor(dir, WeightFormat.Q8_0);

        int[] fresh = new int[6];
        assertEquals(QuantCache.Outcome.NOT_USED, outcome(dir, verified, fresh));
        assertFalse(Files.exists(file.getParent()), "a verified load writes no cache");

        int[] unverified = new int[6];
        assertEquals(QuantCache.Outcome.WRITTEN, outcome(dir, cached.withVerification(Verification.none()),
                unverified));
        assertEquals(QuantCache.Outcome.LOADED, outcome(dir, cached.withVerification(Verification.none()),
                unverified));
        assertArrayEquals(fresh, unverified);

        // A cache file that would be used if read: a verified load must quantize the verified weights instead, and
        // the cache directory beside the checkpoint does not make strict verification fail.
        byte[] before = Files.readAllBytes(file);
        int[] again = new int[6];
        assertEquals(QuantCache.Outcome.NOT_USED, outcome(dir, verified, again));
        assertArrayEquals(fresh, again);
        assertArrayEquals(before, Files.readAllBytes(file), "the verified load leaves the cache alone");
        Files.write(file, new byte[] {1, 2, 3});
        assertEquals(QuantCache.Outcome.NOT_USED, outcome(dir, verified, again));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(file));
        assertTrue(Files.isDirectory(tmp.resolve("granite-4.0-h-demo.granitej-cache")));
    }
}
