package dev.granitej.tokenizer.chat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.granitej.tokenizer.jinja.Values;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One chat message as chat templates see it.
 *
 * @param role      {@code system}, {@code user}, {@code assistant}, {@code tool} (or any role a template knows)
 * @param content   a {@link String}, a list of content parts ({@code {"type": "text", "text": …}} maps or JSON),
 *                  or null
 * @param toolCalls the assistant's tool calls (empty when none)
 * @param extra     further fields passed to the template as they are ({@code tool_call_id}, {@code name}, …)
 */
public record Message(String role, Object content, List<ToolCall> toolCalls, Map<String, Object> extra)
        implements Values.TemplateValue {

    public Message {
        Objects.requireNonNull(role, "role");
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
        extra = extra == null ? Map.of() : Map.copyOf(extra);
    }

    public static Message system(String content) {
        return new Message("system", content, List.of(), Map.of());
    }

    public static Message user(String content) {
        return new Message("user", content, List.of(), Map.of());
    }

    public static Message assistant(String content) {
        return new Message("assistant", content, List.of(), Map.of());
    }

    public static Message assistant(String content, List<ToolCall> toolCalls) {
        return new Message("assistant", content, toolCalls, Map.of());
    }

    /** A tool result; {@code toolCallId} may be null. */
    public static Message tool(String content, String toolCallId) {
        return new Message("tool", content, List.of(), toolCallId == null ? Map.of() : Map.of("tool_call_id", toolCallId));
    }

    /** The dict a template sees: role, content, tool_calls (only when present), then the extra fields. */
    @Override
    public Object toTemplateValue() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        m.put("content", content instanceof JsonNode j ? Values.normalize(j) : content);
        if (!toolCalls.isEmpty()) {
            m.put("tool_calls", toolCalls);
        }
        m.putAll(extra);
        return m;
    }
}
