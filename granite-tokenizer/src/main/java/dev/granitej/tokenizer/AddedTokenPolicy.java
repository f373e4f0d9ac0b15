package dev.granitej.tokenizer;

/** Which added-token strings in the input become their single token id. */
public enum AddedTokenPolicy {
    /** Every added token (special or not) is recognised, as Hugging Face does by default. */
    RECOGNIZE_ALL,
    /**
     * Special tokens are encoded as plain text, non-special added tokens are still recognised (HF's
     * {@code split_special_tokens=True}).
     */
    SPECIAL_AS_TEXT,
    /**
     * No added token is recognised: all text is ordinary text. Use this for untrusted input so that a user cannot
     * inject control tokens such as {@code <|start_of_role|>} or {@code <tool_call>}.
     */
    ALL_AS_TEXT
}
