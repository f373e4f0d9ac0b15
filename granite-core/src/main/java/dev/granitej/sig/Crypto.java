package dev.granitej.sig;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;

/** The few {@code java.security} operations signature verification needs, with algorithm choice in one place. */
final class Crypto {

    private Crypto() {
    }

    static byte[] sha256(byte[]... parts) {
        MessageDigest md = newSha256();
        for (byte[] p : parts) {
            md.update(p);
        }
        return md.digest();
    }

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    /**
     * Verifies a signature, choosing the algorithm from the key: ECDSA hashes with the digest that matches the curve
     * (P-256/SHA-256, P-384/SHA-384, P-521/SHA-512), as model_signing and Sigstore do; EC signatures are DER.
     */
    static boolean verify(PublicKey key, byte[] data, byte[] signature) {
        try {
            Signature s = Signature.getInstance(algorithmFor(key));
            s.initVerify(key);
            s.update(data);
            return s.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            // A malformed DER signature is just an invalid signature.
            return false;
        }
    }

    static String algorithmFor(PublicKey key) throws NoSuchAlgorithmException {
        return switch (key) {
            case ECPublicKey ec -> switch (ec.getParams().getCurve().getField().getFieldSize()) {
                case 256 -> "SHA256withECDSA";
                case 384 -> "SHA384withECDSA";
                case 521 -> "SHA512withECDSA";
                default -> throw new NoSuchAlgorithmException("unsupported EC curve size "
                        + ec.getParams().getCurve().getField().getFieldSize());
            };
            case PublicKey k when k.getAlgorithm().equals("EdDSA") || k.getAlgorithm().equals("Ed25519") -> "Ed25519";
            case PublicKey k when k.getAlgorithm().equals("RSA") -> "SHA256withRSA";
            default -> throw new NoSuchAlgorithmException("unsupported key algorithm " + key.getAlgorithm());
        };
    }

    /** Decodes a DER SubjectPublicKeyInfo, trying EC, Ed25519 and RSA. */
    static PublicKey publicKey(byte[] spki) throws GeneralSecurityException {
        GeneralSecurityException last = null;
        for (String alg : new String[] {"EC", "Ed25519", "RSA"}) {
            try {
                return KeyFactory.getInstance(alg).generatePublic(new X509EncodedKeySpec(spki));
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw last;
    }
}
