package dev.granitej.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.granitej.sig.ModelVerificationException;
import dev.granitej.sig.TestSigner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A checkpoint signed by the test loads with verification on, and refuses to load once a weight byte changes. */
class SignedLoadTest {

    @TempDir
    Path tmp;

    private Path signedDemo(TestSigner signer) throws IOException {
        return signedDemo(tmp, signer);
    }

    /** A copy of the demo checkpoint in {@code tmp}, signed by {@code signer}. */
    static Path signedDemo(Path tmp, TestSigner signer) throws IOException {
        Path src = GenerationTest.demoDir();
        Path dst = tmp.resolve("granite-4.0-h-demo");
        Files.createDirectories(dst);
        try (Stream<Path> files = Files.list(src)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, dst.resolve(f.getFileName()));
            }
        }
        signer.sign(dst);
        return dst;
    }

    @Test
    void verifiedCheckpointLoadsAndTamperedOneDoesNot() throws IOException {
        TestSigner signer = TestSigner.withNewKey();
        Path dir = signedDemo(signer);
        LoadOptions options = LoadOptions.defaults().withVerification(Verification.required(signer.options()));
        try (Granite g = Granite.load(dir, options)) {
            assertTrue(g.verification().isPresent());
            assertEquals(4, g.generate(GenerationRequest.ofText("import os\n", 4)).tokenIds().length);
        }
        Path weights = dir.resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(weights);
        bytes[bytes.length - 7] ^= 1;
        Files.write(weights, bytes);
        VerificationFailedException e = assertThrows(VerificationFailedException.class,
                () -> Granite.load(dir, options));
        assertEquals(ModelVerificationException.Reason.FILE_DIGEST_MISMATCH, e.getCause().reason());
        assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
    }

    @Test
    void aMissingSignatureFailsWhenVerificationIsRequired() throws IOException {
        TestSigner signer = TestSigner.withNewKey();
        Path dir = signedDemo(signer);
        Files.delete(dir.resolve("model.sig"));
        LoadOptions options = LoadOptions.defaults().withVerification(Verification.required(signer.options()));
        VerificationFailedException e = assertThrows(VerificationFailedException.class,
                () -> Granite.load(dir, options));
        assertEquals(ModelVerificationException.Reason.SIGNATURE_FILE_MISSING, e.getCause().reason());
    }

    @Test
    void anotherSignersKeyIsRefused() throws IOException {
        Path dir = signedDemo(TestSigner.withNewKey());
        LoadOptions options = LoadOptions.defaults()
                .withVerification(Verification.required(TestSigner.withNewKey().options()));
        assertThrows(VerificationFailedException.class, () -> Granite.load(dir, options));
    }
}
