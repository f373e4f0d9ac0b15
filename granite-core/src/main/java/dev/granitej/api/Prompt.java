package dev.granitej.api;

import dev.granitej.tokenizer.chat.ChatRequest;
import dev.granitej.tokenizer.chat.Message;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** The input of a generation: token ids, plain text, or a chat conversation rendered by the chat template. */
public sealed interface Prompt permits Prompt.Tokens, Prompt.Text, ChatPrompt {

    /** Token ids, fed as they are. */
    static Prompt tokens(int... ids) {
        return new Tokens(ids);
    }

    /** Text encoded by the checkpoint's tokenizer; special-token text such as {@code <|end_of_text|>} is recognised. */
    static Prompt text(String text) {
        return new Text(text, false);
    }

    /** Text from an untrusted source: special-token text is encoded as plain text, so it cannot inject control tokens. */
    static Prompt untrustedText(String text) {
        return new Text(text, true);
    }

    /**
     * A conversation ({@link Message}s) ending with the opening of an assistant turn; contents are untrusted.
     */
    static Prompt chat(List<Message> messages) {
        return new ChatPrompt(ChatRequest.of(messages), true);
    }

    /** A full chat request (tools, documents, template variables); contents are untrusted. */
    static Prompt chat(ChatRequest request) {
        return new ChatPrompt(request, true);
    }

    /** A chat request whose contents may contain special-token text that must act as such (transformers' default). */
    static Prompt trustedChat(ChatRequest request) {
        return new ChatPrompt(request, false);
    }

    /** Token ids. */
    record Tokens(int[] ids) implements Prompt {
        public Tokens {
            ids = ids.clone();
        }

        @Override
        public int[] ids() {
            return ids.clone();
        }

        @Override
        public String toString() {
            return "Tokens" + Arrays.toString(ids);
        }
    }

    /** Plain text. */
    record Text(String text, boolean specialTokensAsText) implements Prompt {
        public Text {
            Objects.requireNonNull(text, "text");
        }
    }
}
