package dev.granitej.sig;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.granitej.sig.ModelVerificationException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;

import static dev.granitej.sig.FixtureVerificationTest.FIXTURE_SIGNER;
import static dev.granitej.sig.FixtureVerificationTest.IBM_ISSUER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Mutated copies of the real fixtures fail, each with the reason naming the broken check. */
class FixtureTamperTest {

    /**
     * Every test here reads the third-party fixtures; skip the whole class (visibly) when ../shared is absent,
     * before any test can call them inside an assertThrows, which would turn the skip into a failure.
     */
    @org.junit.jupiter.api.BeforeAll
    static void requireFixtures() {
        SharedFixtures.root();
    }


    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path tmp;

    private Path sigstoreCopy() throws IOException {
        return SharedFixtures.copy(SharedFixtures.transparency("v1.1.0-sigstore"), tmp.resolve("v1.1.0-sigstore"));
    }

    private static VerificationOptions sigstore() throws ModelVerificationException {
        return FixtureVerificationTest.sigstoreOptions(FIXTURE_SIGNER, IBM_ISSUER);
    }

    private static void assertReason(Reason expected, Executable call) {
        ModelVerificationException e = assertThrows(ModelVerificationException.class, call);
        assertEquals(expected, e.reason(), e.getMessage());
    }

    /** Rewrites {@code model.sig} after {@code edit}; the bundle JSON itself is not signed, only its payload. */
    private static void editBundle(Path dir, Consumer<ObjectNode> edit) throws IOException {
        Path sig = dir.resolve("model.sig");
        ObjectNode bundle = (ObjectNode) MAPPER.readTree(sig.toFile());
        edit.accept(bundle);
        Files.write(sig, MAPPER.writeValueAsBytes(bundle));
    }

    private static ObjectNode entry(ObjectNode bundle) {
        return (ObjectNode) bundle.path("verificationMaterial").path("tlogEntries").get(0);
    }

    /** Flips one bit of the base64 value of {@code field} in {@code node}. */
    private static void flipBase64(ObjectNode node, String field, int index) {
        byte[] b = Base64.getDecoder().decode(node.get(field).textValue());
        b[index] ^= 1;
        node.put(field, Base64.getEncoder().encodeToString(b));
    }

    @Test
    void changedByteInSignedFile() throws Exception {
        Path dir = sigstoreCopy();
        byte[] b = Files.readAllBytes(dir.resolve("signme-2"));
        b[0] ^= 0x20;
        Files.write(dir.resolve("signme-2"), b);
        ModelVerificationException e = assertThrows(ModelVerificationException.class,
                () -> ModelSignature.verify(dir, sigstore()));
        assertEquals(Reason.FILE_DIGEST_MISMATCH, e.reason());
        assertEquals("signme-2", e.file());
    }

    @Test
    void deletedSignedFile() throws Exception {
        Path dir = sigstoreCopy();
        Files.delete(dir.resolve("signme-1"));
        assertReason(Reason.FILE_MISSING, () -> ModelSignature.verify(dir, sigstore()));
        assertReason(Reason.FILE_MISSING, () -> ModelSignature.verify(dir,
                sigstore().withMode(VerificationMode.IGNORE_UNSIGNED)));
    }

    @Test
    void addedUnsignedFileFailsStrictAndIsReportedOtherwise() throws Exception {
        Path dir = sigstoreCopy();
        Files.writeString(dir.resolve("extra.bin"), "not signed");
        ModelVerificationException e = assertThrows(ModelVerificationException.class,
                () -> ModelSignature.verify(dir, sigstore()));
        assertEquals(Reason.UNSIGNED_FILE, e.reason());
        assertEquals("extra.bin", e.file());
        VerificationResult r = ModelSignature.verify(dir, sigstore().withMode(VerificationMode.IGNORE_UNSIGNED));
        assertEquals(List.of("extra.bin"), r.unsignedFiles());
        // A caller-supplied ignore path also excludes it.
        ModelSignature.verify(dir, sigstore().withIgnorePaths(List.of("extra.bin")));
    }

