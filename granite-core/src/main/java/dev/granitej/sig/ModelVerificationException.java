package dev.granitej.sig;

/**
 * A model signature did not verify. {@link #reason()} says which check failed and {@link #file()} names the model
 * file concerned, when the failure is about one file.
 */
public final class ModelVerificationException extends Exception {

    /** The check that failed. */
    public enum Reason {
        /** The signature file is absent or unreadable. */
        SIGNATURE_FILE_MISSING,
        /** The bundle exceeds the size limit. */
        BUNDLE_TOO_LARGE,
        /** The bundle (or a JSON document inside it) is not valid JSON or lacks a required field. */
        BUNDLE_MALFORMED,
        /** A JSON object contains the same key twice (a parser-differential attack vector). */
        DUPLICATE_JSON_KEY,
        /** The bundle media type is not the Sigstore bundle v0.3 used by model signing. */
        UNSUPPORTED_MEDIA_TYPE,
        /** The deprecated v0.2.0 ({@code Digests/v0.1}) layout. */
        UNSUPPORTED_LEGACY_FORMAT,
        /** A hash algorithm or serialization method this verifier does not implement. */
        UNSUPPORTED_HASH_ALGORITHM,
        /** A transparency-log entry this verifier cannot check (e.g. Rekor v2 without a signed entry timestamp). */
        UNSUPPORTED_TLOG_ENTRY,
        /** The bundle's verification material does not match the configured method. */
        METHOD_MISMATCH,
        /** The DSSE envelope does not carry exactly one signature. */
        SIGNATURE_COUNT,
        /** The DSSE signature does not verify with the signer's key. */
        SIGNATURE_INVALID,
        /** The public-key hint in the bundle names a different key. */
        KEY_HINT_MISMATCH,
        /** The certificate chain does not lead to a trusted anchor. */
        CERTIFICATE_CHAIN_INVALID,
        /** The certificate was not valid at the signing or validation time. */
        CERTIFICATE_EXPIRED,
        /** The leaf certificate lacks the code-signing key usage. */
        CERTIFICATE_PROFILE_INVALID,
        /** The certificate's subject alternative name is not an allowed identity. */
        IDENTITY_MISMATCH,
        /** The certificate's OIDC issuer is not the allowed issuer. */
        ISSUER_MISMATCH,
        /** The keyless bundle has no transparency-log entry. */
        TLOG_ENTRY_MISSING,
        /** The log entry names a log that the trusted root does not know (or not at that time). */
        TLOG_KEY_UNKNOWN,
        /** The Rekor signed entry timestamp does not verify. */
        SET_INVALID,
        /** The Merkle inclusion proof does not lead to the stated root. */
        INCLUSION_PROOF_INVALID,
        /** The signed checkpoint does not verify or does not match the proof. */
        CHECKPOINT_INVALID,
        /** No valid embedded certificate-transparency timestamp from a trusted CT log. */
        SCT_INVALID,
        /** The log entry describes a different envelope, signature or certificate. */
        TLOG_ENTRY_MISMATCH,
        /** The trusted root file is malformed. */
        TRUSTED_ROOT_INVALID,
        /** The in-toto statement or its predicate is malformed or of an unknown type. */
        STATEMENT_INVALID,
        /** A resource name is not a canonical relative path (e.g. contains {@code ..}). */
        RESOURCE_NAME_INVALID,
        /** The subject's root digest does not match the listed resources. */
        ROOT_DIGEST_MISMATCH,
        /** A file's content does not match its signed digest. */
        FILE_DIGEST_MISMATCH,
        /** A signed file is absent. */
        FILE_MISSING,
        /** A file is present that the signature does not cover (strict mode). */
        UNSIGNED_FILE,
        /** A symbolic link where the signature does not allow one. */
        SYMLINK_NOT_ALLOWED,
        /** Reading the model files failed. */
        IO_ERROR
    }

    private final Reason reason;
    private final String file;

    /** Creates a failure that concerns the whole bundle. */
    public ModelVerificationException(Reason reason, String message) {
        this(reason, null, message, null);
    }

    /** Creates a failure with a cause. */
    public ModelVerificationException(Reason reason, String message, Throwable cause) {
        this(reason, null, message, cause);
    }

    /** Creates a failure that concerns one model file ({@code file} relative to the model root). */
    public ModelVerificationException(Reason reason, String file, String message, Throwable cause) {
        super(reason + ": " + message + (file == null ? "" : " [file " + file + "]"), cause);
        this.reason = reason;
        this.file = file;
    }

    /** The check that failed. */
    public Reason reason() {
        return reason;
    }

    /** The model file concerned (relative, '/'-separated), or {@code null} when the failure is not about a file. */
    public String file() {
        return file;
    }
}
