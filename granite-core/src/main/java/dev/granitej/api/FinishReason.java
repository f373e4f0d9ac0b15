package dev.granitej.api;

/** Why a generation ended. */
public enum FinishReason {
    /** The model produced a stop token (by default the checkpoint's end-of-text token). */
    STOP_TOKEN,
    /** The output reached one of the request's stop strings (which is not part of the text). */
    STOP_STRING,
    /** {@code maxTokens} tokens were generated. */
    LENGTH,
    /** The model finished a turn that calls tools; see {@link GenerationResult#toolCalls()}. */
    TOOL_CALLS,
    /** The caller cancelled the generation. */
    CANCELLED,
    /** The request's deadline passed. */
    DEADLINE,
    /** The session's context is full: no further token fits. */
    CONTEXT_FULL
}
