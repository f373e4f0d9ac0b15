package dev.granitej.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import dev.granitej.kernels.WeightFormat;
import dev.granitej.model.KvCacheFormat;
import dev.granitej.model.QuantCache;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchCommandTest {

    @TempDir
    static Path tmp;

    static Path checkpoint;

    @BeforeAll
    static void writeCheckpoint() {
        checkpoint = TinyShapes.hybridMoeCheckpoint(tmp.resolve("tiny"));
    }

    private record Outcome(int code, String out, String err) {
    }

    private static Outcome bench(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = BenchCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void printsOneRowPerTestWithMeanAndDeviation() {
        Outcome o = bench("--model", checkpoint.toString(), "--threads", "1,2", "-p", "16", "-n", "4", "-r", "2",
                "-d", "0,8", "--sessions", "1,3");
        assertEquals(0, o.code(), o.err());
        List<String> rows = o.out().lines().filter(l -> l.contains("| tiny ")).toList();
        // per thread count: pp16, tg4, tg4 x1, tg4 x3, tg4 @ d8, tg4 x1 @ d8, tg4 x3 @ d8
        assertEquals(14, rows.size(), o.out());
        List<String> tests = rows.stream().map(r -> r.split("\\|")[6].trim()).toList();
        assertEquals(List.of("pp16", "tg4", "tg4 x1", "tg4 x3", "tg4 @ d8", "tg4 x1 @ d8", "tg4 x3 @ d8"),
                tests.subList(0, 7));
        assertEquals(tests.subList(0, 7), tests.subList(7, 14));
        assertEquals(List.of("1", "2"), rows.stream().map(r -> r.split("\\|")[5].trim()).distinct().toList());
        for (String row : rows) {
            String[] cells = row.split("\\|");
            assertEquals("bf16", cells[4].trim());
            String tps = cells[7].trim();
            double mean = Double.parseDouble(tps.substring(0, tps.indexOf(' ')));
            assertTrue(mean > 0 && Double.isFinite(mean), row);
            assertTrue(tps.contains(" ± "), row);
        }
        assertTrue(o.out().lines().findFirst().orElseThrow().contains("| model "), o.out());
    }

    @Test
    void quantizedFormatsRun() {
        for (String f : new String[] {"q8_0", "q4_0"}) {
            Outcome o = bench("--model", checkpoint.toString(), "--format", f, "-p", "4", "-n", "1", "-r", "1");
            assertEquals(0, o.code(), o.err());
            assertTrue(o.out().lines().anyMatch(l -> l.contains("| " + f + " ")), o.out());
            assertTrue(Files.isRegularFile(tmp.resolve("tiny.granitej-cache").resolve(f + ".safetensors")),
                    "bench caches quantized weights next to the checkpoint by default");
        }
    }

    @Test
    void quantCacheOptions() {
        String m = checkpoint.toString();
        assertEquals(QuantCache.nextToCheckpoint(), BenchCommand.Request.parse(new String[] {"-m", m}).quantCache());
        assertTrue(BenchCommand.Request.parse(new String[] {"-m", m}).batchInvariant());
        assertFalse(BenchCommand.Request.parse(new String[] {"-m", m, "--fast-batches"}).batchInvariant());
        assertEquals(QuantCache.off(),
                BenchCommand.Request.parse(new String[] {"-m", m, "--no-quant-cache"}).quantCache());
        Path dir = tmp.resolve("caches");
        assertEquals(QuantCache.in(dir),
                BenchCommand.Request.parse(new String[] {"-m", m, "--quant-cache-dir", dir.toString()}).quantCache());
        Outcome o = bench("--model", m, "--format", "q8_0", "-p", "4", "-n", "0", "-r", "1", "--quant-cache-dir",
                dir.toString());
        assertEquals(0, o.code(), o.err());
        assertTrue(Files.isRegularFile(QuantCache.in(dir).fileFor(checkpoint, WeightFormat.Q8_0)));
    }

    @Test
    void cacheTypeOption() {
        String m = checkpoint.toString();
        assertEquals(KvCacheFormat.F16, BenchCommand.Request.parse(new String[] {"-m", m}).kvCache(),
                "llama-bench's default cache type");
        assertEquals(KvCacheFormat.F32, BenchCommand.Request.parse(new String[] {"-m", m, "-ctk", "f32"}).kvCache());
        assertEquals(KvCacheFormat.F16,
                BenchCommand.Request.parse(new String[] {"-m", m, "--cache-type", "f16"}).kvCache());
        Outcome bad = bench("--model", m, "-ctk", "q4_0");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("unknown KV cache type 'q4_0'"), bad.err());
        assertEquals(KvCacheFormat.Q8_0, BenchCommand.Request.parse(new String[] {"-m", m, "-ctk", "q8_0"}).kvCache());
        for (String type : new String[] {"f32", "q8_0"}) {
            Outcome o = bench("--model", m, "-p", "0", "-n", "4", "-r", "1", "-d", "40", "-ctk", type);
            assertEquals(0, o.code(), o.err());
            // as llama-bench: a type_k column, after threads, when the cache is not f16
            List<String> lines = o.out().lines().toList();
            assertEquals("type_k", lines.get(0).split("\\|")[6].trim(), o.out());
            assertEquals(type, lines.get(2).split("\\|")[6].trim(), o.out());
            assertEquals("tg4 @ d40", lines.get(2).split("\\|")[7].trim(), o.out());
        }
        Outcome f16 = bench("--model", m, "-p", "0", "-n", "1", "-r", "1");
        assertFalse(f16.out().contains("type_k"), f16.out());
    }

    @Test
    void badCommandLinesAreNamed() {
        Outcome unknown = bench("--model", checkpoint.toString(), "--fast");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("unknown option '--fast'"), unknown.err());
        assertEquals(2, bench("-p", "8").code());
        Outcome format = bench("--model", checkpoint.toString(), "--format", "q5_k");
        assertEquals(2, format.code());
        assertTrue(format.err().contains("unknown format 'q5_k'"), format.err());
        Outcome reps = bench("--model", checkpoint.toString(), "-r", "x");
        assertTrue(reps.err().contains("-r needs an integer, got 'x'"), reps.err());
        Outcome missing = bench("--model", tmp.resolve("nothing").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("no config.json"), missing.err());
        assertEquals(0, bench("--help").code());
    }

    @Test
    void measurementStatistics() {
        Measurement m = new Measurement("tg128", new double[] {10, 12, 14});
        assertEquals(12, m.mean(), 1e-12);
        assertEquals(2, m.stddev(), 1e-12);
        assertEquals("12.00 ± 2.00", m.formatted());
        assertEquals(0, new Measurement("pp512", new double[] {5}).stddev());
    }
}
