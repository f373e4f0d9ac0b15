package dev.granitej.sig;

import com.fasterxml.jackson.databind.JsonNode;
import dev.granitej.sig.ModelVerificationException.Reason;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import static dev.granitej.sig.ModelVerificationException.Reason.BUNDLE_MALFORMED;

/**
 * The parts of a Sigstore bundle v0.3 ({@code model.sig}) that model-signing verification reads. Parsing checks
 * structure only; nothing here is trusted until a {@link SigningMethod} verifies it.
 */
record Bundle(byte[] payload, String payloadType, byte[] signature, Material material, List<TlogEntry> tlogEntries,
              boolean hasRfc3161Timestamps) {

    static final String MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";
    static final String IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";
    /** Bundles are a few KB plus ~100 bytes per signed file; this leaves room for a million files. */
    static final int MAX_BUNDLE_BYTES = 128 << 20;

    /** The signer's verification material: exactly one of three forms. */
    sealed interface Material {
        /** Key method: an optional hint naming the key; the key itself comes from configuration. */
        record Key(String hint) implements Material {
        }

        /** Certificate method: leaf first, then untrusted intermediates (maybe the root). */
        record Chain(List<X509Certificate> certificates) implements Material {
        }

        /** Sigstore keyless: a single Fulcio leaf. */
        record Leaf(X509Certificate certificate, byte[] der) implements Material {
        }
    }

    /** A Rekor transparency-log entry. */
    record TlogEntry(long logIndex, byte[] logKeyId, String kind, String kindVersion, long integratedTime,
                     byte[] signedEntryTimestamp, InclusionProof inclusionProof, byte[] canonicalizedBody) {
    }

    /** An RFC 9162 inclusion proof plus the log's signed checkpoint. */
    record InclusionProof(long logIndex, byte[] rootHash, long treeSize, List<byte[]> hashes, String checkpoint) {
    }

    static Bundle parse(byte[] bytes) throws ModelVerificationException {
        if (bytes.length > MAX_BUNDLE_BYTES) {
            throw new ModelVerificationException(Reason.BUNDLE_TOO_LARGE,
                    "bundle has " + bytes.length + " bytes, limit " + MAX_BUNDLE_BYTES);
        }
        JsonNode root = StrictJson.parse(bytes, "bundle", BUNDLE_MALFORMED);
        String mediaType = StrictJson.text(root, "mediaType", "bundle", BUNDLE_MALFORMED);
        if (!MEDIA_TYPE.equals(mediaType)) {
            throw new ModelVerificationException(Reason.UNSUPPORTED_MEDIA_TYPE,
                    "bundle media type '" + mediaType + "' is not supported (expected " + MEDIA_TYPE + ")");
        }
        JsonNode envelope = StrictJson.optionalObject(root, "dsseEnvelope", "bundle", BUNDLE_MALFORMED);
        if (envelope == null) {
            throw new ModelVerificationException(BUNDLE_MALFORMED, "bundle has no dsseEnvelope"
                    + (root.has("messageSignature") ? " (messageSignature bundles are not model signatures)" : ""));
        }
        JsonNode material = StrictJson.object(root, "verificationMaterial", "bundle", BUNDLE_MALFORMED);

        String payloadType = StrictJson.text(envelope, "payloadType", "dsseEnvelope", BUNDLE_MALFORMED);
        if (!IN_TOTO_PAYLOAD_TYPE.equals(payloadType)) {
            throw new ModelVerificationException(Reason.STATEMENT_INVALID,
                    "DSSE payloadType '" + payloadType + "' is not " + IN_TOTO_PAYLOAD_TYPE);
        }
        byte[] payload = StrictJson.base64(envelope, "payload", "dsseEnvelope", BUNDLE_MALFORMED);
        List<JsonNode> signatures = StrictJson.array(envelope, "signatures", "dsseEnvelope", BUNDLE_MALFORMED);
        if (signatures.size() != 1) {
            throw new ModelVerificationException(Reason.SIGNATURE_COUNT,
                    "DSSE envelope has " + signatures.size() + " signatures, exactly one is required");
        }
        if (!signatures.getFirst().isObject()) {
            throw new ModelVerificationException(BUNDLE_MALFORMED, "DSSE signature is not an object");
        }
        byte[] sig = StrictJson.base64(signatures.getFirst(), "sig", "dsseEnvelope.signatures[0]", BUNDLE_MALFORMED);

        List<TlogEntry> entries = new ArrayList<>();
        JsonNode tlogs = material.get("tlogEntries");
        if (tlogs != null && !tlogs.isNull()) {
            for (JsonNode e : StrictJson.array(material, "tlogEntries", "verificationMaterial", BUNDLE_MALFORMED)) {
                entries.add(parseEntry(e));
            }
        }
        JsonNode tsData = material.get("timestampVerificationData");
        boolean hasTimestamps = tsData != null && tsData.isObject() && tsData.path("rfc3161Timestamps").size() > 0;
        return new Bundle(payload, payloadType, sig, parseMaterial(material), List.copyOf(entries), hasTimestamps);
    }

    private static Material parseMaterial(JsonNode vm) throws ModelVerificationException {
        String where = "verificationMaterial";
        JsonNode key = StrictJson.optionalObject(vm, "publicKey", where, BUNDLE_MALFORMED);
        JsonNode chain = StrictJson.optionalObject(vm, "x509CertificateChain", where, BUNDLE_MALFORMED);
        JsonNode cert = StrictJson.optionalObject(vm, "certificate", where, BUNDLE_MALFORMED);
        int present = (key != null ? 1 : 0) + (chain != null ? 1 : 0) + (cert != null ? 1 : 0);
        if (present != 1) {
            throw new ModelVerificationException(BUNDLE_MALFORMED,
                    where + " must hold exactly one of publicKey, x509CertificateChain, certificate; found " + present);
        }
        if (key != null) {
            // Pre-1.1.0 rawBytes/keyDetails are informational only and never trusted.
            return new Material.Key(StrictJson.optionalText(key, "hint", where + ".publicKey", BUNDLE_MALFORMED));
        }
        if (chain != null) {
            List<X509Certificate> certs = new ArrayList<>();
            for (JsonNode c : StrictJson.array(chain, "certificates", where + ".x509CertificateChain",
                    BUNDLE_MALFORMED)) {
                certs.add(certificate(StrictJson.base64(c, "rawBytes", "certificate", BUNDLE_MALFORMED)));
            }
            if (certs.isEmpty()) {
                throw new ModelVerificationException(BUNDLE_MALFORMED, "x509CertificateChain is empty");
            }
            return new Material.Chain(List.copyOf(certs));
        }
        byte[] der = StrictJson.base64(cert, "rawBytes", where + ".certificate", BUNDLE_MALFORMED);
        return new Material.Leaf(certificate(der), der);
    }

    private static TlogEntry parseEntry(JsonNode e) throws ModelVerificationException {
        String where = "tlogEntries[]";
        if (!e.isObject()) {
            throw new ModelVerificationException(BUNDLE_MALFORMED, where + " is not an object");
        }
        JsonNode kv = StrictJson.object(e, "kindVersion", where, BUNDLE_MALFORMED);
        JsonNode promise = StrictJson.optionalObject(e, "inclusionPromise", where, BUNDLE_MALFORMED);
        byte[] set = promise == null ? null
                : StrictJson.base64(promise, "signedEntryTimestamp", where + ".inclusionPromise", BUNDLE_MALFORMED);
        JsonNode proofNode = StrictJson.optionalObject(e, "inclusionProof", where, BUNDLE_MALFORMED);
        InclusionProof proof = null;
        if (proofNode != null) {
            String pw = where + ".inclusionProof";
            List<byte[]> hashes = new ArrayList<>();
            for (JsonNode h : StrictJson.array(proofNode, "hashes", pw, BUNDLE_MALFORMED)) {
                if (!h.isTextual()) {
                    throw new ModelVerificationException(BUNDLE_MALFORMED, pw + ".hashes has a non-string entry");
                }
                hashes.add(StrictJson.decodeBase64(h.textValue(), pw + ".hashes", BUNDLE_MALFORMED));
            }
            JsonNode cp = StrictJson.object(proofNode, "checkpoint", pw, BUNDLE_MALFORMED);
            proof = new InclusionProof(
                    StrictJson.int64(proofNode, "logIndex", pw, BUNDLE_MALFORMED),
                    StrictJson.base64(proofNode, "rootHash", pw, BUNDLE_MALFORMED),
                    StrictJson.int64(proofNode, "treeSize", pw, BUNDLE_MALFORMED),
                    List.copyOf(hashes),
                    StrictJson.text(cp, "envelope", pw + ".checkpoint", BUNDLE_MALFORMED));
        }
        return new TlogEntry(
                StrictJson.int64(e, "logIndex", where, BUNDLE_MALFORMED),
                StrictJson.base64(StrictJson.object(e, "logId", where, BUNDLE_MALFORMED), "keyId", where + ".logId",
                        BUNDLE_MALFORMED),
                StrictJson.text(kv, "kind", where + ".kindVersion", BUNDLE_MALFORMED),
                StrictJson.text(kv, "version", where + ".kindVersion", BUNDLE_MALFORMED),
                StrictJson.int64(e, "integratedTime", where, BUNDLE_MALFORMED),
                set, proof,
                StrictJson.base64(e, "canonicalizedBody", where, BUNDLE_MALFORMED));
    }

    static X509Certificate certificate(byte[] der) throws ModelVerificationException {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException | ClassCastException e) {
            throw new ModelVerificationException(BUNDLE_MALFORMED, "certificate is not valid DER X.509", e);
        }
    }

    /** DSSE pre-authentication encoding: {@code "DSSEv1" SP len(type) SP type SP len(payload) SP payload}. */
    byte[] preAuthenticationEncoding() {
        byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
        byte[] head = ("DSSEv1 " + type.length + " " + payloadType + " " + payload.length + " ")
                .getBytes(StandardCharsets.UTF_8);
        byte[] pae = new byte[head.length + payload.length];
        System.arraycopy(head, 0, pae, 0, head.length);
        System.arraycopy(payload, 0, pae, head.length, payload.length);
        return pae;
    }
}
