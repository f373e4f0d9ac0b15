package dev.granitej.sig.cli;

import dev.granitej.sig.ModelSignature;
import dev.granitej.sig.ModelVerificationException;
import dev.granitej.sig.ProgressListener;
import dev.granitej.sig.SigstoreIdentity;
import dev.granitej.sig.TrustedRoot;
import dev.granitej.sig.VerificationMode;
import dev.granitej.sig.VerificationOptions;
import dev.granitej.sig.VerificationPolicy;
import dev.granitej.sig.VerificationResult;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code granite verify}: checks a checkpoint's {@code model.sig} and prints a one-line summary (stdout) or the
 * failed check (stderr). Exit status 0 when verified, 1 when verification fails, 2 on a usage error.
 */
public final class VerifyCommand {

    static final String USAGE = """
            usage: granite verify --model DIR [method] [options]
              method (one of; Granite 4.0 checkpoints default to IBM's keyless identities):
                --public-key PEM                 trust this EC public key
                --certificate-chain PEM          trust chains to these root certificates (repeatable)
                --identity EMAIL|URI --issuer URL [--trusted-root FILE]
                                                 Sigstore keyless; --identity is repeatable, matched exactly
              options:
                --signature FILE                 the bundle (default DIR/model.sig)
                --ignore-path P                  leave P out of the comparison (repeatable)
                --ignore-unsigned-files          report unsigned files instead of failing
                --loaded-files-only              NON-CONFORMANT: check only the files the engine opens
                --allow-symlinks                 follow symbolic links to files
                --cache-dir DIR | --no-cache     digest cache (default ~/.cache/granitej/model-sig)
            """;

    private VerifyCommand() {
    }

    /** Runs the command; {@code out} gets the summary, {@code err} the progress bar and errors. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Path model = null;
        Path signature = null;
        Path publicKey = null;
        Path trustedRoot = null;
        Path cacheDir = VerificationOptions.defaultCacheDirectory();
        String issuer = null;
        List<Path> chains = new ArrayList<>();
        List<String> identities = new ArrayList<>();
        List<String> ignores = new ArrayList<>();
        VerificationMode mode = VerificationMode.STRICT;
        boolean symlinks = false;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--model" -> model = Path.of(value(args, ++i, a));
                    case "--signature" -> signature = Path.of(value(args, ++i, a));
                    case "--public-key" -> publicKey = Path.of(value(args, ++i, a));
                    case "--certificate-chain" -> chains.add(Path.of(value(args, ++i, a)));
                    case "--identity" -> identities.add(value(args, ++i, a));
                    case "--issuer" -> issuer = value(args, ++i, a);
                    case "--trusted-root" -> trustedRoot = Path.of(value(args, ++i, a));
                    case "--ignore-path" -> ignores.add(value(args, ++i, a));
                    case "--ignore-unsigned-files" -> mode = VerificationMode.IGNORE_UNSIGNED;
                    case "--loaded-files-only" -> mode = VerificationMode.LOADED_FILES_NONCONFORMANT;
                    case "--allow-symlinks" -> symlinks = true;
                    case "--cache-dir" -> cacheDir = Path.of(value(args, ++i, a));
                    case "--no-cache" -> cacheDir = null;
                    case "-h", "--help" -> {
                        out.print(USAGE);
                        return 0;
                    }
                    default -> throw new UsageException("unknown argument '" + a + "'");
                }
            }
            if (model == null) {
                throw new UsageException("--model DIR is required");
            }
            VerificationPolicy policy = policy(model, publicKey, chains, identities, issuer, trustedRoot);
            VerificationOptions options = VerificationOptions.of(policy)
                    .withSignatureFile(signature)
                    .withIgnorePaths(ignores)
                    .withMode(mode)
                    .withAllowSymlinks(symlinks)
                    .withCacheDirectory(cacheDir)
                    .withProgress(new ProgressBar(err));
            VerificationResult result = ModelSignature.verify(model, options);
            err.print("\r\033[K");
            out.println("OK " + model + ": " + result.summary());
            for (String f : result.unsignedFiles()) {
                err.println("note: unsigned file present: " + f);
            }
            for (String f : result.missingFiles()) {
                err.println("note: signed file absent (not opened by the engine): " + f);
            }
            for (String f : result.uncheckedFiles()) {
                err.println("note: signed file not checked (not opened by the engine): " + f);
            }
            result.notes().forEach(n -> err.println("note: " + n));
            return 0;
        } catch (UsageException | IllegalArgumentException e) {
            err.println("granite verify: " + e.getMessage());
            err.print(USAGE);
            return 2;
        } catch (IOException e) {
            err.println("granite verify: " + e.getMessage());
            return 2;
        } catch (ModelVerificationException e) {
            err.print("\r\033[K");
            err.println("FAILED " + model + ": " + e.getMessage());
            return 1;
        }
    }

    private static VerificationPolicy policy(Path model, Path publicKey, List<Path> chains, List<String> identities,
                                             String issuer, Path trustedRoot)
            throws IOException, ModelVerificationException, UsageException {
        int methods = (publicKey != null ? 1 : 0) + (chains.isEmpty() ? 0 : 1) + (identities.isEmpty() ? 0 : 1);
        if (methods > 1) {
            throw new UsageException("choose one of --public-key, --certificate-chain, --identity");
        }
        if (publicKey != null) {
            return VerificationPolicy.publicKey(publicKey);
        }
        if (!chains.isEmpty()) {
            return VerificationPolicy.certificateChain(chains);
        }
        TrustedRoot root = trustedRoot != null ? TrustedRoot.load(trustedRoot) : null;
        if (!identities.isEmpty()) {
            if (issuer == null) {
                throw new UsageException("--identity needs --issuer URL");
            }
            String iss = issuer;
            return new VerificationPolicy.SigstorePolicy(root != null ? root : TrustedRoot.publicGood(),
                    identities.stream().map(id -> new SigstoreIdentity(id, iss)).toList());
        }
        if (issuer != null) {
            throw new UsageException("--issuer needs --identity");
        }
        Optional<VerificationPolicy> ibm = ModelSignature.defaultPolicyFor(model);
        if (ibm.isPresent()) {
            return root != null ? VerificationPolicy.ibmDefault(root) : ibm.get();
        }
        throw new UsageException("no verification method given and " + model
                + " is not an IBM Granite 4.0 checkpoint; use --public-key, --certificate-chain or --identity");
    }

    private static String value(String[] args, int i, String flag) throws UsageException {
        if (i >= args.length) {
            throw new UsageException(flag + " needs a value");
        }
        return args[i];
    }

    /** A bad command line. */
    private static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    /** Draws {@code [#####     ]  50%  1.2 / 2.4 GiB} on one line of the error stream. */
    public static final class ProgressBar implements ProgressListener {
        private static final int WIDTH = 30;
        private final PrintStream err;

        /** A bar drawn on {@code err}. */
        public ProgressBar(PrintStream err) {
            this.err = err;
        }

        @Override
        public void onProgress(long done, long total) {
            if (total <= 0) {
                return;
            }
            int filled = (int) (WIDTH * done / total);
            err.print(String.format(Locale.ROOT, "\rhashing [%s%s] %3d%%  %.1f / %.1f GiB",
                    "#".repeat(filled), " ".repeat(WIDTH - filled), 100 * done / total,
                    done / 1073741824.0, total / 1073741824.0));
            err.flush();
        }
    }
}
