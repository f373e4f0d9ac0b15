package dev.granitej.sig;

import com.fasterxml.jackson.databind.JsonNode;
import dev.granitej.sig.ModelVerificationException.Reason;
import dev.granitej.sig.VerificationPolicy.CertificateChainPolicy;
import dev.granitej.sig.VerificationPolicy.PublicKeyPolicy;
import dev.granitej.sig.VerificationPolicy.SigstorePolicy;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Establishes who signed a bundle's DSSE envelope, by the method the policy names. Everything after this step
 * (statement and manifest) is trusted only because this step succeeded.
 */
final class SignerVerifier {

    private static final String CODE_SIGNING_EKU = "1.3.6.1.5.5.7.3.3";
    private static final String OIDC_ISSUER_V2_OID = "1.3.6.1.4.1.57264.1.8";
    private static final String OIDC_ISSUER_V1_OID = "1.3.6.1.4.1.57264.1.1";

    /** The verified signer. */
    record Signer(VerificationResult.Method method, String identity, String issuer,
                  VerificationResult.LogEntry logEntry, List<String> notes) {
    }

    private SignerVerifier() {
    }

    static Signer verify(Bundle bundle, VerificationPolicy policy, Instant now) throws ModelVerificationException {
        return switch (policy) {
            case PublicKeyPolicy p -> verifyKey(bundle, p);
            case CertificateChainPolicy p -> verifyChain(bundle, p, now);
            case SigstorePolicy p -> verifySigstore(bundle, p);
        };
    }

    private static Signer verifyKey(Bundle bundle, PublicKeyPolicy policy) throws ModelVerificationException {
        if (!(bundle.material() instanceof Bundle.Material.Key(String hint))) {
            throw methodMismatch(bundle, "a public key");
        }
        String expected = Pem.keyHint(policy.key());
        if (hint != null && !hint.isEmpty() && !hint.equals(expected)) {
            throw new ModelVerificationException(Reason.KEY_HINT_MISMATCH,
                    "bundle names key " + hint + " but the configured key is " + expected);
        }
        requireDsseSignature(bundle, policy.key(), "the configured public key");
        return new Signer(VerificationResult.Method.PUBLIC_KEY, "key sha256:" + expected, null, null, List.of());
    }

    private static Signer verifyChain(Bundle bundle, CertificateChainPolicy policy, Instant now)
            throws ModelVerificationException {
        if (!(bundle.material() instanceof Bundle.Material.Chain(List<X509Certificate> certs))) {
            throw methodMismatch(bundle, "a certificate chain");
        }
        // Producers sometimes include the root: cut the path below the first configured anchor (PKIX wants that).
        List<X509Certificate> path = new ArrayList<>();
        for (X509Certificate c : certs) {
            if (policy.anchors().contains(c)) {
                break;
            }
            path.add(c);
        }
        if (path.isEmpty()) {
            throw new ModelVerificationException(Reason.CERTIFICATE_CHAIN_INVALID,
                    "the signing certificate is itself a trust anchor; a leaf is required");
        }
        Instant at = policy.validationTime() != null ? policy.validationTime() : now;
        Set<TrustAnchor> anchors = new HashSet<>();
        policy.anchors().forEach(a -> anchors.add(new TrustAnchor(a, null)));
        validatePath(path, anchors, at);
        X509Certificate leaf = path.getFirst();
        requireCodeSigningProfile(leaf, false);
        requireDsseSignature(bundle, leaf.getPublicKey(), "the signing certificate's key");
        return new Signer(VerificationResult.Method.CERTIFICATE_CHAIN, leaf.getSubjectX500Principal().getName(),
                null, null, List.of());
    }

