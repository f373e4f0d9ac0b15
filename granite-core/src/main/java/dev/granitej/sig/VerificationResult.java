package dev.granitej.sig;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A successful verification: who signed, when it was logged (keyless), and what was checked.
 *
 * @param signer         the verified identity: the certificate SAN (keyless), the leaf subject (certificate chain),
 *                       or {@code key sha256:<hint>} (public key)
 * @param issuer         the OIDC issuer (keyless only)
 * @param logEntry       the Rekor entry (keyless only)
 * @param rootDigest     the manifest root digest from the signed statement (hex)
 * @param bundleSha256   SHA-256 of the signature file (hex)
 * @param files          the files whose digests were checked
 * @param unsignedFiles  files present but not signed (tolerated only outside strict mode)
 * @param missingFiles   signed files that are absent (tolerated only in the non-conformant mode)
 * @param uncheckedFiles signed files present but not hashed (non-conformant mode: the engine does not open them)
 * @param notes          remarks such as checks that were skipped
 */
public record VerificationResult(Method method, String signer, Optional<String> issuer, Optional<LogEntry> logEntry,
                                 String rootDigest, String bundleSha256, VerificationMode mode,
                                 List<VerifiedFile> files, List<String> unsignedFiles, List<String> missingFiles,
                                 List<String> uncheckedFiles, List<String> notes) {

    /** The model-signing method the bundle was verified with. */
    public enum Method {
        PUBLIC_KEY, CERTIFICATE_CHAIN, SIGSTORE
    }

    /** A Rekor transparency-log entry whose signed entry timestamp verified. */
    public record LogEntry(long logIndex, Instant integratedTime, String logUrl) {
    }

    /**
     * A file whose content matched the signature.
     *
     * @param lastModifiedNanos the modification time observed while hashing, so the loader can detect a later swap
     * @param fromCache         the digest came from the verdict cache (file key unchanged since a verified run)
     */
    public record VerifiedFile(String path, long size, long lastModifiedNanos, boolean fromCache) {
    }

    /** Copies the lists. */
    public VerificationResult {
        files = List.copyOf(files);
        unsignedFiles = List.copyOf(unsignedFiles);
        missingFiles = List.copyOf(missingFiles);
        uncheckedFiles = List.copyOf(uncheckedFiles);
        notes = List.copyOf(notes);
    }

    /** False in {@link VerificationMode#LOADED_FILES_NONCONFORMANT}, which the model-signing spec does not define. */
    public boolean specConformant() {
        return mode != VerificationMode.LOADED_FILES_NONCONFORMANT;
    }

    /** A one-line human summary. */
    public String summary() {
        long bytes = files.stream().mapToLong(VerifiedFile::size).sum();
        StringBuilder sb = new StringBuilder("verified ").append(files.size()).append(" file(s), ")
                .append(bytes).append(" bytes, signed by ").append(signer);
        issuer.ifPresent(i -> sb.append(" (issuer ").append(i).append(')'));
        logEntry.ifPresent(e -> sb.append(", Rekor log index ").append(e.logIndex()).append(" at ")
                .append(e.integratedTime()));
        sb.append(", method ").append(method.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        if (!unsignedFiles.isEmpty()) {
            sb.append(", ").append(unsignedFiles.size()).append(" unsigned file(s) ignored");
        }
        if (!specConformant()) {
            sb.append(", NON-CONFORMANT loaded-files mode (").append(missingFiles.size()).append(" signed missing, ")
                    .append(uncheckedFiles.size()).append(" not checked)");
        }
        return sb.toString();
    }
}
