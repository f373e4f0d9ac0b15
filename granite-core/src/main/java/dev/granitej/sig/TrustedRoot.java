package dev.granitej.sig;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.granitej.sig.ModelVerificationException.Reason.TRUSTED_ROOT_INVALID;

/**
 * Sigstore trust material ({@code trusted_root.json}): the Rekor transparency logs, the Fulcio certificate
 * authorities and the certificate-transparency logs. The public-good snapshot ships with granitej
 * ({@link #publicGood()}); {@link #load(Path)} reads another one.
 */
public final class TrustedRoot {

    static final String MEDIA_TYPE_PREFIX = "application/vnd.dev.sigstore.trustedroot";
    private static final String RESOURCE = "trusted_root.json";
    private static final int MAX_BYTES = 4 << 20;

    /** A transparency log (Rekor or CT) key and the time range in which it may have signed. */
    record Log(String baseUrl, byte[] keyId, PublicKey key, Instant validFrom, Instant validTo) {
        boolean validAt(Instant t) {
            return !t.isBefore(validFrom) && (validTo == null || !t.isAfter(validTo));
        }
    }

    /** A Fulcio CA: {@code chain[0]} issues leaves, the last certificate is the root. */
    record CertificateAuthority(String uri, List<X509Certificate> chain, Instant validFrom, Instant validTo) {
        boolean validAt(Instant t) {
            return !t.isBefore(validFrom) && (validTo == null || !t.isAfter(validTo));
        }
    }

    private final String source;
    private final List<Log> tlogs;
    private final List<Log> ctlogs;
    private final List<CertificateAuthority> authorities;

    private TrustedRoot(String source, List<Log> tlogs, List<Log> ctlogs, List<CertificateAuthority> authorities) {
        this.source = source;
        this.tlogs = tlogs;
        this.ctlogs = ctlogs;
        this.authorities = authorities;
    }

    /** The Sigstore public-good trusted root bundled with granitej (snapshot from sigstore-python 27db13db). */
    public static TrustedRoot publicGood() {
        try (InputStream in = TrustedRoot.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("bundled " + RESOURCE + " is missing from the classpath");
            }
            return parse(in.readNBytes(MAX_BYTES + 1), "bundled public-good " + RESOURCE);
        } catch (IOException | ModelVerificationException e) {
            throw new IllegalStateException("bundled " + RESOURCE + " is unreadable: " + e.getMessage(), e);
        }
    }

    /** Reads a {@code trusted_root.json} file. */
    public static TrustedRoot load(Path file) throws ModelVerificationException {
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new ModelVerificationException(TRUSTED_ROOT_INVALID, file + " exceeds " + MAX_BYTES + " bytes");
            }
            return parse(Files.readAllBytes(file), file.toString());
        } catch (IOException e) {
            throw new ModelVerificationException(TRUSTED_ROOT_INVALID, "cannot read trusted root " + file, e);
        }
    }

    static TrustedRoot parse(byte[] bytes, String source) throws ModelVerificationException {
        if (bytes.length > MAX_BYTES) {
            throw new ModelVerificationException(TRUSTED_ROOT_INVALID, source + " exceeds " + MAX_BYTES + " bytes");
        }
        JsonNode root = StrictJson.parse(bytes, "trusted root " + source, TRUSTED_ROOT_INVALID);
        String mediaType = StrictJson.text(root, "mediaType", source, TRUSTED_ROOT_INVALID);
        if (!mediaType.startsWith(MEDIA_TYPE_PREFIX)) {
            throw new ModelVerificationException(TRUSTED_ROOT_INVALID,
                    source + " has media type '" + mediaType + "', not a Sigstore trusted root");
        }
        List<CertificateAuthority> cas = new ArrayList<>();
        for (JsonNode ca : StrictJson.array(root, "certificateAuthorities", source, TRUSTED_ROOT_INVALID)) {
            List<X509Certificate> chain = new ArrayList<>();
            for (JsonNode c : StrictJson.array(StrictJson.object(ca, "certChain", "certificateAuthority",
                    TRUSTED_ROOT_INVALID), "certificates", "certChain", TRUSTED_ROOT_INVALID)) {
                try {
                    chain.add(Bundle.certificate(StrictJson.base64(c, "rawBytes", "certificate",
                            TRUSTED_ROOT_INVALID)));
                } catch (ModelVerificationException e) {
                    throw new ModelVerificationException(TRUSTED_ROOT_INVALID, source + ": bad CA certificate", e);
                }
            }
            if (chain.isEmpty()) {
                throw new ModelVerificationException(TRUSTED_ROOT_INVALID, source + ": empty CA chain");
            }
            Instant[] range = validFor(ca, source);
            cas.add(new CertificateAuthority(ca.path("uri").asText(""), List.copyOf(chain), range[0], range[1]));
        }
        return new TrustedRoot(source, logs(root, "tlogs", source), logs(root, "ctlogs", source), List.copyOf(cas));
    }

    private static List<Log> logs(JsonNode root, String field, String source) throws ModelVerificationException {
        List<Log> out = new ArrayList<>();
        for (JsonNode log : StrictJson.array(root, field, source, TRUSTED_ROOT_INVALID)) {
            JsonNode pk = StrictJson.object(log, "publicKey", field, TRUSTED_ROOT_INVALID);
            byte[] spki = StrictJson.base64(pk, "rawBytes", field + ".publicKey", TRUSTED_ROOT_INVALID);
            byte[] keyId = StrictJson.base64(StrictJson.object(log, "logId", field, TRUSTED_ROOT_INVALID), "keyId",
                    field + ".logId", TRUSTED_ROOT_INVALID);
            PublicKey key;
            try {
                key = Crypto.publicKey(spki);
            } catch (GeneralSecurityException e) {
                throw new ModelVerificationException(TRUSTED_ROOT_INVALID,
                        source + ": " + field + " key for " + log.path("baseUrl").asText() + " is unreadable", e);
            }
            Instant[] range = validFor(pk, source);
            out.add(new Log(log.path("baseUrl").asText(""), keyId, key, range[0], range[1]));
        }
        return List.copyOf(out);
    }

    private static Instant[] validFor(JsonNode node, String source) throws ModelVerificationException {
        JsonNode v = node.get("validFor");
        try {
            Instant start = v != null && v.hasNonNull("start") ? Instant.parse(v.get("start").asText())
                    : Instant.EPOCH;
            Instant end = v != null && v.hasNonNull("end") ? Instant.parse(v.get("end").asText()) : null;
            return new Instant[] {start, end};
        } catch (DateTimeParseException e) {
            throw new ModelVerificationException(TRUSTED_ROOT_INVALID, source + ": bad validFor time", e);
        }
    }

    /** The Rekor log whose key id is {@code keyId}, or {@code null}. */
    Log transparencyLog(byte[] keyId) {
        return tlogs.stream().filter(l -> Arrays.equals(l.keyId(), keyId)).findFirst().orElse(null);
    }

    /** The CT log whose key id is {@code keyId}, or {@code null}. */
    Log ctLog(byte[] keyId) {
        return ctlogs.stream().filter(l -> Arrays.equals(l.keyId(), keyId)).findFirst().orElse(null);
    }

    List<CertificateAuthority> certificateAuthorities() {
        return authorities;
    }

    /** Where this root was read from (for messages). */
    public String source() {
        return source;
    }

    @Override
    public String toString() {
        return "TrustedRoot[" + source + "]";
    }
}
