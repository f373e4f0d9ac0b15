package dev.granitej.sig;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads PEM blocks, tolerating text around them (certtool writes a human-readable preamble). */
final class Pem {

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)\\s*-----END \\1-----");
    private static final int MAX_PEM_BYTES = 1 << 20;

    private Pem() {
    }

    static List<byte[]> blocks(String text, String label) {
        List<byte[]> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            if (m.group(1).equals(label)) {
                out.add(Base64.getMimeDecoder().decode(m.group(2)));
            }
        }
        return out;
    }

    static String read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_PEM_BYTES) {
            throw new IOException(file + " is too large for a PEM file (" + size + " bytes)");
        }
        return Files.readString(file, StandardCharsets.US_ASCII);
    }

    /** Parses the single {@code PUBLIC KEY} block of a PEM text. */
    static PublicKey publicKey(String text, String source) throws GeneralSecurityException {
        List<byte[]> keys = blocks(text, "PUBLIC KEY");
        if (keys.size() != 1) {
            throw new GeneralSecurityException(source + " holds " + keys.size()
                    + " PUBLIC KEY blocks, expected exactly one");
        }
        return Crypto.publicKey(keys.getFirst());
    }

    /** Parses every {@code CERTIFICATE} block of a PEM text. */
    static List<X509Certificate> certificates(String text, String source) throws GeneralSecurityException {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        List<X509Certificate> certs = new ArrayList<>();
        for (byte[] der : blocks(text, "CERTIFICATE")) {
            certs.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der)));
        }
        if (certs.isEmpty()) {
            throw new GeneralSecurityException(source + " holds no CERTIFICATE block");
        }
        return certs;
    }

    /**
     * The model_signing key hint: SHA-256 of the PEM text that pyca/cryptography writes for the key (64-column base64
     * lines), not of the DER.
     */
    static String keyHint(PublicKey key) {
        String pem = "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        return Crypto.hex(Crypto.sha256(pem.getBytes(StandardCharsets.US_ASCII)));
    }
}
