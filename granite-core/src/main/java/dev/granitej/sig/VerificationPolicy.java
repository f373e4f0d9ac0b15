package dev.granitej.sig;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Whom to trust for a model signature: one of the three model-signing methods, with trust material that comes from
 * the engine's configuration, never from the bundle.
 */
public sealed interface VerificationPolicy {

    /** The OIDC issuer IBM uses for keyless signing of Granite checkpoints. */
    String IBM_ISSUER = "https://sigstore.verify.ibm.com/oauth2";

    /** The IBM functional identities seen signing Granite 4.0 checkpoints. */
    List<String> IBM_GRANITE_IDENTITIES = List.of("Granite-sign@ibm.com", "Granite-verify@ibm.com");

    /** Method {@code key}: the bundle must be signed by this EC key. */
    record PublicKeyPolicy(PublicKey key) implements VerificationPolicy {
        public PublicKeyPolicy {
            Objects.requireNonNull(key, "key");
        }
    }

    /**
     * Method {@code certificate}: the bundle's chain must lead to one of {@code anchors}.
     *
     * @param validationTime when the chain must be valid; {@code null} means the time of verification
     */
    record CertificateChainPolicy(List<X509Certificate> anchors, Instant validationTime)
            implements VerificationPolicy {
        public CertificateChainPolicy {
            anchors = List.copyOf(anchors);
            if (anchors.isEmpty()) {
                throw new IllegalArgumentException("at least one trust anchor is required");
            }
        }

        /** The same anchors, validated at {@code time} instead. */
        public CertificateChainPolicy at(Instant time) {
            return new CertificateChainPolicy(anchors, time);
        }
    }

    /** Method {@code sigstore} (keyless): Fulcio certificate, Rekor log entry, and an exact identity. */
    record SigstorePolicy(TrustedRoot trustedRoot, List<SigstoreIdentity> identities) implements VerificationPolicy {
        public SigstorePolicy {
            Objects.requireNonNull(trustedRoot, "trustedRoot");
            identities = List.copyOf(identities);
            if (identities.isEmpty()) {
                throw new IllegalArgumentException("at least one allowed identity is required");
            }
        }
    }

    /** Trusts the EC public key in a PEM file (text around the PEM block is ignored). */
    static PublicKeyPolicy publicKey(Path pemFile) throws IOException {
        try {
            return new PublicKeyPolicy(Pem.publicKey(Pem.read(pemFile), pemFile.toString()));
        } catch (GeneralSecurityException e) {
            throw new IOException(pemFile + " is not a usable public key: " + e.getMessage(), e);
        }
    }

    /** Trusts certificate chains that lead to any certificate in the given PEM files, validated now. */
    static CertificateChainPolicy certificateChain(List<Path> anchorPemFiles) throws IOException {
        List<X509Certificate> anchors = new ArrayList<>();
        for (Path p : anchorPemFiles) {
            try {
                anchors.addAll(Pem.certificates(Pem.read(p), p.toString()));
            } catch (GeneralSecurityException e) {
                throw new IOException(p + " is not a usable certificate file: " + e.getMessage(), e);
            }
        }
        return new CertificateChainPolicy(anchors, null);
    }

    /** Keyless: one exact identity, checked against {@code trustedRoot}. */
    static SigstorePolicy sigstore(String subject, String issuer, TrustedRoot trustedRoot) {
        return new SigstorePolicy(trustedRoot, List.of(new SigstoreIdentity(subject, issuer)));
    }

    /**
     * IBM's policy for Granite checkpoints: keyless, issuer {@value #IBM_ISSUER}, subject one of
     * {@link #IBM_GRANITE_IDENTITIES}, against the bundled Sigstore public-good trusted root.
     */
    static SigstorePolicy ibmDefault() {
        return ibmDefault(TrustedRoot.publicGood());
    }

    /** IBM's policy against another trusted root. */
    static SigstorePolicy ibmDefault(TrustedRoot trustedRoot) {
        return new SigstorePolicy(trustedRoot,
                IBM_GRANITE_IDENTITIES.stream().map(s -> new SigstoreIdentity(s, IBM_ISSUER)).toList());
    }
}
