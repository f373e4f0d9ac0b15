package dev.granitej.tokenizer.chat;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The inputs of a chat-template render, as transformers' {@code apply_chat_template} takes them.
 *
 * @param messages            {@link Message}s, Jackson nodes or maps (rendered as the dicts the template expects)
 * @param tools               tool JSON schemas (nodes or maps), or null for none
 * @param documents           documents for retrieval-augmented prompts (nodes or maps), or null for none
 * @param addGenerationPrompt whether to end with the opening of an assistant turn
 * @param extra               further template variables (they override the tokenizer's special-token variables)
 */
public record ChatRequest(List<?> messages, List<?> tools, List<?> documents, boolean addGenerationPrompt,
                          Map<String, ?> extra) {

    public ChatRequest {
        if (messages == null || messages.isEmpty()) {
            throw new IllegalArgumentException("a chat request needs at least one message");
        }
        messages = List.copyOf(messages);
        tools = tools == null ? null : List.copyOf(tools);
        documents = documents == null ? null : List.copyOf(documents);
        extra = extra == null ? Map.of() : Map.copyOf(extra);
    }

    /** Messages only, with the generation prompt (the usual request to generate the next assistant turn). */
    public static ChatRequest of(List<?> messages) {
        return new ChatRequest(messages, null, null, true, Map.of());
    }

    /**
     * Reads {@code {"messages": [...], "tools": [...], "documents": [...], "add_generation_prompt": bool, ...}};
     * other fields become extra template variables. JSON numbers keep their int/float distinction.
     */
    public static ChatRequest fromJson(JsonNode json) {
        if (json == null || !json.isObject() || !json.path("messages").isArray()) {
            throw new IllegalArgumentException("chat request must be a JSON object with a \"messages\" array");
        }
        Map<String, Object> extra = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!List.of("messages", "tools", "documents", "add_generation_prompt").contains(e.getKey())) {
                extra.put(e.getKey(), e.getValue());
            }
        }
        return new ChatRequest(list(json.get("messages")), list(json.get("tools")), list(json.get("documents")),
                json.path("add_generation_prompt").asBoolean(false), extra);
    }

    private static List<JsonNode> list(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isArray()) {
            throw new IllegalArgumentException("expected a JSON array, got " + node.getNodeType());
        }
        List<JsonNode> out = new ArrayList<>();
        node.forEach(out::add);
        return out;
    }
}
