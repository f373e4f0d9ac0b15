package dev.granitej.api;

import dev.granitej.tokenizer.chat.ToolCall;
import dev.granitej.tokenizer.chat.ToolCallParser;
import java.util.List;

/**
 * The outcome of one generation. For chat models that call tools, {@link #toolCalls()} holds the parsed
 * {@code <tool_call>} blocks and {@link #toolCallErrors()} those that were not valid JSON (reported, never
 * dropped silently).
 *
 * @param text         the generated text (without a matched stop string or stop token)
 * @param tokenIds     the generated token ids (without the stop token)
 * @param finishReason why it ended
 * @param toolCalls    tool calls parsed from the text, when the model made any
 * @param toolCallErrors tool-call blocks that could not be parsed, with the reason
 * @param usage        token counts and timings
 * @param logprobs     per-token log-probabilities, when requested (else empty)
 * @param seed         the random seed the sampler used (reuse it to reproduce a sampled run)
 */
public record GenerationResult(String text, int[] tokenIds, FinishReason finishReason, List<ToolCall> toolCalls,
                               List<ToolCallParser.ToolCallError> toolCallErrors, Usage usage,
                               List<TokenLogprob> logprobs, long seed) {

    public GenerationResult {
        tokenIds = tokenIds.clone();
        toolCalls = List.copyOf(toolCalls);
        toolCallErrors = List.copyOf(toolCallErrors);
        logprobs = List.copyOf(logprobs);
    }

    @Override
    public int[] tokenIds() {
        return tokenIds.clone();
    }
}
