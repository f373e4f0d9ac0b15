package dev.granitej.api;

import java.util.List;

/**
 * The outcome of one generation.
 *
 * @param text         the generated text (without a matched stop string or stop token)
 * @param tokenIds     the generated token ids (without the stop token)
 * @param finishReason why it ended
 * @param toolCalls    tool calls parsed from the text, when the model made any
 * @param usage        token counts and timings
 * @param logprobs     per-token log-probabilities, when requested (else empty)
 * @param seed         the random seed the sampler used (reuse it to reproduce a sampled run)
 */
public record GenerationResult(String text, int[] tokenIds, FinishReason finishReason, List<Object> toolCalls,
                               Usage usage, List<TokenLogprob> logprobs, long seed) {

    public GenerationResult {
        tokenIds = tokenIds.clone();
        toolCalls = List.copyOf(toolCalls);
        logprobs = List.copyOf(logprobs);
    }

    @Override
    public int[] tokenIds() {
        return tokenIds.clone();
    }
}
