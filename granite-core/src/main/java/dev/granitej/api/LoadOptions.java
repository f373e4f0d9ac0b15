package dev.granitej.api;

/**
 * How to load a model.
 *
 * @param maxContext   the default context limit of new sessions, in tokens
 * @param maxBatch     sessions stepped together at most in one batched decode step
 * @param verification whether and how {@code model.sig} is verified before any weight is mapped
 */
public record LoadOptions(int maxContext, int maxBatch, Verification verification) {

    public LoadOptions {
        java.util.Objects.requireNonNull(verification, "verification");
        if (maxContext <= 0) {
            throw new IllegalArgumentException("maxContext must be positive, was " + maxContext);
        }
        if (maxBatch <= 0) {
            throw new IllegalArgumentException("maxBatch must be positive, was " + maxBatch);
        }
    }

    /** Context 8192 tokens, batches of up to 32 sessions, {@link Verification#auto()}. */
    public static LoadOptions defaults() {
        return new LoadOptions(8192, 32, Verification.auto());
    }

    public LoadOptions withMaxContext(int tokens) {
        return new LoadOptions(tokens, maxBatch, verification);
    }

    public LoadOptions withMaxBatch(int sessions) {
        return new LoadOptions(maxContext, sessions, verification);
    }

    public LoadOptions withVerification(Verification v) {
        return new LoadOptions(maxContext, maxBatch, v);
    }
}