    @Test
    void gitMetadataIsIgnored() throws Exception {
        Path dir = sigstoreCopy();
        Files.createDirectories(dir.resolve(".git/objects"));
        Files.writeString(dir.resolve(".git/HEAD"), "ref: refs/heads/main\n");
        Files.writeString(dir.resolve(".gitattributes"), "* -text\n");
        ModelSignature.verify(dir, sigstore());
    }

    @Test
    void flippedDsseSignature() throws Exception {
        Path dir = sigstoreCopy();
        editBundle(dir, b -> flipBase64((ObjectNode) b.path("dsseEnvelope").path("signatures").get(0), "sig", 20));
        assertReason(Reason.SIGNATURE_INVALID, () -> ModelSignature.verify(dir, sigstore()));
    }

    @Test
    void flippedDsseSignatureWithKeyMethod() throws Exception {
        Path dir = SharedFixtures.copy(SharedFixtures.transparency("v1.1.0-elliptic-key"), tmp.resolve("k"));
        editBundle(dir, b -> flipBase64((ObjectNode) b.path("dsseEnvelope").path("signatures").get(0), "sig", 20));
        assertReason(Reason.SIGNATURE_INVALID,
                () -> ModelSignature.verify(dir, FixtureVerificationTest.keyOptions()));
    }

