package dev.granitej.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The allocation tool's line and its option errors (the figure itself needs a compiled step: not asserted). */
class DecodeAllocationTest {

    @TempDir
    static Path tmp;

    @Test
    void printsBytesPerStepForOneSessionAndABatch() {
        Path checkpoint = TinyShapes.hybridMoeCheckpoint(tmp.resolve("tiny"));
        for (String sessions : new String[] {"1", "3"}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            double bytes = DecodeAllocation.run(new String[] {"--model", checkpoint.toString(), "--threads", "2",
                    "--sessions", sessions, "--warmup", "70", "--steps", "5"},
                    new PrintStream(out, true, StandardCharsets.UTF_8));
            String line = out.toString(StandardCharsets.UTF_8).trim();
            assertTrue(line.startsWith("tiny bf16, 2 thread(s), " + sessions + " session(s), steps 70..75: "), line);
            assertTrue(line.contains(" bytes a step (by thread:"), line);
            assertTrue(bytes >= 0, line);
        }
    }

    @Test
    void unknownOrMissingOptionsAreClearErrors() {
        PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertEquals("unknown option '--stepz'", assertThrows(IllegalArgumentException.class,
                () -> DecodeAllocation.run(new String[] {"--model", "x", "--stepz", "3"}, out)).getMessage());
        assertEquals("--model DIR is required", assertThrows(IllegalArgumentException.class,
                () -> DecodeAllocation.run(new String[] {"--steps", "3"}, out)).getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> DecodeAllocation.run(new String[] {"--model", "x", "--steps", "0"}, out));
    }
}
