package dev.granitej.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Runs the README's run command exactly as written, through the {@code ./granite} launcher. */
class ReadmeCommandTest {

    /** The first command of the README's Quickstart: the one that generates text. */
    static String runCommand() throws IOException {
        String readme = Files.readString(Repo.root().resolve("README.md"));
        int quick = readme.indexOf("## Quickstart");
        int start = readme.indexOf("```\n", quick) + 4;
        return readme.substring(start, readme.indexOf("\n```", start)).strip();
    }

    static Process run(String command, Path out, Path err) throws IOException {
        return new ProcessBuilder("bash", "-c", command).directory(Repo.root().toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    }

    @Test
    void readmeRunCommandGeneratesText() throws Exception {
        String command = runCommand();
        assertTrue(command.startsWith("./granite generate"), command);
        Path out = Files.createTempFile("granite-out", ".txt");
        Path err = Files.createTempFile("granite-err", ".txt");
        Process p = run(command, out, err);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "timed out");
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), stderr);
        assertTrue(Files.readString(out).strip().length() > 10, "generated text on stdout");
        assertTrue(stderr.contains("generated"), stderr);
    }

    @Test
    void idsModePrintsTheGreedyContinuationOnTheLastLine() throws Exception {
        Path out = Files.createTempFile("granite-out", ".txt");
        Path err = Files.createTempFile("granite-err", ".txt");
        // the demo golden p0 prompt and the first 8 tokens of its HF greedy continuation
        Process p = run("./granite generate --tokens 326,288,558,267,1034,2168,602,327 --max-tokens 8 "
                + "--temperature 0 --ids", out, err);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "timed out");
        assertEquals(0, p.exitValue(), Files.readString(err));
        List<String> lines = Files.readAllLines(out);
        assertEquals("264,331,225,21,18,225,21,18", lines.get(lines.size() - 1));
    }

    @Test
    void logitsCommandWritesFloat32Rows() throws Exception {
        Path file = Files.createTempFile("logits", ".f32");
        Path out = Files.createTempFile("granite-out", ".txt");
        Path err = Files.createTempFile("granite-err", ".txt");
        Process p = run("./granite logits --tokens 5,17,42 --out " + file, out, err);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "timed out");
        assertEquals(0, p.exitValue(), Files.readString(err));
        assertEquals(3L * 8192 * 4, Files.size(file));
    }

    @Test
    void badArgumentsExitWithStatusTwo() throws Exception {
        Path out = Files.createTempFile("granite-out", ".txt");
        Path err = Files.createTempFile("granite-err", ".txt");
        Process p = run("./granite generate --tokens 1,x", out, err);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES));
        assertEquals(2, p.exitValue());
        assertTrue(Files.readString(err).contains("--tokens"));
    }
}
