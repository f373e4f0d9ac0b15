package dev.granitej.model;

/** Feeding more tokens would exceed the sequence's context limit; nothing was consumed. */
public final class ContextOverflowException extends RuntimeException {

    private final int position;
    private final int requested;
    private final int limit;

    public ContextOverflowException(int position, int requested, int limit) {
        super("context full: " + position + " tokens held + " + requested + " new > limit " + limit);
        this.position = position;
        this.requested = requested;
        this.limit = limit;
    }

    /** Tokens the sequence held. */
    public int position() {
        return position;
    }

    /** Tokens that were offered. */
    public int requested() {
        return requested;
    }

    /** The sequence's context limit. */
    public int limit() {
        return limit;
    }
}
