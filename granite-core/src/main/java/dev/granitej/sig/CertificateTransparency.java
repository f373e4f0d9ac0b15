package dev.granitej.sig;

import dev.granitej.sig.ModelVerificationException.Reason;

import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;

/**
 * Checks the signed certificate timestamps (RFC 6962 §3.2) embedded in a Fulcio leaf: proof that the certificate was
 * published to a certificate-transparency log, so that mis-issued certificates are discoverable.
 */
final class CertificateTransparency {

    private static final String SCT_OID = "1.3.6.1.4.1.11129.2.4.2";
    /** DER content of OID 1.3.6.1.4.1.11129.2.4.2. */
    private static final byte[] SCT_OID_DER = {0x2b, 0x06, 0x01, 0x04, 0x01, (byte) 0xd6, 0x79, 0x02, 0x04, 0x02};

    private CertificateTransparency() {
    }

    /**
     * Requires at least one SCT from a CT log in {@code root} that verifies, and no SCT from a known log that fails.
     *
     * @param issuer the CA certificate that issued {@code leaf} (its key is part of the signed data)
     */
    static void verify(X509Certificate leaf, X509Certificate issuer, TrustedRoot root)
            throws ModelVerificationException {
        byte[] ext = leaf.getExtensionValue(SCT_OID);
        if (ext == null) {
            throw new ModelVerificationException(Reason.SCT_INVALID, "the signing certificate has no embedded SCT");
        }
        int verified = 0;
        try {
            byte[] list = Der.unwrapOctetString(Der.unwrapOctetString(ext));
            ByteBuffer in = ByteBuffer.wrap(list);
            int total = in.getShort() & 0xffff;
            if (total != in.remaining()) {
                throw new IllegalArgumentException("SCT list length mismatch");
            }
            byte[] tbs = tbsWithoutSct(leaf);
            byte[] issuerKeyHash = Crypto.sha256(issuer.getPublicKey().getEncoded());
            while (in.hasRemaining()) {
                int len = in.getShort() & 0xffff;
                ByteBuffer sct = in.slice(in.position(), len);
                in.position(in.position() + len);
                if (checkOne(sct, tbs, issuerKeyHash, root)) {
                    verified++;
                }
            }
        } catch (IllegalArgumentException | BufferUnderflowException | IndexOutOfBoundsException
                 | CertificateEncodingException e) {
            throw new ModelVerificationException(Reason.SCT_INVALID, "malformed embedded SCT: " + e.getMessage(), e);
        }
        if (verified == 0) {
            throw new ModelVerificationException(Reason.SCT_INVALID,
                    "no embedded SCT comes from a CT log in the trusted root");
        }
    }

    /** Returns true when verified, false when the log is unknown; throws when a known log's signature fails. */
    private static boolean checkOne(ByteBuffer sct, byte[] tbs, byte[] issuerKeyHash, TrustedRoot root)
            throws ModelVerificationException {
        int version = sct.get() & 0xff;
        byte[] logId = new byte[32];
        sct.get(logId);
        long timestamp = sct.getLong();
        byte[] extensions = new byte[sct.getShort() & 0xffff];
        sct.get(extensions);
        sct.get(); // hash algorithm: implied by the log key
        sct.get(); // signature algorithm: implied by the log key
        byte[] signature = new byte[sct.getShort() & 0xffff];
        sct.get(signature);
        if (version != 0 || sct.hasRemaining()) {
            throw new IllegalArgumentException("unsupported SCT version " + version + " or trailing bytes");
        }
        TrustedRoot.Log log = root.ctLog(logId);
        if (log == null) {
            return false;
        }
        if (!log.validAt(Instant.ofEpochMilli(timestamp))) {
            throw new ModelVerificationException(Reason.SCT_INVALID,
                    "SCT from " + log.baseUrl() + " is dated outside that log's validity");
        }
        ByteArrayOutputStream signed = new ByteArrayOutputStream(tbs.length + 64);
        signed.write(0); // sct_version v1
        signed.write(0); // signature_type certificate_timestamp
        signed.writeBytes(ByteBuffer.allocate(8).putLong(timestamp).array());
        signed.write(0); // entry_type precert_entry (1), big-endian uint16
        signed.write(1);
        signed.writeBytes(issuerKeyHash);
        signed.write(tbs.length >>> 16);
        signed.write(tbs.length >>> 8);
        signed.write(tbs.length);
        signed.writeBytes(tbs);
        signed.write(extensions.length >>> 8);
        signed.write(extensions.length);
        signed.writeBytes(extensions);
        if (!Crypto.verify(log.key(), signed.toByteArray(), signature)) {
            throw new ModelVerificationException(Reason.SCT_INVALID,
                    "SCT signature from " + log.baseUrl() + " does not verify");
        }
        return true;
    }

    /** The precertificate TBS: the leaf's TBSCertificate with the SCT extension removed and lengths re-encoded. */
    static byte[] tbsWithoutSct(X509Certificate leaf) throws CertificateEncodingException {
        byte[] tbs = leaf.getTBSCertificate();
        Der.Tlv top = Der.read(tbs, 0, tbs.length);
        ByteArrayOutputStream body = new ByteArrayOutputStream(tbs.length);
        for (Der.Tlv field : Der.children(tbs, top)) {
            if (field.tag() != 0xa3) {
                body.write(tbs, field.start(), field.end() - field.start());
                continue;
            }
            Der.Tlv extSeq = Der.read(tbs, field.contentStart(), field.end());
            ByteArrayOutputStream kept = new ByteArrayOutputStream();
            for (Der.Tlv ext : Der.children(tbs, extSeq)) {
                Der.Tlv oid = Der.read(tbs, ext.contentStart(), ext.end());
                if (!Arrays.equals(Der.content(tbs, oid), SCT_OID_DER)) {
                    kept.write(tbs, ext.start(), ext.end() - ext.start());
                }
            }
            body.writeBytes(Der.encode(0xa3, Der.encode(0x30, kept.toByteArray())));
        }
        return Der.encode(0x30, body.toByteArray());
    }
}
