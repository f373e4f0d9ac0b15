package dev.granitej.api;

import dev.granitej.sig.ProgressListener;
import dev.granitej.sig.VerificationOptions;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether {@link Granite#load} verifies the checkpoint's {@code model.sig} before it maps any weight.
 *
 * <ul>
 *   <li>{@link #required(VerificationOptions)}: verify with the given policy; a missing or failing signature
 *       stops the load.</li>
 *   <li>{@link #auto()} (the default): when the checkpoint has a {@code model.sig} and a default policy is known
 *       for it (IBM's identity policy for checkpoints named like IBM's), verify exactly as {@code required};
 *       otherwise load without verifying and log a warning if a signature was present.</li>
 *   <li>{@link #none()}: never verify.</li>
 * </ul>
 */
public final class Verification {

    private enum Kind { NONE, AUTO, REQUIRED }

    private static final Verification NONE = new Verification(Kind.NONE, null);
    private static final Verification AUTO = new Verification(Kind.AUTO, null);

    private final Kind kind;
    private final VerificationOptions options;
    private final ProgressListener progress;

    private Verification(Kind kind, VerificationOptions options, ProgressListener progress) {
        this.kind = kind;
        this.options = options;
        this.progress = progress;
    }

    private Verification(Kind kind, VerificationOptions options) {
        this(kind, options, null);
    }

    /** The same verification, reporting hashing progress to {@code listener} (e.g. a progress bar). */
    public Verification withProgress(ProgressListener listener) {
        return new Verification(kind, options, java.util.Objects.requireNonNull(listener, "listener"));
    }

    /** Applies the progress listener, if any, to the options that will be used. */
    VerificationOptions withListener(VerificationOptions o) {
        return progress == null ? o : o.withProgress(progress);
    }

    public static Verification none() {
        return NONE;
    }

    public static Verification auto() {
        return AUTO;
    }

    public static Verification required(VerificationOptions options) {
        return new Verification(Kind.REQUIRED, Objects.requireNonNull(options, "options"));
    }

    boolean isAuto() {
        return kind == Kind.AUTO;
    }

    Optional<VerificationOptions> options() {
        return Optional.ofNullable(options);
    }

    @Override
    public String toString() {
        return kind == Kind.REQUIRED ? "required(" + options.policy() + ")" : kind.name().toLowerCase();
    }
}
