package dev.granitej.sig;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The digest cache saves re-hashing only while every part of a file's key is unchanged. */
class DigestCacheTest {

    @TempDir
    Path tmp;

    @Test
    void entryIsUsedOnlyWithAnIdenticalKey() throws Exception {
        Path f = Files.writeString(tmp.resolve("a.bin"), "hello");
        FileKey key = FileKey.of(f);
        long later = key.latestChangeMillis() + 10_000;
        DigestCache c = DigestCache.open(tmp.resolve("cache"), "b1", tmp, 1_000);
        c.store(Map.of("a.bin", new DigestCache.Entry(key, "ab")), later);
        DigestCache again = DigestCache.open(tmp.resolve("cache"), "b1", tmp, 1_000);
        assertEquals("ab", again.lookup("a.bin", key));
        assertNull(again.lookup("a.bin", new FileKey(key.size() + 1, key.mtimeNanos(), key.ctimeNanos(),
                key.fileKey())));
        assertNull(again.lookup("a.bin", new FileKey(key.size(), key.mtimeNanos() + 1, key.ctimeNanos(),
                key.fileKey())));
        assertNull(again.lookup("a.bin", new FileKey(key.size(), key.mtimeNanos(), key.ctimeNanos(), "other")));
        assertNull(DigestCache.open(tmp.resolve("cache"), "b2", tmp, 1_000).lookup("a.bin", key),
                "another bundle never sees the entry");
    }

    @Test
    void fileChangedTooCloseToHashingIsNotTrusted() throws Exception {
        Path f = Files.writeString(tmp.resolve("a.bin"), "hello");
        FileKey key = FileKey.of(f);
        DigestCache c = DigestCache.open(tmp.resolve("cache"), "b1", tmp, 2_000);
        c.store(Map.of("a.bin", new DigestCache.Entry(key, "ab")), key.latestChangeMillis() + 500);
        assertNull(DigestCache.open(tmp.resolve("cache"), "b1", tmp, 2_000).lookup("a.bin", key));
    }

    @Test
    void secondVerificationReusesDigestsAndAnEditIsStillCaught() throws Exception {
        Path model = TestSigner.writeSampleCheckpoint(tmp.resolve("m"));
        TestSigner signer = TestSigner.withNewKey();
        signer.sign(model);
        // Back-date the files so the race margin does not apply (ctime still moves forward on any later write).
        for (String n : new String[] {"config.json", "model.safetensors"}) {
            Files.setLastModifiedTime(model.resolve(n), FileTime.from(Instant.now().minusSeconds(3600)));
        }
        Thread.sleep(DigestCache.DEFAULT_RACE_MARGIN_MILLIS + 200);
        VerificationOptions o = signer.options().withCacheDirectory(tmp.resolve("cache"));
        VerificationResult first = ModelSignature.verify(model, o);
        assertTrue(first.files().stream().noneMatch(VerificationResult.VerifiedFile::fromCache));
        VerificationResult second = ModelSignature.verify(model, o);
        assertTrue(second.files().stream().allMatch(VerificationResult.VerifiedFile::fromCache));

        Path w = model.resolve("model.safetensors");
        byte[] b = Files.readAllBytes(w);
        b[b.length - 2] ^= 1;
        Files.write(w, b);
        ModelVerificationException e = assertThrows(ModelVerificationException.class,
                () -> ModelSignature.verify(model, o));
        assertEquals(ModelVerificationException.Reason.FILE_DIGEST_MISMATCH, e.reason());
    }
}
