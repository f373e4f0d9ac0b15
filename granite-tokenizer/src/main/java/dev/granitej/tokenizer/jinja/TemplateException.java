package dev.granitej.tokenizer.jinja;

/** A template that cannot be parsed or rendered (including {@code raise_exception} called by the template). */
public class TemplateException extends RuntimeException {
    public TemplateException(String message) {
        super(message);
    }

    public TemplateException(String message, Throwable cause) {
        super(message, cause);
    }
}
