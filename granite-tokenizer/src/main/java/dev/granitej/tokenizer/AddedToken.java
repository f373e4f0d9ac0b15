package dev.granitej.tokenizer;

/**
 * An entry of {@code tokenizer.json}'s {@code added_tokens}: text that is cut out of the input as a single token
 * before pre-tokenization.
 *
 * @param id         the token id
 * @param content    the exact text of the token
 * @param special    whether {@code skipSpecialTokens} decoding drops it (and untrusted encoding ignores it)
 * @param singleWord match only when not surrounded by word characters
 * @param lstrip     the match swallows whitespace on its left
 * @param rstrip     the match swallows whitespace on its right
 * @param normalized matched against the normalized text instead of the raw input
 */
public record AddedToken(int id, String content, boolean special, boolean singleWord, boolean lstrip, boolean rstrip,
                         boolean normalized) {
    public AddedToken {
        if (content == null || content.isEmpty()) {
            throw new IllegalArgumentException("added token " + id + " has empty content");
        }
    }
}
