package dev.granitej.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.granitej.io.Checkpoint;
import dev.granitej.model.ContextOverflowException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Generator API on the shipped demo checkpoint. */
class GenerationTest {

    static Granite granite;
    static Path demo;

    @BeforeAll
    static void load() {
        demo = demoDir();
        granite = Granite.load(demo);
    }

    /** The checkpoint shipped in the repository's models/. */
    static Path demoDir() {
        Path p = Path.of("").toAbsolutePath();
        while (!Files.isDirectory(p.resolve("models"))) {
            p = p.getParent();
        }
        return p.resolve("models/granite-4.0-h-demo");
    }

    @AfterAll
    static void close() {
        granite.close();
    }

    static int[] ids(Checkpoint golden, String name) {
        return Arrays.stream(golden.tensor(name).toLongArray()).mapToInt(Math::toIntExact).toArray();
    }

    @Test
    void greedyGenerationEqualsTheGoldenContinuations() {
        try (Checkpoint golden = Checkpoint.openFile(demo.resolve("golden.safetensors"))) {
            for (int p = 0; p < 4; p++) {
                int[] prompt = ids(golden, "p" + p + ".input_ids");
                int[] expected = ids(golden, "p" + p + ".gen_ids");
                GenerationRequest r = GenerationRequest.builder(Prompt.tokens(prompt)).maxTokens(expected.length)
                        .stopTokenIds(Set.of()).build();
                try (Session s = granite.newSession()) {
                    GenerationResult result = s.generate(r);
                    assertArrayEquals(expected, result.tokenIds(), "prompt " + p);
                    assertEquals(FinishReason.LENGTH, result.finishReason());
                    assertEquals(prompt.length, result.usage().promptTokens());
                }
            }
        }
    }

    @Test
    void textPromptsAreTokenizedLikeTheGolden() {
        try (Checkpoint golden = Checkpoint.openFile(demo.resolve("golden.safetensors"))) {
            int[] expected = ids(golden, "p0.gen_ids");
            GenerationRequest r = GenerationRequest.builder(Prompt.text("def fibonacci(n):\n"))
                    .maxTokens(expected.length).stopTokenIds(Set.of()).build();
            assertArrayEquals(expected, granite.generate(r).tokenIds());
        }
    }

    @Test
    void seededSamplingIsReproducibleAndSeedsDiffer() {
        SamplingParams sampling = SamplingParams.defaults().withTopK(40).withMinP(0.01f).withSeed(42);
        GenerationRequest r = GenerationRequest.builder(Prompt.text("import os\n")).maxTokens(32)
                .sampling(sampling).build();
        GenerationResult a = granite.generate(r);
        GenerationResult b = granite.generate(r);
        assertArrayEquals(a.tokenIds(), b.tokenIds());
        assertEquals(42, a.seed());
        GenerationResult c = granite.generate(GenerationRequest.builder(Prompt.text("import os\n")).maxTokens(32)
                .sampling(sampling.withSeed(7).withTemperature(1.5f)).build());
        assertFalse(Arrays.equals(a.tokenIds(), c.tokenIds()));
    }

    /** Prompts of mixed lengths, made by cutting the held-out window. */
    static int[] prompt(int i) {
        try (Checkpoint golden = Checkpoint.openFile(demo.resolve("golden.safetensors"))) {
            int[] window = ids(golden, "eval.input_ids");
            int len = 1 + (i * 37) % 200;
            return Arrays.copyOfRange(window, i * 13, i * 13 + len);
        }
    }

