package dev.granitej.sig;

import dev.granitej.sig.ModelVerificationException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A checkpoint signed by the tests' own signer verifies, and refuses once a byte of a weight changes. */
class TestSignerTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"secp256r1", "secp384r1", "secp521r1"})
    void signedCheckpointVerifiesOnEveryCurve(String curve) throws Exception {
        Path model = TestSigner.writeSampleCheckpoint(tmp.resolve("granite-test"));
        TestSigner signer = TestSigner.withNewKey(curve);
        signer.sign(model);
        VerificationResult r = ModelSignature.verify(model, signer.options());
        assertEquals(2, r.files().size());
        assertEquals(List.of("config.json", "model.safetensors"),
                r.files().stream().map(VerificationResult.VerifiedFile::path).toList());
    }

    @Test
    void oneChangedWeightByteIsRefused() throws Exception {
        Path model = TestSigner.writeSampleCheckpoint(tmp.resolve("m"));
        TestSigner signer = TestSigner.withNewKey();
        signer.sign(model);
        ModelSignature.verify(model, signer.options());
        Path weights = model.resolve("model.safetensors");
        byte[] b = Files.readAllBytes(weights);
        b[b.length - 1] ^= 1;
        Files.write(weights, b);
        var e = assertThrows(ModelVerificationException.class, () -> ModelSignature.verify(model, signer.options()));
        assertEquals(Reason.FILE_DIGEST_MISMATCH, e.reason());
        assertEquals("model.safetensors", e.file());
    }

    @Test
    void publicKeyPemFileWorksLikeTheKeyObject() throws Exception {
        Path model = TestSigner.writeSampleCheckpoint(tmp.resolve("m"));
        TestSigner signer = TestSigner.withNewKey();
        signer.sign(model);
        Path pem = signer.writePublicKey(tmp.resolve("pub.pem"));
        ModelSignature.verify(model, VerificationOptions.of(VerificationPolicy.publicKey(pem))
                .withCacheDirectory(null));
    }

    @Test
    void resourceNameWithDotDotIsRefused() throws Exception {
        Path model = TestSigner.writeSampleCheckpoint(tmp.resolve("m"));
        TestSigner signer = TestSigner.withNewKey();
        Map<String, String> digests = new LinkedHashMap<>(TestSigner.digestsOf(model,
                List.of("config.json", "model.safetensors")));
        digests.put("../outside.bin", TestSigner.sha256Hex(new byte[0]));
        Files.write(model.resolve("model.sig"),
                signer.bundle(signer.statement("m", digests, "sha256", TestSigner.IGNORE_PATHS)));
        var e = assertThrows(ModelVerificationException.class, () -> ModelSignature.verify(model, signer.options()));
        assertEquals(Reason.RESOURCE_NAME_INVALID, e.reason());
    }

    @Test
    void signedIgnorePathThatIgnoresEverythingIsRefused() throws Exception {
        Path model = TestSigner.writeSampleCheckpoint(tmp.resolve("m"));
        TestSigner signer = TestSigner.withNewKey();
        Map<String, String> digests = TestSigner.digestsOf(model, List.of("config.json"));
        Files.write(model.resolve("model.sig"),
                signer.bundle(signer.statement("m", digests, "sha256", List.of("."))));
        var e = assertThrows(ModelVerificationException.class, () -> ModelSignature.verify(model, signer.options()));
        assertEquals(Reason.STATEMENT_INVALID, e.reason());
    }

    @Test
    void blake2bIsRefusedAsUnsupported() throws Exception {
        Path model = TestSigner.writeSampleCheckpoint(tmp.resolve("m"));
        TestSigner signer = TestSigner.withNewKey();
        Map<String, String> digests = TestSigner.digestsOf(model, List.of("config.json", "model.safetensors"));
        Files.write(model.resolve("model.sig"),
                signer.bundle(signer.statement("m", digests, "blake2b", TestSigner.IGNORE_PATHS)));
        var e = assertThrows(ModelVerificationException.class, () -> ModelSignature.verify(model, signer.options()));
        assertEquals(Reason.UNSUPPORTED_HASH_ALGORITHM, e.reason());
    }

    @Test
    void duplicateKeyInsideTheSignedPayloadIsRefused() throws Exception {
        Path model = TestSigner.writeSampleCheckpoint(tmp.resolve("m"));
        TestSigner signer = TestSigner.withNewKey();
        String st = new String(signer.statement("m", TestSigner.digestsOf(model,
                List.of("config.json", "model.safetensors")), "sha256", TestSigner.IGNORE_PATHS),
                StandardCharsets.UTF_8);
        st = st.replaceFirst("\\{", "{\"predicateType\": \"https://example.com/other\",");
        Files.write(model.resolve("model.sig"), signer.bundle(st.getBytes(StandardCharsets.UTF_8)));
        var e = assertThrows(ModelVerificationException.class, () -> ModelSignature.verify(model, signer.options()));
        assertEquals(Reason.DUPLICATE_JSON_KEY, e.reason());
    }

    @Test
    void signedStatementWithForeignPredicateIsRefused() throws Exception {
        Path model = TestSigner.writeSampleCheckpoint(tmp.resolve("m"));
        TestSigner signer = TestSigner.withNewKey();
        String st = new String(signer.statement("m", TestSigner.digestsOf(model,
                List.of("config.json", "model.safetensors")), "sha256", TestSigner.IGNORE_PATHS),
                StandardCharsets.UTF_8).replace("https://model_signing/signature/v1.0",
                "https://example.com/wrong-predicate/v1.0");
        Files.write(model.resolve("model.sig"), signer.bundle(st.getBytes(StandardCharsets.UTF_8)));
        var e = assertThrows(ModelVerificationException.class, () -> ModelSignature.verify(model, signer.options()));
        assertEquals(Reason.STATEMENT_INVALID, e.reason());
    }

    @Test
    void rootDigestMismatchIsRefused() throws Exception {
        Path model = TestSigner.writeSampleCheckpoint(tmp.resolve("m"));
        TestSigner signer = TestSigner.withNewKey();
        String st = new String(signer.statement("m", TestSigner.digestsOf(model,
                List.of("config.json", "model.safetensors")), "sha256", TestSigner.IGNORE_PATHS),
                StandardCharsets.UTF_8);
        st = st.replaceFirst("\"sha256\" : \"[0-9a-f]{64}\"", "\"sha256\" : \"" + "0".repeat(64) + "\"");
        Files.write(model.resolve("model.sig"), signer.bundle(st.getBytes(StandardCharsets.UTF_8)));
        var e = assertThrows(ModelVerificationException.class, () -> ModelSignature.verify(model, signer.options()));
        assertEquals(Reason.ROOT_DIGEST_MISMATCH, e.reason());
    }

    @Test
    void loadedFilesModeChecksWeightsAndReportsTheRest() throws Exception {
        Path model = TestSigner.writeSampleCheckpoint(tmp.resolve("m"));
        Files.writeString(model.resolve("README.md"), "model card\n");
        TestSigner signer = TestSigner.withNewKey();
        signer.sign(model);
        Files.delete(model.resolve("README.md"));
        Files.writeString(model.resolve("notes.txt"), "local notes\n");
        VerificationOptions o = signer.options().withMode(VerificationMode.LOADED_FILES_NONCONFORMANT);
        VerificationResult r = ModelSignature.verify(model, o);
        assertEquals(List.of("README.md"), r.missingFiles());
        assertEquals(List.of("notes.txt"), r.unsignedFiles());
        assertTrue(!r.specConformant() && r.summary().contains("NON-CONFORMANT"));
        // A weight file is never optional, even in this mode.
        Files.delete(model.resolve("model.safetensors"));
        var e = assertThrows(ModelVerificationException.class, () -> ModelSignature.verify(model, o));
        assertEquals(Reason.FILE_MISSING, e.reason());
        assertEquals("model.safetensors", e.file());
        // And strict mode refuses the drift.
        var strict = assertThrows(ModelVerificationException.class,
                () -> ModelSignature.verify(model, signer.options()));
        assertEquals(Reason.UNSIGNED_FILE, strict.reason());
    }

    @Test
    void loadedFilesModeRefusesAnUnsignedWeight() throws Exception {
        Path model = TestSigner.writeSampleCheckpoint(tmp.resolve("m"));
        TestSigner signer = TestSigner.withNewKey();
        signer.sign(model);
        Files.write(model.resolve("extra.safetensors"), new byte[16]);
        var e = assertThrows(ModelVerificationException.class, () -> ModelSignature.verify(model,
                signer.options().withMode(VerificationMode.LOADED_FILES_NONCONFORMANT)));
        assertEquals(Reason.UNSIGNED_FILE, e.reason());
        assertEquals("extra.safetensors", e.file());
    }

    @Test
    void symlinkIsRefusedUnlessAllowed() throws Exception {
        Path model = TestSigner.writeSampleCheckpoint(tmp.resolve("m"));
        Path outside = Files.write(tmp.resolve("weights.bin"), new byte[] {1, 2, 3});
        TestSigner signer = TestSigner.withNewKey();
        Files.createSymbolicLink(model.resolve("linked.bin"), outside);
        signer.sign(model); // the test signer follows the link, as model_signing does with allow_symlinks
        var e = assertThrows(ModelVerificationException.class, () -> ModelSignature.verify(model, signer.options()));
        assertEquals(Reason.SYMLINK_NOT_ALLOWED, e.reason());
        assertEquals("linked.bin", e.file());
        ModelSignature.verify(model, signer.options().withAllowSymlinks(true));
    }

    @Test
    void callerIgnorePathWithDotDotIsRefused() throws Exception {
        Path model = TestSigner.writeSampleCheckpoint(tmp.resolve("m"));
        TestSigner signer = TestSigner.withNewKey();
        signer.sign(model);
        var e = assertThrows(ModelVerificationException.class, () -> ModelSignature.verify(model,
                signer.options().withIgnorePaths(List.of("../m"))));
        assertEquals(Reason.RESOURCE_NAME_INVALID, e.reason());
    }
}
