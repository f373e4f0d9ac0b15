package dev.granitej.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Behaviour that the goldens do not pin down: algorithms agreeing, limits, configuration variants, errors. */
class TokenizerBehaviourTest {

    private static Tokenizer small() throws Exception {
        return Tokenizer.fromFile(GoldenEncodeTest.resource("tokenizer.json"));
    }

    @Test
    void heapAndScanMergingAgree() throws Exception {
        Tokenizer uncached = small().withoutCache();
        Tokenizer cached = small();
        Random r = new Random(7);
        for (int i = 0; i < 300; i++) {
            String text = JTokkitDifferentialTest.randomText(r, 1 + r.nextInt(60));
            assertArrayEquals(uncached.encode(text), cached.encode(text), text);
            assertArrayEquals(uncached.encode(text), cached.encode(text), text); // second time from the cache
        }
        BpeModel.Scratch scratch = new BpeModel.Scratch();
        Path file = GoldenEncodeTest.resource("tokenizer.json");
        Tokenizer t = Tokenizer.fromFile(file);
        BpeModel model = (BpeModel) readField(t, "model");
        for (int i = 0; i < 300; i++) {
            byte[] bytes = JTokkitDifferentialTest.randomText(r, 1 + r.nextInt(30))
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            int[] ids = new int[bytes.length];
            for (int k = 0; k < bytes.length; k++) {
                ids[k] = cached.tokenId(String.valueOf(ByteLevelAlphabet.charOf(bytes[k] & 0xFF))).orElseThrow();
            }
            int[] merged = ids.clone();
            int n = model.mergeByScan(merged, merged.length, scratch);
            int[] scan = java.util.Arrays.copyOf(merged, n);
            IntList heap = new IntList(16);
            model.mergeByHeap(ids.clone(), ids.length, scratch, heap);
            assertEquals(n, heap.size());
            assertArrayEquals(scan, heap.toArray());
        }
    }

    private static Object readField(Object o, String name) throws Exception {
        var f = o.getClass().getDeclaredField(name);
        f.setAccessible(true);
        return f.get(o);
    }

