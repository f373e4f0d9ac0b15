package dev.granitej.tokenizer.chat;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ToolCallParserTest {

    @Test
    void parsesOneOrSeveralCallsWithObjectOrStringArguments() {
        String text = "Let me check.<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Bengaluru\"}}\n"
                + "</tool_call>\n<tool_call>  {\"name\": \"calc\", \"arguments\": \"{\\\"x\\\": 4}\"}  </tool_call>";
        ToolCallParser.Result r = ToolCallParser.parse(text);
        assertEquals("Let me check.", r.content());
        assertEquals(2, r.calls().size());
        assertEquals("get_weather", r.calls().get(0).name());
        assertEquals("Bengaluru", r.calls().get(0).arguments().get("city").asText());
        assertEquals(4, r.calls().get(1).arguments().get("x").asInt());
        assertTrue(r.errors().isEmpty());
    }

    @Test
    void malformedBlocksAreReportedNotDropped() {
        ToolCallParser.Result r = ToolCallParser.parse("<tool_call>{\"name\": \"f\", \"arguments\": {oops}}</tool_call>"
                + "<tool_call>{\"arguments\": {}}</tool_call><tool_call>{\"name\": \"g\", \"arguments\": {}}");
        assertEquals(1, r.calls().size());
        assertEquals("g", r.calls().get(0).name()); // an unterminated final block is still read
        assertEquals(2, r.errors().size());
        assertTrue(r.errors().get(0).message().startsWith("invalid JSON"));
        assertTrue(r.errors().get(1).message().contains("name"));
    }

    @Test
    void textWithoutCallsIsContent() {
        ToolCallParser.Result r = ToolCallParser.parse("  Hello there.\n");
        assertEquals("Hello there.", r.content());
        assertTrue(!r.hasToolCalls() && r.errors().isEmpty());
    }
}