    private static Signer verifySigstore(Bundle bundle, SigstorePolicy policy) throws ModelVerificationException {
        if (!(bundle.material() instanceof Bundle.Material.Leaf(X509Certificate leaf, byte[] leafDer))) {
            throw methodMismatch(bundle, "a Sigstore (Fulcio) certificate");
        }
        TrustedRoot root = policy.trustedRoot();
        if (bundle.tlogEntries().isEmpty()) {
            throw new ModelVerificationException(Reason.TLOG_ENTRY_MISSING,
                    "keyless bundle has no transparency-log entry");
        }
        Bundle.TlogEntry entry = bundle.tlogEntries().getFirst();
        if (!"dsse".equals(entry.kind()) || !"0.0.1".equals(entry.kindVersion())) {
            throw new ModelVerificationException(Reason.UNSUPPORTED_TLOG_ENTRY,
                    "log entry kind " + entry.kind() + " " + entry.kindVersion() + " is not supported (dsse 0.0.1)");
        }
        if (entry.signedEntryTimestamp() == null) {
            throw new ModelVerificationException(Reason.UNSUPPORTED_TLOG_ENTRY, "the log entry has no signed entry "
                    + "timestamp (Rekor v2 bundles relying on RFC 3161 timestamps are not supported)");
        }
        TrustedRoot.Log log = RekorLog.logFor(entry, root);
        RekorLog.verifySignedEntryTimestamp(entry, log);
        RekorLog.verifyInclusion(entry);
        RekorLog.verifyCheckpoint(entry, log);
        Instant signedAt = Instant.ofEpochSecond(entry.integratedTime());

        X509Certificate issuer = validateFulcioChain(leaf, root, signedAt);
        CertificateTransparency.verify(leaf, issuer, root);
        requireCodeSigningProfile(leaf, true);
        SigstoreIdentity identity = matchIdentity(leaf, policy.identities());
        if (signedAt.isBefore(leaf.getNotBefore().toInstant()) || signedAt.isAfter(leaf.getNotAfter().toInstant())) {
            throw new ModelVerificationException(Reason.CERTIFICATE_EXPIRED,
                    "log time " + signedAt + " is outside the signing certificate's validity");
        }
        requireDsseSignature(bundle, leaf.getPublicKey(), "the signing certificate's key");
        requireConsistentEntry(entry, bundle, leafDer);

        List<String> notes = bundle.hasRfc3161Timestamps()
                ? List.of("RFC 3161 timestamp present but not checked; the Rekor signed entry timestamp dates the "
                + "signature")
                : List.of();
        return new Signer(VerificationResult.Method.SIGSTORE, identity.subject(), identity.issuer(),
                new VerificationResult.LogEntry(entry.logIndex(), signedAt, log.baseUrl()), notes);
    }

    private static ModelVerificationException methodMismatch(Bundle bundle, String wanted) {
        String found = switch (bundle.material()) {
            case Bundle.Material.Key k -> "a public key";
            case Bundle.Material.Chain c -> "a certificate chain";
            case Bundle.Material.Leaf l -> "a Sigstore certificate";
        };
        return new ModelVerificationException(Reason.METHOD_MISMATCH,
                "the policy expects " + wanted + " but the bundle is signed with " + found);
    }

    private static void requireDsseSignature(Bundle bundle, java.security.PublicKey key, String what)
            throws ModelVerificationException {
        if (!Crypto.verify(key, bundle.preAuthenticationEncoding(), bundle.signature())) {
            throw new ModelVerificationException(Reason.SIGNATURE_INVALID,
                    "the DSSE signature does not verify with " + what);
        }
    }

