package dev.granitej.api;

/**
 * How to load a model.
 *
 * @param maxContext     the default context limit of new sessions, in tokens
 * @param maxBatch       sessions stepped together at most in one batched decode step
 */
public record LoadOptions(int maxContext, int maxBatch) {

    public LoadOptions {
        if (maxContext <= 0) {
            throw new IllegalArgumentException("maxContext must be positive, was " + maxContext);
        }
        if (maxBatch <= 0) {
            throw new IllegalArgumentException("maxBatch must be positive, was " + maxBatch);
        }
    }

    /** Context 8192 tokens (or less where the model was trained on less), batches of up to 32 sessions. */
    public static LoadOptions defaults() {
        return new LoadOptions(8192, 32);
    }

    public LoadOptions withMaxContext(int tokens) {
        return new LoadOptions(tokens, maxBatch);
    }

    public LoadOptions withMaxBatch(int sessions) {
        return new LoadOptions(maxContext, sessions);
    }
}
