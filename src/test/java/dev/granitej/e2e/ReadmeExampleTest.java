package dev.granitej.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.granitej.api.GenerationRequest;
import dev.granitej.api.GenerationResult;
import dev.granitej.api.Granite;
import dev.granitej.api.Prompt;
import dev.granitej.api.SamplingParams;
import dev.granitej.api.Session;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's Java example compiles (it is this class's {@link Example}) and runs. */
class ReadmeExampleTest {

    // example:start
    public static class Example {
        public static void main(String[] args) {
            try (Granite granite = Granite.load(Path.of("models/granite-4.0-h-demo"));
                 Session session = granite.newSession()) {
                GenerationRequest request = GenerationRequest.builder(Prompt.text("def fibonacci(n):\n"))
                        .maxTokens(48)
                        .sampling(SamplingParams.defaults().withSeed(42))
                        .stopStrings(List.of("\n\n\n"))
                        .build();
                GenerationResult result = session.generate(request, System.out::print);
                System.out.println();
                System.out.println(result.finishReason() + ", " + result.usage().generatedTokens() + " tokens");
            }
        }
    }
    // example:end

    @Test
    void readmeShowsThisExampleVerbatim() throws IOException {
        String readme = Files.readString(Repo.root().resolve("README.md"));
        String block = readme.substring(readme.indexOf("<!-- example:start"));
        block = block.substring(block.indexOf("public class Example"), block.indexOf("```", block.indexOf("public class")));
        String source = Files.readString(Repo.root().resolve("src/test/java/dev/granitej/e2e/ReadmeExampleTest.java"));
        String mine = source.substring(source.indexOf("public static class Example"), source.indexOf("    // example:end"));
        assertEquals(normalise(block.replace("public class Example", "public static class Example")), normalise(mine));
    }

    private static String normalise(String code) {
        return code.lines().map(String::strip).filter(l -> !l.isEmpty()).reduce("", (a, b) -> a + b + "\n");
    }

    @Test
    void exampleRuns() {
        PrintStream old = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(captured, true));
            Path models = Repo.root().resolve("models/granite-4.0-h-demo");
            try (Granite granite = Granite.load(models); Session session = granite.newSession()) {
                GenerationResult r = session.generate(GenerationRequest.builder(Prompt.text("def fibonacci(n):\n"))
                        .maxTokens(48).sampling(SamplingParams.defaults().withSeed(42)).build(), System.out::print);
                assertTrue(r.usage().generatedTokens() > 0);
            }
        } finally {
            System.setOut(old);
        }
        assertTrue(captured.size() > 0);
    }
}