    @Test
    void sixteenSessionsOnEightThreadsMatchRunningAlone() throws Exception {
        int n = 16;
        GenerationRequest[] requests = new GenerationRequest[n];
        int[][] alone = new int[n][];
        for (int i = 0; i < n; i++) {
            SamplingParams sampling = i % 2 == 0 ? SamplingParams.greedy()
                    : SamplingParams.defaults().withSeed(1000 + i);
            requests[i] = GenerationRequest.builder(Prompt.tokens(prompt(i))).maxTokens(12 + i)
                    .stopTokenIds(Set.of()).sampling(sampling).build();
            try (Session s = granite.newSession()) {
                alone[i] = s.generate(requests[i]).tokenIds();
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<int[]>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                GenerationRequest r = requests[i];
                futures.add(pool.submit(() -> {
                    try (Session s = granite.newSession()) {
                        return s.generate(r).tokenIds();
                    }
                }));
            }
            for (int i = 0; i < n; i++) {
                assertArrayEquals(alone[i], futures.get(i).get(), "session " + i);
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void forkSnapshotAndRestoreContinueLikeReprefilling() {
        int[] shared = prompt(3);
        int[] question = {300, 301, 302, 303};
        int[] full = concat(shared, question);
        GenerationRequest fresh = GenerationRequest.builder(Prompt.tokens(full)).maxTokens(16)
                .stopTokenIds(Set.of()).build();
        int[] expected = granite.generate(fresh).tokenIds();

        try (Session base = granite.newSession()) {
            base.prefill(Prompt.tokens(shared));
            Session.Snapshot snap = base.snapshot();
            try (Session fork = base.fork()) {
                GenerationResult r = fork.generate(fresh);
                assertArrayEquals(expected, r.tokenIds());
                assertEquals(shared.length, r.usage().reusedTokens(), "the shared prefix is not prefilled again");
            }
            // base is unaffected by its fork; generate something else, then restore
            base.generate(GenerationRequest.builder(Prompt.tokens(concat(shared, new int[] {5, 6}))).maxTokens(3)
                    .stopTokenIds(Set.of()).build());
            base.restore(snap);
            assertEquals(shared.length, base.position());
            GenerationResult again = base.generate(fresh);
            assertArrayEquals(expected, again.tokenIds());
            assertEquals(shared.length, again.usage().reusedTokens());
        }
    }

    @Test
    void followUpTurnsReuseTheHeldState() {
        try (Session s = granite.newSession()) {
            int[] p = prompt(5);
            GenerationResult first = s.generate(GenerationRequest.builder(Prompt.tokens(p)).maxTokens(6)
                    .stopTokenIds(Set.of()).build());
            int[] next = concat(s.history(), new int[] {42, 43});
            GenerationResult second = s.generate(GenerationRequest.builder(Prompt.tokens(next)).maxTokens(6)
                    .stopTokenIds(Set.of()).build());
            assertEquals(p.length + 5, second.usage().reusedTokens());
            assertArrayEquals(granite.generate(GenerationRequest.builder(Prompt.tokens(next)).maxTokens(6)
                    .stopTokenIds(Set.of()).build()).tokenIds(), second.tokenIds());
            assertEquals(6, first.tokenIds().length);
        }
    }

    @Test
    void stopStringsAcrossTokenBoundariesAreCutAndNotStreamed() {
        GenerationRequest plain = GenerationRequest.builder(Prompt.text("def fibonacci(n):\n")).maxTokens(48)
                .stopTokenIds(Set.of()).build();
        String text = granite.generate(plain).text();
        // a stop string that spans several tokens of the greedy output
        int at = text.indexOf("1. 1.");
        assertTrue(at > 0, text);
        String stop = text.substring(at + 1, at + 5);
        StringBuilder streamed = new StringBuilder();
        GenerationResult r;
        try (Session s = granite.newSession()) {
            r = s.generate(GenerationRequest.builder(Prompt.text("def fibonacci(n):\n")).maxTokens(48)
                    .stopTokenIds(Set.of()).stopStrings(List.of(stop)).build(), streamed::append);
        }
        assertEquals(FinishReason.STOP_STRING, r.finishReason());
        assertEquals(text.substring(0, text.indexOf(stop)), r.text());
        assertEquals(r.text(), streamed.toString());
    }

    @Test
    void streamingNeverSplitsAUtf8Character() {
        // feed token ids that spell multi-byte characters byte by byte; the stream must carry whole characters
        var tok = granite.tokenizer();
        int[] ids = tok.encode("é中€🙂 naïve");
        List<String> pieces = new ArrayList<>();
        var decoder = tok.newStreamingDecoder(false);
        for (int id : ids) {
            String piece = decoder.accept(id);
            if (!piece.isEmpty()) {
                pieces.add(piece);
            }
        }
        pieces.add(decoder.flush());
        for (String piece : pieces) {
            assertFalse(piece.contains("\uFFFD"), "piece " + piece);
        }
        assertEquals("é中€🙂 naïve", String.join("", pieces));
    }

    @Test
    void cancellationStopsMidStream() throws Exception {
        try (Session s = granite.newSession()) {
            Generation g = s.start(GenerationRequest.builder(Prompt.text("class A:\n")).maxTokens(100_000)
                    .stopTokenIds(Set.of()).build());
            Iterator<String> it = g.texts();
            int seen = 0;
            while (it.hasNext() && seen < 5) {
                it.next();
                seen++;
            }
            g.cancel();
            while (it.hasNext()) {
                it.next();
            }
            GenerationResult r = g.await();
            assertEquals(FinishReason.CANCELLED, r.finishReason());
            assertTrue(r.tokenIds().length < 1000);
        }
    }

    @Test
    void deadlineEndsTheGeneration() {
        GenerationResult r = granite.generate(GenerationRequest.builder(Prompt.text("x = 1\n")).maxTokens(1_000_000)
                .stopTokenIds(Set.of()).timeout(Duration.ofMillis(300)).build());
        assertEquals(FinishReason.DEADLINE, r.finishReason());
    }

    @Test
    void contextFullIsAFinishReasonAndAnOverlongPromptAnException() {
        try (Session s = granite.newSession(20)) {
            GenerationResult r = s.generate(GenerationRequest.builder(Prompt.tokens(Arrays.copyOf(prompt(2), 10))).maxTokens(100)
                    .stopTokenIds(Set.of()).build());
            assertEquals(FinishReason.CONTEXT_FULL, r.finishReason());
            assertEquals(20, s.position());
            assertThrows(ContextOverflowException.class, () -> s.generate(GenerationRequest.ofTokens(prompt(7), 4)));
        }
    }

    @Test
    void invalidArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> SamplingParams.greedy().withTemperature(-1f));
        assertThrows(IllegalArgumentException.class, () -> SamplingParams.greedy().withTopP(0f));
        assertThrows(IllegalArgumentException.class, () -> SamplingParams.greedy().withTopP(1.5f));
        assertThrows(IllegalArgumentException.class, () -> GenerationRequest.builder(Prompt.text("x")).maxTokens(-1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> granite.generate(GenerationRequest.ofTokens(new int[] {1, 8192}, 2)));
        assertTrue(e.getMessage().contains("8192"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> granite.generate(GenerationRequest.ofText("", 2)));
    }

    @Test
    void logprobsDescribeTheGreedyChoice() {
        GenerationResult r = granite.generate(GenerationRequest.builder(Prompt.text("import numpy as np\n"))
                .maxTokens(4).logprobs(3).build());
        assertEquals(r.tokenIds().length, r.logprobs().size());
        for (TokenLogprob lp : r.logprobs()) {
            assertEquals(lp.tokenId(), lp.alternatives().get(0).tokenId(), "greedy picks the top alternative");
            assertTrue(lp.logprob() <= 0);
            assertTrue(lp.alternatives().get(0).logprob() >= lp.alternatives().get(1).logprob());
        }
        assertNotEquals(0, r.usage().decode().toNanos());
    }

    @Test
    void aBusySessionRefusesASecondGeneration() throws Exception {
        try (Session s = granite.newSession()) {
            AtomicBoolean refused = new AtomicBoolean();
            Generation g = s.start(GenerationRequest.builder(Prompt.text("def f():\n")).maxTokens(200)
                    .stopTokenIds(Set.of()).build());
            Thread.sleep(50);
            try {
                s.generate(GenerationRequest.ofText("x", 1));
            } catch (IllegalStateException expected) {
                refused.set(true);
            }
            g.await();
            assertTrue(refused.get() || g.result().isDone());
        }
    }

    static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
