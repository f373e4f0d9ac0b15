package dev.granitej.sig;

import dev.granitej.sig.ModelVerificationException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every fixture of {@code shared/fixtures/model-signing} gives the outcome its README states. */
class FixtureVerificationTest {

    /**
     * Every test here reads the third-party fixtures; skip the whole class (visibly) when ../shared is absent,
     * before any test can call them inside an assertThrows, which would turn the skip into a failure.
     */
    @org.junit.jupiter.api.BeforeAll
    static void requireFixtures() {
        SharedFixtures.root();
    }


    static final String IBM_ISSUER = "https://sigstore.verify.ibm.com/oauth2";
    static final String FIXTURE_SIGNER = "stefanb@us.ibm.com";

    static VerificationOptions keyOptions() throws IOException {
        return VerificationOptions.of(VerificationPolicy.publicKey(SharedFixtures.key("signing-key-pub.pem")))
                .withCacheDirectory(null);
    }

    static VerificationOptions chainOptions() throws IOException {
        return VerificationOptions.of(VerificationPolicy.certificateChain(List.of(SharedFixtures.key("ca-cert.pem"))))
                .withCacheDirectory(null);
    }

    static VerificationOptions sigstoreOptions(String identity, String issuer) throws ModelVerificationException {
        return VerificationOptions.of(VerificationPolicy.sigstore(identity, issuer,
                TrustedRoot.load(SharedFixtures.trustedRoot()))).withCacheDirectory(null);
    }

    static List<String> ignoreFor(String version) {
        return version.startsWith("v1.0.1") || version.startsWith("v1.1.0") ? List.of("ignore-me") : List.of();
    }

