package dev.granitej.tokenizer;

/**
 * A {@code tokenizer.json} (or tokenizer config) that cannot be loaded: malformed, inconsistent, or using a
 * component this implementation does not support. The message names the file and the offending field.
 */
public class TokenizerLoadException extends RuntimeException {
    public TokenizerLoadException(String message) {
        super(message);
    }

    public TokenizerLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
