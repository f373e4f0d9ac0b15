package dev.granitej.tokenizer.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.granitej.tokenizer.jinja.Values;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A function call requested by the assistant.
 *
 * @param id        the client's call id, or null (templates such as Granite's ignore it)
 * @param name      the function name
 * @param arguments the arguments: a JSON object, or a JSON string node holding JSON text, which chat templates
 *                  print verbatim (models sometimes emit arguments as a string)
 */
public record ToolCall(String id, String name, JsonNode arguments) implements Values.TemplateValue {
    public ToolCall {
        Objects.requireNonNull(name, "name");
        arguments = arguments == null ? JsonNodeFactory.instance.objectNode() : arguments;
    }

    public static ToolCall of(String name, ObjectNode arguments) {
        return new ToolCall(null, name, arguments);
    }

    /** The OpenAI shape transformers passes to templates: {@code {"id", "type": "function", "function": {...}}}. */
    @Override
    public Object toTemplateValue() {
        Map<String, Object> function = new LinkedHashMap<>();
        function.put("name", name);
        function.put("arguments", arguments);
        Map<String, Object> call = new LinkedHashMap<>();
        if (id != null) {
            call.put("id", id);
        }
        call.put("type", "function");
        call.put("function", function);
        return call;
    }
}
