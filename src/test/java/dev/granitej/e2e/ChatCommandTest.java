package dev.granitej.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code granite chat} driven through stdin: two turns, a reset, a tool file, and a clean exit. */
class ChatCommandTest {

    static final String TEMPLATE = "{%- if tools %}{{- '<|start_of_role|>available_tools<|end_of_role|>' + "
            + "tools | tojson + '<|end_of_text|>\\n' }}{%- endif %}"
            + "{%- for message in messages %}"
            + "{{- '<|start_of_role|>' + message['role'] + '<|end_of_role|>' + message['content'] + '<|end_of_text|>\\n' }}"
            + "{%- endfor %}"
            + "{%- if add_generation_prompt %}{{- '<|start_of_role|>assistant<|end_of_role|>' }}{%- endif %}";

    @TempDir
    Path tmp;

    @Test
    void chatsOverStdin() throws Exception {
        Path model = tmp.resolve("demo-chat");
        Files.createDirectories(model);
        try (Stream<Path> files = Files.list(Repo.root().resolve("models/granite-4.0-h-demo"))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, model.resolve(f.getFileName()));
            }
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(Files.readString(model.resolve("tokenizer_config.json")));
        config.put("chat_template", TEMPLATE);
        Files.writeString(model.resolve("tokenizer_config.json"), json.writeValueAsString(config));
        Path tools = Files.writeString(tmp.resolve("tools.json"),
                "[{\"type\": \"function\", \"function\": {\"name\": \"now\", \"parameters\": {}}}]");

        Path out = tmp.resolve("out.txt");
        Path err = tmp.resolve("err.txt");
        Process p = new ProcessBuilder("./granite", "chat", "--model", model.toString(), "--tools", tools.toString(),
                "--max-tokens", "8", "--seed", "3")
                .directory(Repo.root().toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        p.getOutputStream().write("def add(a, b):\n/reset\nimport os\n/exit\n".getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "timed out");
        String stderr = Files.readString(err);
        assertEquals(0, p.exitValue(), stderr);
        assertTrue(stderr.contains("(conversation reset)"), stderr);
        assertEquals(2, stderr.lines().filter(l -> l.contains(" tok/s, ")).count(), stderr);
    }

    @Test
    void aCheckpointWithoutATemplateIsRefusedClearly() throws Exception {
        Path err = tmp.resolve("err.txt");
        Process p = new ProcessBuilder("./granite", "chat").directory(Repo.root().toFile())
                .redirectOutput(tmp.resolve("out.txt").toFile()).redirectError(err.toFile()).start();
        p.getOutputStream().close();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "timed out");
        assertEquals(1, p.exitValue());
        assertTrue(Files.readString(err).contains("has no chat template"), Files.readString(err));
    }
}
