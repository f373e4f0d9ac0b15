package dev.granitej.cli;

import dev.granitej.api.SamplingParams;
import java.util.Set;

/** The sampling flags shared by {@code generate} and {@code chat}. */
final class SamplingOptions {

    static final Set<String> NAMES = Set.of("temperature", "top-k", "top-p", "min-p", "repetition-penalty",
            "presence-penalty", "frequency-penalty", "seed");

    private SamplingOptions() {
    }

    static SamplingParams from(Args a, float defaultTemperature) {
        SamplingParams p = SamplingParams.greedy()
                .withTemperature(a.getFloat("temperature", defaultTemperature))
                .withTopK(a.getInt("top-k", 0))
                .withTopP(a.getFloat("top-p", 1f))
                .withMinP(a.getFloat("min-p", 0f))
                .withRepetitionPenalty(a.getFloat("repetition-penalty", 1f))
                .withPresencePenalty(a.getFloat("presence-penalty", 0f))
                .withFrequencyPenalty(a.getFloat("frequency-penalty", 0f));
        if (a.has("seed")) {
            try {
                p = p.withSeed(Long.parseLong(a.get("seed", "0")));
            } catch (NumberFormatException e) {
                throw new UsageException("--seed must be an integer");
            }
        }
        return p;
    }
}