    @Test
    void oneMegabyteSinglePieceIsNotQuadratic() throws Exception {
        Tokenizer tok = small();
        String letters = "a".repeat(1 << 20);
        String mixed = "abcdefghij".repeat(1 << 17);
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(20), () -> {
            assertEquals(letters, tok.decode(tok.encode(letters), false));
            assertEquals(mixed, tok.decode(tok.encode(mixed), false));
        });
    }

    @Test
    void addedTokensAreLeftmostLongestAndCanBePlainText() throws Exception {
        Tokenizer tok = small();
        int eot = tok.tokenId("<|end_of_text|>").orElseThrow();
        int[] ids = tok.encode("a<|end_of_text|>b");
        assertTrue(java.util.Arrays.stream(ids).anyMatch(i -> i == eot));
        int[] plain = tok.encodeUntrusted("a<|end_of_text|>b");
        assertTrue(java.util.Arrays.stream(plain).noneMatch(i -> i == eot));
        assertEquals("a<|end_of_text|>b", tok.decode(plain, false));
        // Special text as text, but the non-special <tool_call> still recognised (HF split_special_tokens).
        int toolCall = tok.tokenId("<tool_call>").orElseThrow();
        int[] split = tok.encode("<|end_of_text|><tool_call>", AddedTokenPolicy.SPECIAL_AS_TEXT);
        assertEquals(toolCall, split[split.length - 1]);
        assertTrue(java.util.Arrays.stream(split).noneMatch(i -> i == eot));
        // Plain ranges: the first occurrence is protected, the second is not.
        String text = "<|end_of_text|><|end_of_text|>";
        int[] ranged = tok.encodeWithPlainRanges(text, new int[] {0, 15});
        assertEquals(eot, ranged[ranged.length - 1]);
        assertEquals(1, java.util.Arrays.stream(ranged).filter(i -> i == eot).count());
        assertTrue(tok.isSpecial(eot));
        assertEquals("<|end_of_text|>", tok.token(eot));
        assertThrows(IllegalArgumentException.class, () -> tok.token(999_999));
    }

    @Test
    void streamingDecoderWithholdsIncompleteCharacters() throws Exception {
        Tokenizer tok = small();
        int[] ids = tok.encode("é😀中");
        StreamingDecoder sd = tok.newStreamingDecoder(false);
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            String piece = sd.accept(id);
            assertTrue(piece.indexOf('\uFFFD') < 0, "no replacement char while a character is incomplete");
            sb.append(piece);
        }
        sb.append(sd.flush());
        assertEquals("é😀中", sb.toString());
    }

    @Test
    void lossyUtf8FollowsMaximalSubparts() {
        byte[] b = {(byte) 0xE2, (byte) 0x82, 'a', (byte) 0xF0, (byte) 0x9F, (byte) 0x98, (byte) 0xC0, (byte) 0xED,
            (byte) 0xA0, (byte) 0x80, (byte) 0xF4, (byte) 0x90};
        assertEquals("\uFFFDa\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD", Utf8.decodeLossy(b, b.length));
    }

    private static Tokenizer withPreTokenizer(String preTokenizerJson) throws Exception {
        ObjectMapper json = new ObjectMapper();
        var root = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(GoldenEncodeTest.resource("tokenizer.json").toFile());
        root.set("pre_tokenizer", json.readTree(preTokenizerJson));
        Path tmp = Files.createTempFile("tok", ".json");
        json.writeValue(tmp.toFile(), root);
        tmp.toFile().deleteOnExit();
        return Tokenizer.fromFile(tmp);
    }

    private static List<String> pieces(PreTokenizer p, String text) {
        List<String> out = new ArrayList<>();
        p.split(text, 0, text.length(), (t, s, e) -> out.add(t.substring(s, e)));
        return out;
    }

    @Test
    void splitBehavioursMatchHuggingFace() {
        // HF's own doc example: pattern "-" on "the-final--countdown".
        Pattern dash = Pattern.compile("-");
        String s = "the-final--countdown";
        assertEquals(List.of("the", "final", "countdown"),
                pieces(new PreTokenizer.Split(dash, PreTokenizer.Behavior.REMOVED, false), s));
        assertEquals(List.of("the", "-", "final", "-", "-", "countdown"),
                pieces(new PreTokenizer.Split(dash, PreTokenizer.Behavior.ISOLATED, false), s));
        assertEquals(List.of("the-", "final-", "-", "countdown"),
                pieces(new PreTokenizer.Split(dash, PreTokenizer.Behavior.MERGED_WITH_PREVIOUS, false), s));
        assertEquals(List.of("the", "-final", "-", "-countdown"),
                pieces(new PreTokenizer.Split(dash, PreTokenizer.Behavior.MERGED_WITH_NEXT, false), s));
        assertEquals(List.of("the", "-", "final", "--", "countdown"),
                pieces(new PreTokenizer.Split(dash, PreTokenizer.Behavior.CONTIGUOUS, false), s));
        assertEquals(List.of("-", "-", "-"),
                pieces(new PreTokenizer.Split(dash, PreTokenizer.Behavior.REMOVED, true), s));
        assertEquals(List.of("abc", "123", "d", "4"), pieces(new PreTokenizer.Digits(false), "abc123d4"));
        assertEquals(List.of("a", "1", "2"), pieces(new PreTokenizer.Digits(true), "a12"));
        assertEquals(List.of(" Hello", " world", "'s", " 42", "!!"),
                pieces(new PreTokenizer.ByteLevel(true, true), "Hello world's 42!!"));
    }

    @Test
    void otherPipelinesLoadAndRoundTrip() throws Exception {
        String gpt2 = "{\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"trim_offsets\": true, \"use_regex\": true}";
        String digits = "{\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"Digits\", \"individual_digits\": true},"
                + "{\"type\": \"Split\", \"pattern\": {\"String\": \" \"}, \"behavior\": \"MergedWithNext\", \"invert\": false},"
                + gpt2 + "]}";
        for (String p : List.of(gpt2, digits)) {
            Tokenizer tok = withPreTokenizer(p);
            String text = "Hello 12345 wörld <|end_of_text|> 😀";
            assertEquals(text, tok.decode(tok.encode(text), false));
        }
    }

    @Test
    void unsupportedComponentsFailNamingTheComponent() {
        var e = assertThrows(TokenizerLoadException.class,
                () -> withPreTokenizer("{\"type\": \"Metaspace\", \"replacement\": \"▁\"}"));
        assertTrue(e.getMessage().contains("Metaspace"), e.getMessage());
        var e2 = assertThrows(TokenizerLoadException.class,
                () -> withPreTokenizer("{\"type\": \"Split\", \"pattern\": {\"Regex\": \"x\"}, \"behavior\": \"Isolated\"}"));
        assertTrue(e2.getMessage().contains("ByteLevel"), e2.getMessage());
    }
}
