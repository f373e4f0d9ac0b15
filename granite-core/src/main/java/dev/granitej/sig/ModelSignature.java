package dev.granitej.sig;

import com.fasterxml.jackson.databind.JsonNode;
import dev.granitej.sig.ModelVerificationException.Reason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * Verifies an OpenSSF model-signing ({@code model_signing}) signature over a model directory before any of its
 * weights are opened: the bundle layers (Sigstore bundle v0.3, DSSE, in-toto statement, model-signing v1.0
 * predicate), the signer under the configured {@link VerificationPolicy}, and every signed file's digest.
 */
public final class ModelSignature {

    private static final Logger LOG = LoggerFactory.getLogger(ModelSignature.class);

    private ModelSignature() {
    }

    /**
     * Verifies {@code modelPath} (a directory, or a single signed file).
     *
     * @return who signed and what was checked
     * @throws ModelVerificationException naming the failed check ({@link ModelVerificationException#reason()}) and
     *                                    the file concerned
     */
    public static VerificationResult verify(Path modelPath, VerificationOptions options)
            throws ModelVerificationException {
        Path signatureFile = options.signatureFile() != null ? options.signatureFile()
                : (Files.isDirectory(modelPath) ? modelPath : modelPath.toAbsolutePath().getParent())
                .resolve(VerificationOptions.DEFAULT_SIGNATURE_NAME);
        byte[] bundleBytes = readBundle(signatureFile);
        String bundleSha256 = Crypto.hex(Crypto.sha256(bundleBytes));
        Bundle bundle = Bundle.parse(bundleBytes);
        if (SignedManifest.isLegacy(bundle.payload())) {
            throw new ModelVerificationException(Reason.UNSUPPORTED_LEGACY_FORMAT, "unsupported legacy bundle format "
                    + "(model_signing v0.2.0, " + SignedManifest.LEGACY_PREDICATE + "); re-sign with v1.0 or later");
        }
        SignerVerifier.Signer signer = SignerVerifier.verify(bundle, options.policy(), Instant.now());
        SignedManifest manifest = SignedManifest.parse(bundle.payload());
        ManifestVerifier.Report report = ManifestVerifier.verify(modelPath, signatureFile, manifest, options,
                bundleSha256);
        VerificationResult result = new VerificationResult(signer.method(), signer.identity(),
                Optional.ofNullable(signer.issuer()), Optional.ofNullable(signer.logEntry()), manifest.rootDigest(),
                bundleSha256, options.mode(), report.files(), report.unsigned(), report.missing(), report.unchecked(),
                signer.notes());
        LOG.info("model signature of {}: {}", modelPath, result.summary());
        return result;
    }

    /**
     * The default policy for a checkpoint, if it is one IBM signs: a directory whose name starts with
     * {@code granite-4.0}, or whose {@code config.json} names an {@code ibm-granite/} model, gets
     * {@link VerificationPolicy#ibmDefault()}.
     */
    public static Optional<VerificationPolicy> defaultPolicyFor(Path modelDir) {
        return isIbmGranite(modelDir) ? Optional.of(VerificationPolicy.ibmDefault()) : Optional.empty();
    }

    static boolean isIbmGranite(Path modelDir) {
        Path name = modelDir.toAbsolutePath().normalize().getFileName();
        if (name != null && name.toString().toLowerCase(Locale.ROOT).startsWith("granite-4.0")) {
            return true;
        }
        Path config = modelDir.resolve("config.json");
        try {
            if (Files.isRegularFile(config) && Files.size(config) < (1 << 20)) {
                JsonNode n = StrictJson.parse(Files.readAllBytes(config), "config.json", Reason.BUNDLE_MALFORMED);
                return n.path("_name_or_path").asText("").startsWith("ibm-granite/");
            }
        } catch (IOException | ModelVerificationException e) {
            LOG.debug("cannot read {} to choose a signature policy: {}", config, e.getMessage());
        }
        return false;
    }

    private static byte[] readBundle(Path file) throws ModelVerificationException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(Bundle.MAX_BUNDLE_BYTES + 1);
            if (bytes.length > Bundle.MAX_BUNDLE_BYTES) {
                throw new ModelVerificationException(Reason.BUNDLE_TOO_LARGE,
                        file + " exceeds " + Bundle.MAX_BUNDLE_BYTES + " bytes");
            }
            return bytes;
        } catch (NoSuchFileException e) {
            throw new ModelVerificationException(Reason.SIGNATURE_FILE_MISSING, "signature file " + file
                    + " does not exist", e);
        } catch (IOException e) {
            throw new ModelVerificationException(Reason.SIGNATURE_FILE_MISSING, "cannot read signature file " + file
                    + ": " + e.getMessage(), e);
        }
    }
}