    @Test
    void reEncodedPayload() throws Exception {
        Path dir = sigstoreCopy();
        editBundle(dir, b -> {
            ObjectNode env = (ObjectNode) b.get("dsseEnvelope");
            try {
                byte[] compact = MAPPER.writeValueAsBytes(MAPPER.readTree(
                        Base64.getDecoder().decode(env.get("payload").textValue())));
                env.put("payload", Base64.getEncoder().encodeToString(compact));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        assertReason(Reason.SIGNATURE_INVALID, () -> ModelSignature.verify(dir, sigstore()));
    }

    @Test
    void flippedSignedEntryTimestamp() throws Exception {
        Path dir = sigstoreCopy();
        editBundle(dir, b -> flipBase64((ObjectNode) entry(b).get("inclusionPromise"), "signedEntryTimestamp", 30));
        assertReason(Reason.SET_INVALID, () -> ModelSignature.verify(dir, sigstore()));
    }

    @Test
    void flippedInclusionProofHash() throws Exception {
        Path dir = sigstoreCopy();
        editBundle(dir, b -> {
            ArrayNode hashes = (ArrayNode) entry(b).path("inclusionProof").get("hashes");
            byte[] h = Base64.getDecoder().decode(hashes.get(3).textValue());
            h[7] ^= 1;
            hashes.set(3, Base64.getEncoder().encodeToString(h));
        });
        assertReason(Reason.INCLUSION_PROOF_INVALID, () -> ModelSignature.verify(dir, sigstore()));
    }

    @Test
    void flippedCheckpointSignature() throws Exception {
        Path dir = sigstoreCopy();
        editBundle(dir, b -> {
            ObjectNode cp = (ObjectNode) entry(b).path("inclusionProof").get("checkpoint");
            String note = cp.get("envelope").textValue();
            int sigStart = note.lastIndexOf(' ') + 1;
            byte[] blob = Base64.getDecoder().decode(note.substring(sigStart).trim());
            blob[12] ^= 1;
            cp.put("envelope", note.substring(0, sigStart) + Base64.getEncoder().encodeToString(blob) + "\n");
        });
        assertReason(Reason.CHECKPOINT_INVALID, () -> ModelSignature.verify(dir, sigstore()));
    }

    @Test
    void checkpointForAnotherTreeSize() throws Exception {
        Path dir = sigstoreCopy();
        editBundle(dir, b -> {
            ObjectNode cp = (ObjectNode) entry(b).path("inclusionProof").get("checkpoint");
            cp.put("envelope", cp.get("envelope").textValue().replace("\n476246825\n", "\n476246826\n"));
        });
        assertReason(Reason.CHECKPOINT_INVALID, () -> ModelSignature.verify(dir, sigstore()));
    }

    @Test
    void entryWithoutSignedEntryTimestampIsUnsupported() throws Exception {
        Path dir = sigstoreCopy();
        editBundle(dir, b -> entry(b).remove("inclusionPromise"));
        assertReason(Reason.UNSUPPORTED_TLOG_ENTRY, () -> ModelSignature.verify(dir, sigstore()));
    }

    @Test
    void unknownLogId() throws Exception {
        Path dir = sigstoreCopy();
        editBundle(dir, b -> flipBase64((ObjectNode) entry(b).get("logId"), "keyId", 0));
        assertReason(Reason.TLOG_KEY_UNKNOWN, () -> ModelSignature.verify(dir, sigstore()));
    }

    @Test
    void secondSignature() throws Exception {
        Path dir = sigstoreCopy();
        editBundle(dir, b -> {
            ArrayNode sigs = (ArrayNode) b.path("dsseEnvelope").get("signatures");
            sigs.add(sigs.get(0).deepCopy());
        });
        assertReason(Reason.SIGNATURE_COUNT, () -> ModelSignature.verify(dir, sigstore()));
    }

    @Test
    void duplicateJsonKeyInBundle() throws Exception {
        Path dir = sigstoreCopy();
        String json = Files.readString(dir.resolve("model.sig"));
        json = json.replaceFirst("\\{", "{\"mediaType\": \"application/vnd.dev.sigstore.bundle.v0.3+json\",");
        Files.writeString(dir.resolve("model.sig"), json);
        assertReason(Reason.DUPLICATE_JSON_KEY, () -> ModelSignature.verify(dir, sigstore()));
    }

    @Test
    void otherMediaType() throws Exception {
        Path dir = sigstoreCopy();
        editBundle(dir, b -> b.put("mediaType", "application/vnd.dev.sigstore.bundle+json;version=0.2"));
        assertReason(Reason.UNSUPPORTED_MEDIA_TYPE, () -> ModelSignature.verify(dir, sigstore()));
    }

    @Test
    void wrongPublicKey() throws Exception {
        Path pem = TestSigner.withNewKey("secp384r1").writePublicKey(tmp.resolve("other.pem"));
        VerificationOptions o = VerificationOptions.of(VerificationPolicy.publicKey(pem)).withCacheDirectory(null);
        // v1.1.0 names its key by hint; v1.0.1 has no hint, so the signature itself must fail.
        assertReason(Reason.KEY_HINT_MISMATCH,
                () -> ModelSignature.verify(SharedFixtures.transparency("v1.1.0-elliptic-key"), o));
        assertReason(Reason.SIGNATURE_INVALID, () -> ModelSignature.verify(
                SharedFixtures.transparency("v1.0.1-elliptic-key"), o.withIgnorePaths(List.of("ignore-me"))));
    }

    @Test
    void chainToAnotherRoot() throws Exception {
        // The Sigstore public-good root is a real CA, but not the one that issued the fixture chain.
        Path otherRoot = Files.writeString(tmp.resolve("other-root.pem"), sigstoreRootPem());
        VerificationOptions o = VerificationOptions.of(VerificationPolicy.certificateChain(List.of(otherRoot)))
                .withCacheDirectory(null);
        assertReason(Reason.CERTIFICATE_CHAIN_INVALID,
                () -> ModelSignature.verify(SharedFixtures.transparency("v1.1.0-certificate"), o));
    }

    @Test
    void expiredCertificateTime() throws Exception {
        VerificationPolicy.CertificateChainPolicy later = VerificationPolicy.certificateChain(
                List.of(SharedFixtures.key("ca-cert.pem"))).at(Instant.parse("2040-01-01T00:00:00Z"));
        assertReason(Reason.CERTIFICATE_EXPIRED, () -> ModelSignature.verify(
                SharedFixtures.transparency("v1.1.0-certificate"),
                VerificationOptions.of(later).withCacheDirectory(null)));
        VerificationPolicy.CertificateChainPolicy earlier = later.at(Instant.parse("2020-01-01T00:00:00Z"));
        assertReason(Reason.CERTIFICATE_EXPIRED, () -> ModelSignature.verify(
                SharedFixtures.transparency("v1.1.0-certificate"),
                VerificationOptions.of(earlier).withCacheDirectory(null)));
    }

    @Test
    void methodMustMatchPolicy() {
        assertReason(Reason.METHOD_MISMATCH, () -> ModelSignature.verify(
                SharedFixtures.transparency("v1.1.0-sigstore"), FixtureVerificationTest.keyOptions()));
        assertReason(Reason.METHOD_MISMATCH, () -> ModelSignature.verify(
                SharedFixtures.transparency("v1.1.0-elliptic-key"), sigstore()));
    }

    @Test
    void missingSignatureFile() throws Exception {
        Path dir = sigstoreCopy();
        Files.delete(dir.resolve("model.sig"));
        assertReason(Reason.SIGNATURE_FILE_MISSING, () -> ModelSignature.verify(dir, sigstore()));
    }

    @Test
    void trustedRootWithoutTheRekorKey() throws Exception {
        ObjectNode root = (ObjectNode) MAPPER.readTree(SharedFixtures.trustedRoot().toFile());
        ((ArrayNode) root.get("tlogs")).remove(0);
        Path file = Files.write(tmp.resolve("root.json"), MAPPER.writeValueAsBytes(root));
        VerificationOptions o = VerificationOptions.of(VerificationPolicy.sigstore(FIXTURE_SIGNER, IBM_ISSUER,
                TrustedRoot.load(file))).withCacheDirectory(null);
        assertReason(Reason.TLOG_KEY_UNKNOWN,
                () -> ModelSignature.verify(SharedFixtures.transparency("v1.1.0-sigstore"), o));
    }

    @Test
    void trustedRootWithoutTheCtLogRefusesTheSct() throws Exception {
        ObjectNode root = (ObjectNode) MAPPER.readTree(SharedFixtures.trustedRoot().toFile());
        root.putArray("ctlogs");
        Path file = Files.write(tmp.resolve("root.json"), MAPPER.writeValueAsBytes(root));
        VerificationOptions o = VerificationOptions.of(VerificationPolicy.sigstore(FIXTURE_SIGNER, IBM_ISSUER,
                TrustedRoot.load(file))).withCacheDirectory(null);
        assertReason(Reason.SCT_INVALID,
                () -> ModelSignature.verify(SharedFixtures.transparency("v1.1.0-sigstore"), o));
    }

    @Test
    void trustedRootWithoutFulcioRefusesTheChain() throws Exception {
        ObjectNode root = (ObjectNode) MAPPER.readTree(SharedFixtures.trustedRoot().toFile());
        root.putArray("certificateAuthorities");
        Path file = Files.write(tmp.resolve("root.json"), MAPPER.writeValueAsBytes(root));
        VerificationOptions o = VerificationOptions.of(VerificationPolicy.sigstore(FIXTURE_SIGNER, IBM_ISSUER,
                TrustedRoot.load(file))).withCacheDirectory(null);
        assertReason(Reason.CERTIFICATE_CHAIN_INVALID,
                () -> ModelSignature.verify(SharedFixtures.transparency("v1.1.0-sigstore"), o));
    }

    private static String sigstoreRootPem() throws IOException {
        ObjectNode root = (ObjectNode) MAPPER.readTree(SharedFixtures.trustedRoot().toFile());
        ArrayNode certs = (ArrayNode) root.path("certificateAuthorities").get(1).path("certChain")
                .get("certificates");
        String der = certs.get(certs.size() - 1).get("rawBytes").textValue();
        return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(Base64.getDecoder().decode(der)) + "\n-----END CERTIFICATE-----\n";
    }
}
