package dev.granitej.sig;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal DER TLV walker: enough to take an X.509 TBSCertificate apart and to unwrap extension values. Only
 * single-byte tags and definite lengths occur in certificates, and anything else is refused.
 */
final class Der {

    /** One element: tag byte, where its header starts, where its content starts and where it ends. */
    record Tlv(int tag, int start, int contentStart, int end) {
        int contentLength() {
            return end - contentStart;
        }
    }

    private Der() {
    }

    static Tlv read(byte[] b, int off, int limit) {
        if (off + 2 > limit) {
            throw new IllegalArgumentException("truncated DER at " + off);
        }
        int tag = b[off] & 0xff;
        if ((tag & 0x1f) == 0x1f) {
            throw new IllegalArgumentException("multi-byte DER tags are not supported");
        }
        int len = b[off + 1] & 0xff;
        int p = off + 2;
        if (len >= 0x80) {
            int n = len & 0x7f;
            if (n == 0 || n > 4 || p + n > limit) {
                throw new IllegalArgumentException("unsupported DER length at " + off);
            }
            len = 0;
            for (int i = 0; i < n; i++) {
                len = (len << 8) | (b[p++] & 0xff);
            }
            if (len < 0) {
                throw new IllegalArgumentException("DER length overflow at " + off);
            }
        }
        if (p + len > limit || p + len < p) {
            throw new IllegalArgumentException("DER element overruns its container at " + off);
        }
        return new Tlv(tag, off, p, p + len);
    }

    static List<Tlv> children(byte[] b, Tlv parent) {
        List<Tlv> out = new ArrayList<>();
        for (int p = parent.contentStart(); p < parent.end(); ) {
            Tlv t = read(b, p, parent.end());
            out.add(t);
            p = t.end();
        }
        return out;
    }

    static byte[] content(byte[] b, Tlv t) {
        byte[] out = new byte[t.contentLength()];
        System.arraycopy(b, t.contentStart(), out, 0, out.length);
        return out;
    }

    static byte[] encode(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        int len = content.length;
        if (len < 0x80) {
            out.write(len);
        } else {
            int n = len > 0xffffff ? 4 : len > 0xffff ? 3 : len > 0xff ? 2 : 1;
            out.write(0x80 | n);
            for (int i = n - 1; i >= 0; i--) {
                out.write(len >>> (8 * i));
            }
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    /**
     * The content of an extension value as returned by {@code X509Certificate.getExtensionValue}, which wraps
     * {@code extnValue} in an OCTET STRING.
     */
    static byte[] unwrapOctetString(byte[] encoded) {
        Tlv t = read(encoded, 0, encoded.length);
        if (t.tag() != 0x04 || t.end() != encoded.length) {
            throw new IllegalArgumentException("extension value is not an OCTET STRING");
        }
        return content(encoded, t);
    }
}