    private static void validatePath(List<X509Certificate> path, Set<TrustAnchor> anchors, Instant at)
            throws ModelVerificationException {
        try {
            CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
            PKIXParameters params = new PKIXParameters(anchors);
            params.setRevocationEnabled(false);
            params.setDate(Date.from(at));
            CertPathValidator.getInstance("PKIX").validate(certPath, params);
        } catch (CertPathValidatorException e) {
            boolean expired = e.getReason() == CertPathValidatorException.BasicReason.EXPIRED
                    || e.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID;
            throw new ModelVerificationException(expired ? Reason.CERTIFICATE_EXPIRED
                    : Reason.CERTIFICATE_CHAIN_INVALID, "certificate chain is not valid at " + at + ": "
                    + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new ModelVerificationException(Reason.CERTIFICATE_CHAIN_INVALID,
                    "certificate chain cannot be validated: " + e.getMessage(), e);
        }
    }

    /** Validates the leaf against each Fulcio CA valid at {@code at}; returns the certificate that issued it. */
    private static X509Certificate validateFulcioChain(X509Certificate leaf, TrustedRoot root, Instant at)
            throws ModelVerificationException {
        ModelVerificationException last = null;
        for (TrustedRoot.CertificateAuthority ca : root.certificateAuthorities()) {
            if (!ca.validAt(at)) {
                continue;
            }
            List<X509Certificate> chain = ca.chain();
            List<X509Certificate> path = new ArrayList<>();
            path.add(leaf);
            path.addAll(chain.subList(0, chain.size() - 1));
            try {
                validatePath(path, Set.of(new TrustAnchor(chain.getLast(), null)), at);
                return chain.getFirst();
            } catch (ModelVerificationException e) {
                last = e;
            }
        }
        if (last != null && last.reason() == Reason.CERTIFICATE_EXPIRED) {
            throw last;
        }
        throw new ModelVerificationException(Reason.CERTIFICATE_CHAIN_INVALID,
                "the signing certificate does not chain to a Fulcio CA of " + root.source() + " valid at " + at, last);
    }

    private static void requireCodeSigningProfile(X509Certificate leaf, boolean both)
            throws ModelVerificationException {
        boolean[] ku = leaf.getKeyUsage();
        boolean digitalSignature = ku != null && ku.length > 0 && ku[0];
        boolean codeSigning;
        try {
            codeSigning = leaf.getExtendedKeyUsage() != null && leaf.getExtendedKeyUsage().contains(CODE_SIGNING_EKU);
        } catch (CertificateParsingException e) {
            throw new ModelVerificationException(Reason.CERTIFICATE_PROFILE_INVALID, "unreadable extended key usage", e);
        }
        if (both ? !(digitalSignature && codeSigning) : !(digitalSignature || codeSigning)) {
            throw new ModelVerificationException(Reason.CERTIFICATE_PROFILE_INVALID, "the signing certificate lacks "
                    + (both ? "digitalSignature key usage and the codeSigning extended key usage"
                    : "digitalSignature key usage or the codeSigning extended key usage"));
        }
    }

    private static SigstoreIdentity matchIdentity(X509Certificate leaf, List<SigstoreIdentity> allowed)
            throws ModelVerificationException {
        List<String> sans = subjectAlternativeNames(leaf);
        String issuer = oidcIssuer(leaf);
        List<SigstoreIdentity> bySubject = allowed.stream().filter(i -> sans.contains(i.subject())).toList();
        if (bySubject.isEmpty()) {
            throw new ModelVerificationException(Reason.IDENTITY_MISMATCH, "certificate identity " + sans
                    + " is not an allowed identity " + allowed.stream().map(SigstoreIdentity::subject).toList());
        }
        for (SigstoreIdentity i : bySubject) {
            if (i.issuer().equals(issuer)) {
                return i;
            }
        }
        throw new ModelVerificationException(Reason.ISSUER_MISMATCH, "certificate OIDC issuer '" + issuer
                + "' is not the allowed issuer " + bySubject.stream().map(SigstoreIdentity::issuer).toList()
                + " for " + sans);
    }

    /** rfc822Name and URI SANs. */
    static List<String> subjectAlternativeNames(X509Certificate cert) throws ModelVerificationException {
        try {
            List<String> out = new ArrayList<>();
            var names = cert.getSubjectAlternativeNames();
            if (names != null) {
                for (List<?> n : names) {
                    int type = (Integer) n.get(0);
                    if ((type == 1 || type == 6) && n.get(1) instanceof String s) {
                        out.add(s);
                    }
                }
            }
            return out;
        } catch (CertificateParsingException e) {
            throw new ModelVerificationException(Reason.CERTIFICATE_PROFILE_INVALID, "unreadable SAN extension", e);
        }
    }

    /**
     * The OIDC issuer from Fulcio's extension 1.3.6.1.4.1.57264.1.8 (a DER UTF8String), or the legacy 1.1 (raw
     * UTF-8). When both are present they must agree.
     */
    static String oidcIssuer(X509Certificate cert) throws ModelVerificationException {
        try {
            String v2 = null;
            byte[] ext = cert.getExtensionValue(OIDC_ISSUER_V2_OID);
            if (ext != null) {
                byte[] inner = Der.unwrapOctetString(ext);
                Der.Tlv s = Der.read(inner, 0, inner.length);
                if (s.tag() != 0x0c || s.end() != inner.length) {
                    throw new IllegalArgumentException("issuer extension is not a UTF8String");
                }
                v2 = new String(Der.content(inner, s), StandardCharsets.UTF_8);
            }
            byte[] legacy = cert.getExtensionValue(OIDC_ISSUER_V1_OID);
            String v1 = legacy == null ? null : new String(Der.unwrapOctetString(legacy), StandardCharsets.UTF_8);
            if (v1 != null && v2 != null && !v1.equals(v2)) {
                throw new ModelVerificationException(Reason.ISSUER_MISMATCH,
                        "the certificate's two OIDC issuer extensions disagree: '" + v2 + "' vs '" + v1 + "'");
            }
            if (v1 == null && v2 == null) {
                throw new ModelVerificationException(Reason.ISSUER_MISMATCH,
                        "the certificate has no OIDC issuer extension");
            }
            return v2 != null ? v2 : v1;
        } catch (IllegalArgumentException e) {
            throw new ModelVerificationException(Reason.CERTIFICATE_PROFILE_INVALID,
                    "unreadable OIDC issuer extension: " + e.getMessage(), e);
        }
    }

    /** The log entry must describe this envelope: payload hash, signature and certificate (CVE-2022-36056 class). */
    private static void requireConsistentEntry(Bundle.TlogEntry entry, Bundle bundle, byte[] leafDer)
            throws ModelVerificationException {
        Reason r = Reason.TLOG_ENTRY_MISMATCH;
        JsonNode body = StrictJson.parse(entry.canonicalizedBody(), "log entry body", r);
        if (!"dsse".equals(body.path("kind").asText()) || !"0.0.1".equals(body.path("apiVersion").asText())) {
            throw new ModelVerificationException(r, "log entry body is not a dsse 0.0.1 entry");
        }
        JsonNode spec = StrictJson.object(body, "spec", "log entry body", r);
        JsonNode payloadHash = StrictJson.object(spec, "payloadHash", "log entry spec", r);
        if (!"sha256".equals(payloadHash.path("algorithm").asText())
                || !Crypto.hex(Crypto.sha256(bundle.payload())).equals(payloadHash.path("value").asText())) {
            throw new ModelVerificationException(r, "log entry payload hash differs from the envelope's payload");
        }
        List<JsonNode> sigs = StrictJson.array(spec, "signatures", "log entry spec", r);
        if (sigs.size() != 1) {
            throw new ModelVerificationException(r, "log entry has " + sigs.size() + " signatures, expected one");
        }
        byte[] loggedSig = StrictJson.base64(sigs.getFirst(), "signature", "log entry signature", r);
        if (!MessageDigest.isEqual(loggedSig, bundle.signature())) {
            throw new ModelVerificationException(r, "log entry signature differs from the envelope's signature");
        }
        String verifierPem = new String(StrictJson.base64(sigs.getFirst(), "verifier", "log entry signature", r),
                StandardCharsets.US_ASCII);
        List<byte[]> certs = Pem.blocks(verifierPem, "CERTIFICATE");
        if (certs.size() != 1 || !Arrays.equals(certs.getFirst(), leafDer)) {
            throw new ModelVerificationException(r, "log entry certificate differs from the bundle's certificate");
        }
    }
}
