package dev.granitej.sig;

import dev.granitej.sig.ModelVerificationException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The OpenSSF model-signing spec's v1.0 test vectors: valid ones verify, invalid ones are refused. */
class SpecVectorTest {

    @Test
    void validKeyBundleVerifiesTheElipticKeyFiles() throws Exception {
        ModelSignature.verify(SharedFixtures.transparency("v1.1.0-elliptic-key"), FixtureVerificationTest.keyOptions()
                .withSignatureFile(SharedFixtures.specVector("valid/key.bundle.json")));
    }

    @Test
    void validCertificateBundleVerifiesAgainstTheTestRoot() throws Exception {
        ModelSignature.verify(SharedFixtures.transparency("v1.1.0-elliptic-key"),
                FixtureVerificationTest.chainOptions()
                        .withSignatureFile(SharedFixtures.specVector("valid/certificate.bundle.json")));
    }

    @Test
    void validSigstoreBundleVerifies() throws Exception {
        VerificationResult r = ModelSignature.verify(SharedFixtures.transparency("v1.1.0-sigstore"),
                FixtureVerificationTest.sigstoreOptions(FixtureVerificationTest.FIXTURE_SIGNER,
                        FixtureVerificationTest.IBM_ISSUER)
                        .withSignatureFile(SharedFixtures.specVector("valid/sigstore.bundle.json")));
        assertEquals(598151086L, r.logEntry().orElseThrow().logIndex());
    }

    @ParameterizedTest
    @CsvSource({
            "invalid/empty.bundle.json, key, BUNDLE_MALFORMED",
            "invalid/missing-envelope.bundle.json, key, BUNDLE_MALFORMED",
            "invalid/missing-verification-material.bundle.json, key, BUNDLE_MALFORMED",
            "invalid/missing-tlog-entries.bundle.json, sigstore, TLOG_ENTRY_MISSING",
            // The vector's payload was edited without re-signing: the signature check, which runs first, refuses it.
            // TestSignerTest covers a correctly signed statement with a foreign predicate type.
            "invalid-payload/wrong-predicate.bundle.json, key, SIGNATURE_INVALID",
    })
    void invalidVectorsAreRefused(String vector, String method, Reason expected) throws Exception {
        Path model = SharedFixtures.transparency("v1.1.0-" + (method.equals("key") ? "elliptic-key" : "sigstore"));
        VerificationOptions o = method.equals("key") ? FixtureVerificationTest.keyOptions()
                : FixtureVerificationTest.sigstoreOptions(FixtureVerificationTest.FIXTURE_SIGNER,
                FixtureVerificationTest.IBM_ISSUER);
        ModelVerificationException e = assertThrows(ModelVerificationException.class,
                () -> ModelSignature.verify(model, o.withSignatureFile(SharedFixtures.specVector(vector))));
        assertEquals(expected, e.reason(), e.getMessage());
    }
}
