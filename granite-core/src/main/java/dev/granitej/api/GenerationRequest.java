package dev.granitej.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What to generate: a prompt (token ids, plain text or a chat conversation), how many tokens at most, when to
 * stop and how to sample. Immutable; build with {@link #builder(Prompt)} or the shortcuts.
 *
 * <pre>{@code
 * GenerationRequest r = GenerationRequest.builder(Prompt.text("def fibonacci(n):\n"))
 *         .maxTokens(64)
 *         .sampling(SamplingParams.greedy())
 *         .stopStrings(List.of("\n\n"))
 *         .build();
 * }</pre>
 */
public final class GenerationRequest {

    /** Tokens generated at most when the builder is not told otherwise. */
    public static final int DEFAULT_MAX_TOKENS = 256;

    private final Prompt prompt;
    private final int maxTokens;
    private final Set<Integer> stopTokenIds;
    private final List<String> stopStrings;
    private final SamplingParams sampling;
    private final int topLogprobs;
    private final boolean logprobs;
    private final Duration timeout;

    private GenerationRequest(Builder b) {
        this.prompt = b.prompt;
        this.maxTokens = b.maxTokens;
        this.stopTokenIds = b.stopTokenIds == null ? null : Set.copyOf(b.stopTokenIds);
        this.stopStrings = List.copyOf(b.stopStrings);
        this.sampling = b.sampling;
        this.logprobs = b.logprobs;
        this.topLogprobs = b.topLogprobs;
        this.timeout = b.timeout;
    }

    /** A builder for a request with the given prompt. */
    public static Builder builder(Prompt prompt) {
        return new Builder(prompt);
    }

    /** Greedy generation of at most {@code maxTokens} tokens after {@code text}. */
    public static GenerationRequest ofText(String text, int maxTokens) {
        return builder(Prompt.text(text)).maxTokens(maxTokens).build();
    }

    /** Greedy generation of at most {@code maxTokens} tokens after the given token ids. */
    public static GenerationRequest ofTokens(int[] ids, int maxTokens) {
        return builder(Prompt.tokens(ids)).maxTokens(maxTokens).build();
    }

    public Prompt prompt() {
        return prompt;
    }

    public int maxTokens() {
        return maxTokens;
    }

    /** The stop token ids, or empty to use the checkpoint's default (its {@code generation_config.json}). */
    public Optional<Set<Integer>> stopTokenIds() {
        return Optional.ofNullable(stopTokenIds);
    }

    public List<String> stopStrings() {
        return stopStrings;
    }

    public SamplingParams sampling() {
        return sampling;
    }

    /** Whether per-token log-probabilities are returned. */
    public boolean logprobs() {
        return logprobs;
    }

    /** How many alternatives each log-probability entry lists. */
    public int topLogprobs() {
        return topLogprobs;
    }

    /** The time allowed for the whole generation, if limited. */
    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    /** Builder of {@link GenerationRequest}; each setter validates its argument. */
    public static final class Builder {
        private final Prompt prompt;
        private int maxTokens = DEFAULT_MAX_TOKENS;
        private Set<Integer> stopTokenIds;
        private List<String> stopStrings = new ArrayList<>();
        private SamplingParams sampling = SamplingParams.greedy();
        private boolean logprobs;
        private int topLogprobs;
        private Duration timeout;

        private Builder(Prompt prompt) {
            this.prompt = Objects.requireNonNull(prompt, "prompt");
        }

        /** Tokens generated at most (&ge; 0). */
        public Builder maxTokens(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("maxTokens must be >= 0, was " + n);
            }
            this.maxTokens = n;
            return this;
        }

        /** Token ids that end the generation (not included in the output); replaces the checkpoint default. */
        public Builder stopTokenIds(Set<Integer> ids) {
            for (Integer id : ids) {
                if (id == null || id < 0) {
                    throw new IllegalArgumentException("stop token ids must be >= 0, got " + id);
                }
            }
            this.stopTokenIds = Set.copyOf(ids);
            return this;
        }

        /** Strings that end the generation when the output contains them; the text stops before the match. */
        public Builder stopStrings(List<String> strings) {
            for (String s : strings) {
                if (s == null || s.isEmpty()) {
                    throw new IllegalArgumentException("stop strings must not be empty");
                }
            }
            this.stopStrings = new ArrayList<>(strings);
            return this;
        }

        public Builder sampling(SamplingParams params) {
            this.sampling = Objects.requireNonNull(params, "sampling");
            return this;
        }

        /** Returns the log-probability of each generated token and of the {@code top} most likely alternatives. */
        public Builder logprobs(int top) {
            if (top < 0 || top > 20) {
                throw new IllegalArgumentException("top logprobs must be in [0, 20], was " + top);
            }
            this.logprobs = true;
            this.topLogprobs = top;
            return this;
        }

        /** Ends the generation with {@link FinishReason#DEADLINE} once this much time has passed. */
        public Builder timeout(Duration d) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, was " + d);
            }
            this.timeout = d;
            return this;
        }

        public GenerationRequest build() {
            return new GenerationRequest(this);
        }
    }

    @Override
    public String toString() {
        return "GenerationRequest[" + prompt + ", maxTokens=" + maxTokens + ", stopTokenIds=" + stopTokenIds
                + ", stopStrings=" + stopStrings + ", " + sampling + "]";
    }

}
