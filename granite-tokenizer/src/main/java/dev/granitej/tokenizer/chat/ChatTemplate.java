package dev.granitej.tokenizer.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.granitej.tokenizer.TokenizerLoadException;
import dev.granitej.tokenizer.jinja.Template;
import dev.granitej.tokenizer.jinja.TemplateException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A checkpoint's Jinja chat template, rendered as transformers' {@code apply_chat_template} does (same jinja2
 * settings, Python-compatible {@code tojson}, {@code raise_exception}, {@code strftime_now}, and the special
 * tokens of {@code tokenizer_config.json} as variables). The template is read from the checkpoint, never
 * hard-coded, because fine-tuned models change it. Immutable and thread-safe.
 */
public final class ChatTemplate {

    private static final List<String> SPECIAL_TOKEN_KEYS = List.of("bos_token", "eos_token", "pad_token", "unk_token");

    private final String source;
    private final Template template;
    private final Map<String, Object> defaults;

    private ChatTemplate(String source, Map<String, Object> defaults) {
        this.source = source;
        this.template = Template.parse(source);
        this.defaults = Map.copyOf(defaults);
    }

    /**
     * A template from source text.
     *
     * @param variables default variables (for example {@code bos_token}); request values override them
     * @throws TemplateException if the source cannot be parsed
     */
    public static ChatTemplate of(String source, Map<String, ?> variables) {
        return new ChatTemplate(source, new HashMap<>(variables));
    }

    /**
     * Loads the {@code chat_template} of a {@code tokenizer_config.json} (a string, or the {@code default} entry of
     * a list of named templates); when the config has none, a {@code chat_template.jinja} beside it is used.
     * The config's {@code bos_token}/{@code eos_token}/{@code pad_token}/{@code unk_token} become variables.
     *
     * @throws TokenizerLoadException if the file cannot be read or no template is found
     */
    public static ChatTemplate fromTokenizerConfig(Path tokenizerConfigJson) {
        JsonNode config;
        try {
            config = new ObjectMapper().readTree(tokenizerConfigJson.toFile());
        } catch (IOException e) {
            throw new TokenizerLoadException("cannot read " + tokenizerConfigJson + ": " + e.getMessage(), e);
        }
        Map<String, Object> vars = new LinkedHashMap<>();
        for (String key : SPECIAL_TOKEN_KEYS) {
            JsonNode t = config.path(key);
            if (t.isTextual()) {
                vars.put(key, t.asText());
            } else if (t.path("content").isTextual()) {
                vars.put(key, t.path("content").asText());
            }
        }
        String source = templateSource(config.path("chat_template"), tokenizerConfigJson);
        if (source == null) {
            Path jinja = tokenizerConfigJson.resolveSibling("chat_template.jinja");
            if (!Files.isRegularFile(jinja)) {
                throw new TokenizerLoadException(tokenizerConfigJson + " has no chat_template and there is no "
                        + jinja.getFileName() + " beside it");
            }
            try {
                source = Files.readString(jinja);
            } catch (IOException e) {
                throw new TokenizerLoadException("cannot read " + jinja + ": " + e.getMessage(), e);
            }
        }
        try {
            return new ChatTemplate(source, vars);
        } catch (TemplateException e) {
            throw new TokenizerLoadException(tokenizerConfigJson + ": chat_template cannot be parsed: " + e.getMessage(), e);
        }
    }

    private static String templateSource(JsonNode node, Path file) {
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isArray()) {
            for (JsonNode named : node) {
                if ("default".equals(named.path("name").asText())) {
                    return named.path("template").asText();
                }
            }
            throw new TokenizerLoadException(file + ": chat_template is a list without a \"default\" entry");
        }
        return null;
    }

    /** The template source. */
    public String source() {
        return source;
    }

    /**
     * Renders a conversation.
     *
     * @param messages            {@link Message}s, Jackson nodes or maps
     * @param tools               tool schemas or null (passed as None)
     * @param documents           documents or null (passed as None)
     * @param addGenerationPrompt append the opening of an assistant turn
     * @param extra               further variables, may be null
     * @throws TemplateException if rendering fails, including the template's own {@code raise_exception}
     */
    public String render(List<?> messages, List<?> tools, List<?> documents, boolean addGenerationPrompt,
                         Map<String, ?> extra) {
        Map<String, Object> vars = new HashMap<>(defaults);
        vars.put("messages", messages);
        vars.put("tools", tools);
        vars.put("documents", documents);
        vars.put("add_generation_prompt", addGenerationPrompt);
        if (extra != null) {
            vars.putAll(extra);
        }
        return template.render(vars);
    }

    /** Renders a request. */
    public String render(ChatRequest request) {
        return render(request.messages(), request.tools(), request.documents(), request.addGenerationPrompt(),
                request.extra());
    }
}
