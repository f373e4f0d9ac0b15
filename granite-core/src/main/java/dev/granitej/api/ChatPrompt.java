package dev.granitej.api;

import dev.granitej.tokenizer.chat.ChatRequest;
import java.util.Objects;

/**
 * A chat conversation, rendered by the checkpoint's own chat template (so fine-tuned templates work) and then
 * tokenized. With {@code untrustedContent} (the default of {@link Prompt#chat}) message contents and documents
 * are encoded as plain text, so text such as {@code <|start_of_role|>} typed by a user cannot inject control
 * tokens; the template's own markup still produces them.
 *
 * @param request          messages, tools, documents, {@code add_generation_prompt} and extra template variables
 * @param untrustedContent whether special-token text inside contents is plain text
 */
public record ChatPrompt(ChatRequest request, boolean untrustedContent) implements Prompt {

    public ChatPrompt {
        Objects.requireNonNull(request, "request");
    }
}
