package dev.granitej.tokenizer.cli;

import dev.granitej.tokenizer.SharedFiles;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TokenizerCommandsTest {

    private static String run(boolean chat, Path dir, String input) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new StringReader(input));
        int rc = chat ? TokenizerCommands.chatTemplate(dir, in, out) : TokenizerCommands.tokenize(dir, in, out);
        assertEquals(0, rc);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void tokenizeAndRenderJsonLines() {
        var dir = SharedFiles.graniteTokenizerDir();
        Assumptions.assumeTrue(dir.isPresent(), "shared/golden/granite-tokenizer absent, skipping");
        assertEquals("[9906, 1917]\n[]\n", run(false, dir.get(), "\"Hello world\"\n\"\"\n"));
        String prompt = run(true, dir.get(), "{\"messages\": [{\"role\": \"user\", \"content\": \"Hello!\"}], "
                + "\"add_generation_prompt\": true}\n");
        assertEquals("\"<|start_of_role|>system<|end_of_role|>You are a helpful assistant. Please ensure responses are "
                + "professional, accurate, and safe.<|end_of_text|>\\n<|start_of_role|>user<|end_of_role|>Hello!"
                + "<|end_of_text|>\\n<|start_of_role|>assistant<|end_of_role|>\"\n", prompt);
    }

    @Test
    void demoCheckpointTokenizesAndReportsItsMissingTemplate() {
        Path demo = SharedFiles.repoRoot().resolve("models/granite-4.0-h-demo");
        assertEquals("[0]\n", run(false, demo, "\"<|end_of_text|>\"\n"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int rc = TokenizerCommands.chatTemplate(demo, new BufferedReader(new StringReader("")), new PrintStream(bytes));
        assertEquals(2, rc);
    }
}
