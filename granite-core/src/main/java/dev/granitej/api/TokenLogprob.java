package dev.granitej.api;

import java.util.List;

/**
 * The log-probability the model gave a generated token (before sampling transforms), with the most likely
 * alternatives when asked for.
 *
 * @param tokenId      the generated token
 * @param logprob      its natural-log probability
 * @param alternatives the top tokens at that step, most likely first (empty unless requested)
 */
public record TokenLogprob(int tokenId, float logprob, List<Alternative> alternatives) {

    public TokenLogprob {
        alternatives = List.copyOf(alternatives);
    }

    /** A candidate token and its log-probability. */
    public record Alternative(int tokenId, float logprob) {
    }
}
