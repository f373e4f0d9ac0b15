package dev.granitej.tokenizer.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;

/**
 * Extracts tool calls from generated text: {@code <tool_call>…</tool_call>} blocks each holding one (or several)
 * JSON objects {@code {"name": …, "arguments": …}}, whitespace around them ignored. Arguments may be an object or
 * a JSON-encoded string (models sometimes stringify them). A block that cannot be understood is reported in
 * {@link Result#errors()}, never dropped silently. A final block left open (generation stopped) is parsed too.
 */
public final class ToolCallParser {

    private static final String OPEN = "<tool_call>";
    private static final String CLOSE = "</tool_call>";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ToolCallParser() {}

    /** A block that could not be turned into a tool call. */
    public record ToolCallError(String block, String message) {}

    /**
     * @param content the text outside the tool-call blocks, trimmed
     * @param calls   the calls in order of appearance
     * @param errors  the blocks that were malformed
     */
    public record Result(String content, List<ToolCall> calls, List<ToolCallError> errors) {
        public Result {
            calls = List.copyOf(calls);
            errors = List.copyOf(errors);
        }

        public boolean hasToolCalls() {
            return !calls.isEmpty();
        }
    }

    public static Result parse(String text) {
        StringBuilder content = new StringBuilder();
        List<ToolCall> calls = new ArrayList<>();
        List<ToolCallError> errors = new ArrayList<>();
        int pos = 0;
        while (true) {
            int open = text.indexOf(OPEN, pos);
            if (open < 0) {
                content.append(text, pos, text.length());
                break;
            }
            content.append(text, pos, open);
            int bodyStart = open + OPEN.length();
            int close = text.indexOf(CLOSE, bodyStart);
            int bodyEnd = close < 0 ? text.length() : close;
            parseBlock(text.substring(bodyStart, bodyEnd).strip(), calls, errors);
            pos = close < 0 ? text.length() : close + CLOSE.length();
        }
        return new Result(content.toString().strip(), calls, errors);
    }

    private static void parseBlock(String body, List<ToolCall> calls, List<ToolCallError> errors) {
        if (body.isEmpty()) {
            errors.add(new ToolCallError(body, "empty tool call"));
            return;
        }
        List<JsonNode> objects = new ArrayList<>();
        try (MappingIterator<JsonNode> it = JSON.readerFor(JsonNode.class).readValues(body)) {
            while (it.hasNextValue()) {
                objects.add(it.nextValue());
            }
        } catch (Exception e) {
            errors.add(new ToolCallError(body, "invalid JSON: " + firstLine(e.getMessage())));
            return;
        }
        for (JsonNode node : objects) {
            if (node.isArray()) {
                node.forEach(n -> toCall(n, body, calls, errors));
            } else {
                toCall(node, body, calls, errors);
            }
        }
    }

    private static void toCall(JsonNode node, String block, List<ToolCall> calls, List<ToolCallError> errors) {
        if (!node.isObject()) {
            errors.add(new ToolCallError(block, "tool call is not a JSON object"));
            return;
        }
        JsonNode name = node.get("name");
        if (name == null || !name.isTextual() || name.asText().isEmpty()) {
            errors.add(new ToolCallError(block, "tool call has no \"name\" string"));
            return;
        }
        JsonNode args = node.has("arguments") ? node.get("arguments") : node.get("parameters");
        if (args == null || args.isNull()) {
            args = JSON.createObjectNode();
        } else if (args.isTextual()) {
            try {
                args = JSON.readTree(args.asText());
            } catch (JsonProcessingException e) {
                errors.add(new ToolCallError(block, "\"arguments\" is a string that is not valid JSON: "
                        + firstLine(e.getOriginalMessage())));
                return;
            }
        }
        if (!args.isObject()) {
            errors.add(new ToolCallError(block, "\"arguments\" is not a JSON object"));
            return;
        }
        JsonNode id = node.get("id");
        calls.add(new ToolCall(id != null && id.isTextual() ? id.asText() : null, name.asText(), args));
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
