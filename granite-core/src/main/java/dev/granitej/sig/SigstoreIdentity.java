package dev.granitej.sig;

import java.util.Objects;

/**
 * One allowed keyless signer: the exact subject alternative name of the Fulcio certificate (an e-mail address or a
 * URI) and the exact OIDC issuer that vouched for it. Both are compared for equality; wildcards are refused because
 * anyone with an account at the issuer can obtain a certificate for their own address.
 *
 * @param subject the certificate SAN, e.g. {@code Granite-sign@ibm.com}
 * @param issuer  the OIDC issuer URL, e.g. {@code https://sigstore.verify.ibm.com/oauth2}
 */
public record SigstoreIdentity(String subject, String issuer) {

    /** Validates that both parts are exact, non-blank values. */
    public SigstoreIdentity {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(issuer, "issuer");
        if (subject.isBlank() || issuer.isBlank()) {
            throw new IllegalArgumentException("identity subject and issuer must not be blank");
        }
        if (subject.contains("*") || issuer.contains("*") || subject.startsWith("@")) {
            throw new IllegalArgumentException("identity '" + subject + "' / '" + issuer
                    + "' looks like a wildcard; only exact identities are allowed");
        }
    }
}
