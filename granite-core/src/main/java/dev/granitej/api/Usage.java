package dev.granitej.api;

import java.time.Duration;

/**
 * Token counts and timings of one generation.
 *
 * @param promptTokens    tokens of the request's prompt
 * @param reusedTokens    prompt tokens already in the session's state, so not prefilled again
 * @param generatedTokens tokens produced
 * @param prefill         time spent feeding the prompt
 * @param decode          time spent generating
 */
public record Usage(int promptTokens, int reusedTokens, int generatedTokens, Duration prefill, Duration decode) {

    /** Generated tokens per second of decode time. */
    public double decodeTokensPerSecond() {
        double s = decode.toNanos() / 1e9;
        return s > 0 ? generatedTokens / s : 0;
    }

    /** Prompt tokens (excluding reused ones) per second of prefill time. */
    public double prefillTokensPerSecond() {
        double s = prefill.toNanos() / 1e9;
        return s > 0 ? (promptTokens - reusedTokens) / s : 0;
    }
}
