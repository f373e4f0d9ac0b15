package dev.granitej.tokenizer.chat;

import dev.granitej.tokenizer.AddedToken;
import dev.granitej.tokenizer.Tokenizer;
import dev.granitej.tokenizer.TokenizerLoadException;
import dev.granitej.tokenizer.jinja.Values;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A checkpoint's tokenizer together with its chat template (if it has one): render and encode conversations.
 *
 * <p>{@link #encode(ChatRequest)} matches {@code apply_chat_template(tokenize=True)}: special-token text anywhere,
 * including inside message content, becomes the special token. {@link #encodeUntrusted(ChatRequest)} is the safe
 * choice for user-supplied conversations: added-token text inside message contents and documents is encoded as
 * plain text, so a user cannot forge {@code <|start_of_role|>} or {@code <tool_call>}; the template's own markup
 * still becomes control tokens.
 */
public final class ChatTokenizer {

    /** Brackets added-token text from untrusted content during rendering (Unicode noncharacters). */
    static final char PLAIN_OPEN = '\uFDD0';
    static final char PLAIN_CLOSE = '\uFDD1';

    private final Tokenizer tokenizer;
    private final ChatTemplate template;
    private final List<String> addedTexts;

    public ChatTokenizer(Tokenizer tokenizer, ChatTemplate template) {
        this.tokenizer = tokenizer;
        this.template = template;
        this.addedTexts = tokenizer.addedTokens().stream().map(AddedToken::content)
                .sorted(Comparator.comparingInt(String::length).reversed()).toList();
    }

    /**
     * Loads {@code tokenizer.json} and, when present, the chat template of {@code tokenizer_config.json} (or
     * {@code chat_template.jinja}) from a checkpoint directory.
     */
    public static ChatTokenizer load(Path modelDir) {
        Tokenizer tokenizer = Tokenizer.fromFile(modelDir.resolve("tokenizer.json"));
        ChatTemplate template = null;
        Path config = modelDir.resolve("tokenizer_config.json");
        if (Files.isRegularFile(config) || Files.isRegularFile(modelDir.resolve("chat_template.jinja"))) {
            try {
                template = ChatTemplate.fromTokenizerConfig(config);
            } catch (TokenizerLoadException noTemplate) {
                if (!noTemplate.getMessage().contains("has no chat_template")) {
                    throw noTemplate;
                }
            }
        }
        return new ChatTokenizer(tokenizer, template);
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** The chat template, if the checkpoint has one. */
    public Optional<ChatTemplate> template() {
        return Optional.ofNullable(template);
    }

    private ChatTemplate requireTemplate() {
        if (template == null) {
            throw new IllegalStateException("this checkpoint has no chat template (tokenizer_config.json chat_template)");
        }
        return template;
    }

    /** The rendered prompt text. */
    public String render(ChatRequest request) {
        return requireTemplate().render(request);
    }

    /** Renders and encodes, recognising special-token text everywhere (transformers' default). */
    public int[] encode(ChatRequest request) {
        return tokenizer.encode(render(request));
    }

    /** Renders and encodes with message contents and documents treated as untrusted plain text. */
    public int[] encodeUntrusted(ChatRequest request) {
        List<Object> messages = new ArrayList<>();
        for (Object m : request.messages()) {
            messages.add(protectMessage(Values.normalize(m)));
        }
        List<Object> documents = null;
        if (request.documents() != null) {
            documents = new ArrayList<>();
            for (Object d : request.documents()) {
                documents.add(protectAll(Values.normalize(d)));
            }
        }
        String marked = requireTemplate().render(messages, request.tools(), documents, request.addGenerationPrompt(),
                request.extra());
        StringBuilder text = new StringBuilder(marked.length());
        List<Integer> ranges = new ArrayList<>();
        for (int i = 0; i < marked.length(); i++) {
            char c = marked.charAt(i);
            if (c == PLAIN_OPEN) {
                ranges.add(text.length());
            } else if (c == PLAIN_CLOSE) {
                ranges.add(text.length());
            } else {
                text.append(c);
            }
        }
        if (ranges.size() % 2 != 0) {
            throw new IllegalStateException("the chat template split protected content");
        }
        return tokenizer.encodeWithPlainRanges(text.toString(), ranges.stream().mapToInt(Integer::intValue).toArray());
    }

    private Object protectMessage(Object message) {
        if (!(message instanceof Map<?, ?> m)) {
            return message;
        }
        Map<Object, Object> copy = new LinkedHashMap<>(m);
        if (copy.containsKey("content")) {
            copy.put("content", protectAll(copy.get("content")));
        }
        return copy;
    }

    /** Brackets added-token text in every string of a value. */
    private Object protectAll(Object v) {
        if (v instanceof String s) {
            return protect(s);
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            l.forEach(o -> out.add(protectAll(o)));
            return out;
        }
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, o) -> out.put(k, protectAll(o)));
            return out;
        }
        return v;
    }

    String protect(String s) {
        if (s.indexOf(PLAIN_OPEN) >= 0 || s.indexOf(PLAIN_CLOSE) >= 0) {
            throw new IllegalArgumentException("message content contains the noncharacter U+FDD0 or U+FDD1");
        }
        StringBuilder sb = null;
        int i = 0;
        int copied = 0;
        while (i < s.length()) {
            String hit = null;
            for (String t : addedTexts) {
                if (s.startsWith(t, i)) {
                    hit = t;
                    break;
                }
            }
            if (hit == null) {
                i++;
                continue;
            }
            if (sb == null) {
                sb = new StringBuilder(s.length() + 16);
            }
            sb.append(s, copied, i).append(PLAIN_OPEN).append(hit).append(PLAIN_CLOSE);
            i += hit.length();
            copied = i;
        }
        return sb == null ? s : sb.append(s, copied, s.length()).toString();
    }
}