    @ParameterizedTest
    @ValueSource(strings = {"v0.3.1-elliptic-key", "v1.0.0-elliptic-key"})
    void singleFileKeyFixturesVerify(String name) throws Exception {
        Path dir = SharedFixtures.transparency(name);
        VerificationResult r = ModelSignature.verify(dir.resolve("signme-1"),
                keyOptions().withSignatureFile(dir.resolve("model.sig")));
        assertEquals(VerificationResult.Method.PUBLIC_KEY, r.method());
        assertEquals(1, r.files().size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1.0.1-elliptic-key", "v1.1.0-elliptic-key"})
    void directoryKeyFixturesVerify(String name) throws Exception {
        VerificationResult r = ModelSignature.verify(SharedFixtures.transparency(name),
                keyOptions().withIgnorePaths(List.of("ignore-me")));
        assertEquals(2, r.files().size());
        assertTrue(r.signer().contains("e8450dec4eb99dae995da9af1bc2cc9f76ed669ee2e744f57abba763df3e3f8e"));
    }

    @Test
    void v101KeyFixtureFailsWithoutIgnoringTheUnsignedFile() {
        var e = assertThrows(ModelVerificationException.class,
                () -> ModelSignature.verify(SharedFixtures.transparency("v1.0.1-elliptic-key"), keyOptions()));
        assertEquals(Reason.UNSIGNED_FILE, e.reason());
        assertEquals("ignore-me", e.file());
    }

    @Test
    void v110KeyFixtureVerifiesWithItsRecordedIgnorePaths() throws Exception {
        // v1.1.0 records ignore-me in the signed ignore_paths, so no caller-supplied ignore is needed.
        ModelSignature.verify(SharedFixtures.transparency("v1.1.0-elliptic-key"), keyOptions());
    }

    @ParameterizedTest
    @ValueSource(strings = {"v0.3.1-certificate", "v1.0.0-certificate", "v1.0.1-certificate", "v1.1.0-certificate"})
    void certificateFixturesVerify(String name) throws Exception {
        VerificationResult r = ModelSignature.verify(SharedFixtures.transparency(name),
                chainOptions().withIgnorePaths(ignoreFor(name)));
        assertEquals(VerificationResult.Method.CERTIFICATE_CHAIN, r.method());
        assertEquals("61d4849d9d90076d6215f4d525f13d6574af8e3f67aef3e6f36fc40a14fdd226", r.rootDigest());
    }

    @ParameterizedTest
    @ValueSource(strings = {"v0.3.1-sigstore", "v1.0.0-sigstore", "v1.0.1-sigstore", "v1.1.0-sigstore"})
    void sigstoreFixturesVerify(String name) throws Exception {
        VerificationResult r = ModelSignature.verify(SharedFixtures.transparency(name),
                sigstoreOptions(FIXTURE_SIGNER, IBM_ISSUER).withIgnorePaths(ignoreFor(name)));
        assertEquals(VerificationResult.Method.SIGSTORE, r.method());
        assertEquals(FIXTURE_SIGNER, r.signer());
        assertEquals(IBM_ISSUER, r.issuer().orElseThrow());
        assertTrue(r.logEntry().orElseThrow().integratedTime().isAfter(Instant.parse("2025-05-01T00:00:00Z")));
    }

    @Test
    void sigstoreFixtureLogEntryIsReported() throws Exception {
        VerificationResult r = ModelSignature.verify(SharedFixtures.transparency("v1.1.0-sigstore"),
                sigstoreOptions(FIXTURE_SIGNER, IBM_ISSUER));
        assertEquals(598151086L, r.logEntry().orElseThrow().logIndex());
        assertEquals(Instant.ofEpochSecond(1760062340L), r.logEntry().orElseThrow().integratedTime());
        assertEquals(1, r.notes().size(), "the RFC 3161 token is reported as not checked");
    }

    @Test
    void bundledTrustedRootVerifiesTheSigstoreFixture() throws Exception {
        VerificationOptions o = VerificationOptions.of(VerificationPolicy.sigstore(FIXTURE_SIGNER, IBM_ISSUER,
                TrustedRoot.publicGood())).withCacheDirectory(null);
        ModelSignature.verify(SharedFixtures.transparency("v1.1.0-sigstore"), o);
    }

    @ParameterizedTest
    @ValueSource(strings = {"v0.3.1-sigstore", "v1.0.0-sigstore", "v1.0.1-sigstore", "v1.1.0-sigstore"})
    void sigstoreFixturesRefuseAnotherIdentity(String name) {
        var e = assertThrows(ModelVerificationException.class, () -> ModelSignature.verify(
                SharedFixtures.transparency(name),
                sigstoreOptions("Granite-sign@ibm.com", IBM_ISSUER).withIgnorePaths(ignoreFor(name))));
        assertEquals(Reason.IDENTITY_MISMATCH, e.reason());
    }

    @ParameterizedTest
    @ValueSource(strings = {"v0.3.1-sigstore", "v1.1.0-sigstore"})
    void sigstoreFixturesRefuseAnotherIssuer(String name) {
        var e = assertThrows(ModelVerificationException.class, () -> ModelSignature.verify(
                SharedFixtures.transparency(name),
                sigstoreOptions(FIXTURE_SIGNER, "https://accounts.google.com").withIgnorePaths(ignoreFor(name))));
        assertEquals(Reason.ISSUER_MISMATCH, e.reason());
    }

    @Test
    void ibmDefaultPolicyRefusesTheFixtureSigner() {
        VerificationOptions o = VerificationOptions.of(VerificationPolicy.ibmDefault()).withCacheDirectory(null);
        var e = assertThrows(ModelVerificationException.class,
                () -> ModelSignature.verify(SharedFixtures.transparency("v1.1.0-sigstore"), o));
        assertEquals(Reason.IDENTITY_MISMATCH, e.reason());
    }

    @Test
    void legacyBundleIsRefusedClearly() {
        var e = assertThrows(ModelVerificationException.class,
                () -> ModelSignature.verify(SharedFixtures.transparency("v0.2.0-certificate"), chainOptions()));
        assertEquals(Reason.UNSUPPORTED_LEGACY_FORMAT, e.reason());
        assertTrue(e.getMessage().contains("unsupported legacy bundle format"));
    }
}
