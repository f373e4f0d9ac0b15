package dev.granitej.tokenizer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.granitej.tokenizer.chat.ChatRequest;
import dev.granitej.tokenizer.chat.ChatTokenizer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The logic of the {@code tokenize} and {@code chat-template} CLI commands (JSON lines in, JSON lines out).
 * Errors go to stderr with the offending line number; the return value is the process exit code.
 */
public final class TokenizerCommands {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TokenizerCommands() {}

    /** Reads one JSON string per line, writes one JSON array of token ids per line. */
    public static int tokenize(Path modelDir, BufferedReader in, PrintStream out) {
        ChatTokenizer chat;
        try {
            chat = ChatTokenizer.load(modelDir);
        } catch (RuntimeException e) {
            System.err.println("tokenize: " + e.getMessage());
            return 2;
        }
        return eachLine(in, "tokenize", line -> {
            JsonNode node = JSON.readTree(line);
            if (node == null || !node.isTextual()) {
                throw new IllegalArgumentException("expected a JSON string");
            }
            int[] ids = chat.tokenizer().encode(node.textValue());
            StringBuilder sb = new StringBuilder(ids.length * 6 + 2).append('[');
            for (int i = 0; i < ids.length; i++) {
                if (i > 0) {
                    sb.append(", ");
                }
                sb.append(ids[i]);
            }
            out.println(sb.append(']'));
        });
    }

    /** Reads one chat request object per line, writes the rendered prompt as one JSON string per line. */
    public static int chatTemplate(Path modelDir, BufferedReader in, PrintStream out) {
        ChatTokenizer chat;
        try {
            chat = ChatTokenizer.load(modelDir);
            if (chat.template().isEmpty()) {
                System.err.println("chat-template: " + modelDir + " has no chat template");
                return 2;
            }
        } catch (RuntimeException e) {
            System.err.println("chat-template: " + e.getMessage());
            return 2;
        }
        return eachLine(in, "chat-template", line -> {
            String prompt = chat.render(ChatRequest.fromJson(JSON.readTree(line)));
            out.println(JSON.writeValueAsString(prompt));
        });
    }

    @FunctionalInterface
    private interface LineHandler {
        void handle(String line) throws IOException;
    }

    private static int eachLine(BufferedReader in, String command, LineHandler handler) {
        int lineNo = 0;
        try {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    handler.handle(line);
                } catch (IOException | RuntimeException e) {
                    System.err.println(command + ": line " + lineNo + ": " + e.getMessage());
                    return 1;
                }
            }
        } catch (IOException e) {
            System.err.println(command + ": cannot read input: " + e.getMessage());
            return 1;
        }
        return 0;
    }
}
