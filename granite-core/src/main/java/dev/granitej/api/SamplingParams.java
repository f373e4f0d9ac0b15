package dev.granitej.api;

import java.util.Map;
import java.util.OptionalLong;

/**
 * How the next token is chosen from the model's logits. Immutable; start from {@link #greedy()} or
 * {@link #defaults()} and derive variants with the {@code with…} methods. Invalid values are rejected when
 * constructed.
 *
 * <p>Order of application: logit bias, repetition penalty (HF style: positive logits divided, negative
 * multiplied, over prompt and output), presence and frequency penalties (OpenAI style, over the output),
 * then greedy argmax when {@code temperature == 0}, else temperature, top-k, top-p, min-p and a draw from a
 * generator seeded with {@code seed} (the same seed and request give the same output).
 *
 * @param temperature       0 for greedy decoding, else the softmax temperature (&gt; 0)
 * @param topK              keep the k most likely tokens; 0 disables
 * @param topP              keep the smallest set whose probability reaches p, in (0, 1]; 1 disables
 * @param minP              drop tokens below minP × the top probability, in [0, 1); 0 disables
 * @param repetitionPenalty &gt; 0; 1 disables
 * @param presencePenalty   subtracted once from every token already generated
 * @param frequencyPenalty  subtracted per occurrence of a token already generated
 * @param seed              the random seed, or empty for a fresh one per request
 * @param logitBias         added to the logits of the given token ids
 */
public record SamplingParams(float temperature, int topK, float topP, float minP, float repetitionPenalty,
                             float presencePenalty, float frequencyPenalty, OptionalLong seed,
                             Map<Integer, Float> logitBias) {

    public SamplingParams {
        if (!(temperature >= 0) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite number >= 0, was " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("topK must be >= 0 (0 disables), was " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1], was " + topP);
        }
        if (!(minP >= 0 && minP < 1)) {
            throw new IllegalArgumentException("minP must be in [0, 1), was " + minP);
        }
        if (!(repetitionPenalty > 0) || Float.isInfinite(repetitionPenalty)) {
            throw new IllegalArgumentException("repetitionPenalty must be a finite number > 0, was "
                    + repetitionPenalty);
        }
        if (!Float.isFinite(presencePenalty) || !Float.isFinite(frequencyPenalty)) {
            throw new IllegalArgumentException("presence and frequency penalties must be finite");
        }
        seed = seed == null ? OptionalLong.empty() : seed;
        logitBias = Map.copyOf(logitBias == null ? Map.of() : logitBias);
        for (Map.Entry<Integer, Float> e : logitBias.entrySet()) {
            if (e.getKey() < 0 || Float.isNaN(e.getValue())) {
                throw new IllegalArgumentException("invalid logit bias " + e.getKey() + " -> " + e.getValue());
            }
        }
    }

    /** Greedy decoding: always the most likely token. */
    public static SamplingParams greedy() {
        return new SamplingParams(0f, 0, 1f, 0f, 1f, 0f, 0f, OptionalLong.empty(), Map.of());
    }

    /** Temperature 0.7, top-p 0.95: a common default for chat. */
    public static SamplingParams defaults() {
        return greedy().withTemperature(0.7f).withTopP(0.95f);
    }

    public SamplingParams withTemperature(float t) {
        return new SamplingParams(t, topK, topP, minP, repetitionPenalty, presencePenalty, frequencyPenalty, seed,
                logitBias);
    }

    public SamplingParams withTopK(int k) {
        return new SamplingParams(temperature, k, topP, minP, repetitionPenalty, presencePenalty, frequencyPenalty,
                seed, logitBias);
    }

    public SamplingParams withTopP(float p) {
        return new SamplingParams(temperature, topK, p, minP, repetitionPenalty, presencePenalty, frequencyPenalty,
                seed, logitBias);
    }

    public SamplingParams withMinP(float p) {
        return new SamplingParams(temperature, topK, topP, p, repetitionPenalty, presencePenalty, frequencyPenalty,
                seed, logitBias);
    }

    public SamplingParams withRepetitionPenalty(float p) {
        return new SamplingParams(temperature, topK, topP, minP, p, presencePenalty, frequencyPenalty, seed,
                logitBias);
    }

    public SamplingParams withPresencePenalty(float p) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, p, frequencyPenalty, seed,
                logitBias);
    }

    public SamplingParams withFrequencyPenalty(float p) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, presencePenalty, p, seed,
                logitBias);
    }

    public SamplingParams withSeed(long s) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, presencePenalty,
                frequencyPenalty, OptionalLong.of(s), logitBias);
    }

    public SamplingParams withLogitBias(Map<Integer, Float> bias) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, presencePenalty,
                frequencyPenalty, seed, bias);
    }

    /** Whether this always picks the most likely token. */
    public boolean isGreedy() {
        return temperature == 0f;
    }
}
