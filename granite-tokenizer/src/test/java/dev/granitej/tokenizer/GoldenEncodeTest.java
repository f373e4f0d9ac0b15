package dev.granitej.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ids and decodings against the goldens Hugging Face tokenizers produced. */
class GoldenEncodeTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static int[] ids(JsonNode array) {
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = array.get(i).asInt();
        }
        return ids;
    }

    static Path resource(String name) throws IOException {
        try (InputStream in = GoldenEncodeTest.class.getResourceAsStream("/golden/tokenizer/" + name)) {
            Path tmp = Files.createTempFile("golden", name);
            Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            tmp.toFile().deleteOnExit();
            return tmp;
        }
    }

    /** Checks every case and returns the number checked; failures are collected so one run shows them all. */
    static int check(Tokenizer tok, JsonNode cases, List<String> failures) {
        int n = 0;
        for (JsonNode c : cases) {
            String text = c.get("text").asText();
            int[] expected = ids(c.get("ids"));
            int[] actual = tok.encode(text);
            if (!java.util.Arrays.equals(expected, actual)) {
                failures.add("encode " + JSON.valueToTree(text) + ": expected " + java.util.Arrays.toString(expected)
                        + " got " + java.util.Arrays.toString(actual));
            }
            if (c.has("tokens")) {
                for (int i = 0; i < expected.length && i < actual.length; i++) {
                    if (!c.get("tokens").get(i).asText().equals(tok.token(expected[i]))) {
                        failures.add("token(" + expected[i] + ") = " + tok.token(expected[i]));
                    }
                }
            }
            checkDecode(tok, c, expected, failures);
            n++;
        }
        return n;
    }

    static void checkDecode(Tokenizer tok, JsonNode c, int[] ids, List<String> failures) {
        String decoded = tok.decode(ids, false);
        if (!c.get("decoded").asText().equals(decoded)) {
            failures.add("decode " + java.util.Arrays.toString(ids) + ": expected " + JSON.valueToTree(c.get("decoded").asText())
                    + " got " + JSON.valueToTree(decoded));
        }
        String skip = tok.decode(ids, true);
        if (!c.get("decoded_skip_special").asText().equals(skip)) {
            failures.add("decode(skip) " + java.util.Arrays.toString(ids) + ": expected "
                    + JSON.valueToTree(c.get("decoded_skip_special").asText()) + " got " + JSON.valueToTree(skip));
        }
        // The streaming decoder must reproduce decode() exactly, token by token.
        for (boolean skipSpecial : new boolean[] {false, true}) {
            StreamingDecoder sd = tok.newStreamingDecoder(skipSpecial);
            StringBuilder sb = new StringBuilder();
            for (int id : ids) {
                sb.append(sd.accept(id));
            }
            sb.append(sd.flush());
            String expected = skipSpecial ? skip : decoded;
            if (!expected.equals(sb.toString())) {
                failures.add("streaming decode(skip=" + skipSpecial + ") " + java.util.Arrays.toString(ids));
            }
        }
    }

    @Test
    void smallTrainedTokenizerMatchesHuggingFace() throws IOException {
        Tokenizer tok = Tokenizer.fromFile(resource("tokenizer.json"));
        JsonNode golden = JSON.readTree(resource("tokenizer_golden.json").toFile());
        List<String> failures = new ArrayList<>();
        int n = check(tok, golden.get("cases"), failures);
        assertTrue(failures.isEmpty(), failures.size() + " failures:\n" + String.join("\n", failures));
        assertEquals(16, n);
    }

    @Test
    void graniteTokenizerMatchesHuggingFace() throws IOException {
        var dir = SharedFiles.graniteTokenizerDir();
        Assumptions.assumeTrue(dir.isPresent(), "shared/golden/granite-tokenizer absent, skipping");
        Tokenizer tok = Tokenizer.fromFile(dir.get().resolve("tokenizer.json"));
        JsonNode golden = JSON.readTree(dir.get().resolve("encode_golden.json").toFile());
        List<String> failures = new ArrayList<>();
        int n = check(tok, golden.get("cases"), failures);
        int d = 0;
        for (JsonNode c : golden.get("decode_cases")) {
            checkDecode(tok, c, ids(c.get("ids")), failures);
            d++;
        }
        assertTrue(failures.isEmpty(), failures.size() + " failures:\n" + String.join("\n", failures.subList(0, Math.min(40, failures.size()))));
        assertEquals(597, n);
        assertEquals(69, d);
        assertEquals(100284, tok.vocabSize());
    }

    @Test
    void demoCheckpointTokenizerLoadsAndRoundTrips() {
        Path file = SharedFiles.repoRoot().resolve("models/granite-4.0-h-demo/tokenizer.json");
        Tokenizer tok = Tokenizer.fromFile(file);
        assertEquals(8192, tok.vocabSize());
        assertEquals(0, tok.tokenId("<|end_of_text|>").orElseThrow());
        for (String s : List.of("def fibonacci(n):\n    return n if n < 2 else fibonacci(n - 1) + fibonacci(n - 2)\n",
                "import numpy as np\n\n\ndef ", "Ünïcödé 😀 中文 <|end_of_text|>\u00a0\u3000x", "")) {
            assertEquals(s, tok.decode(tok.encode(s), false));
        }
        int[] ids = tok.encode("x<|end_of_text|>");
        assertEquals(0, ids[ids.length - 1]);
    }
}
