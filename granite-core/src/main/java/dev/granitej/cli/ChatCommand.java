package dev.granitej.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.granitej.api.GenerationRequest;
import dev.granitej.api.GenerationResult;
import dev.granitej.api.Granite;
import dev.granitej.api.LoadOptions;
import dev.granitej.api.Prompt;
import dev.granitej.api.Session;
import dev.granitej.tokenizer.chat.ChatRequest;
import dev.granitej.tokenizer.chat.Message;
import dev.granitej.tokenizer.chat.ToolCall;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code granite chat [--model DIR] [--system TEXT] [--tools FILE] [--max-tokens N] [sampling flags] [--format F]
 * [--threads N] [--context N] [--kv-cache f32|f16|q8_0] [--quant-cache | --quant-cache-dir DIR]}: an
 * interactive multi-turn chat on stdin/stdout through the checkpoint's chat template. {@code /reset} starts
 * over, {@code /exit} (or end of input) quits. Each turn reuses the session's state, so only the new turn is
 * prefilled.
 */
final class ChatCommand {

    private ChatCommand() {
    }

    static int run(String[] argv, java.io.InputStream stdin, PrintStream out, PrintStream err) throws IOException {
        Set<String> valued = new HashSet<>(SamplingOptions.NAMES);
        valued.addAll(Set.of("model", "system", "tools", "max-tokens"));
        valued.addAll(Args.LOAD_VALUED);
        Args a = new Args("chat", argv, 1, valued, Args.LOAD_FLAGS);
        List<JsonNode> tools = null;
        if (a.has("tools")) {
            JsonNode node = new ObjectMapper().readTree(Files.readString(Path.of(a.require("tools"))));
            if (!node.isArray()) {
                throw new UsageException("chat: --tools must name a JSON file holding an array of tool schemas");
            }
            tools = new ArrayList<>();
            node.forEach(tools::add);
        }
        LoadOptions options = a.loadOptions();
        try (Granite granite = Progress.load(a.model(), options, err); Session session = granite.newSession()) {
            if (granite.chat().template().isEmpty()) {
                throw new IllegalStateException(a.model() + " has no chat template (tokenizer_config.json "
                        + "chat_template); use 'granite generate' for plain text");
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8));
            List<Message> messages = new ArrayList<>();
            String system = a.get("system", null);
            if (system != null) {
                messages.add(Message.system(system));
            }
            int systemCount = messages.size();
            err.println("chat: type a message; /reset starts over, /exit quits");
            while (true) {
                err.print("> ");
                err.flush();
                String line = in.readLine();
                if (line == null || line.equals("/exit")) {
                    return 0;
                }
                if (line.equals("/reset")) {
                    messages.subList(systemCount, messages.size()).clear();
                    session.reset();
                    err.println("(conversation reset)");
                    continue;
                }
                if (line.isBlank()) {
                    continue;
                }
                messages.add(Message.user(line));
                GenerationRequest request = GenerationRequest.builder(
                                Prompt.chat(new ChatRequest(messages, tools, null, true, Map.of())))
                        .maxTokens(a.getInt("max-tokens", 512))
                        .sampling(SamplingOptions.from(a, 0.7f))
                        .build();
                GenerationResult r = session.generate(request, text -> {
                    out.print(text);
                    out.flush();
                });
                out.println();
                for (ToolCall call : r.toolCalls()) {
                    err.println("[tool call] " + call.name() + " " + call.arguments());
                }
                for (var bad : r.toolCallErrors()) {
                    err.println("[malformed tool call] " + bad.message());
                }
                messages.add(r.toolCalls().isEmpty() ? Message.assistant(r.text())
                        : Message.assistant(r.text(), r.toolCalls()));
                err.printf("[%d tokens, %.1f tok/s, %s]%n", r.usage().generatedTokens(),
                        r.usage().decodeTokensPerSecond(), r.finishReason());
            }
        }
    }
}
