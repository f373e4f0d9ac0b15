package dev.granitej.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hand-written cl100k splitter against the general regex path (java.util.regex with the project's
 * Oniguruma translation), which the goldens and the JTokkit differential test vouch for.
 */
class Cl100kSplitterTest {

    private static final PreTokenizer.Split REGEX = new PreTokenizer.Split(
            Pattern.compile(OnigurumaSyntax.toJava(Cl100kSplitter.PATTERN), Pattern.UNICODE_CHARACTER_CLASS),
            PreTokenizer.Behavior.ISOLATED, false);
    private static final PreTokenizer FAST = new PreTokenizer.Cl100kSplit(REGEX);

    /** Fragments chosen to hit every alternative and its edges. */
    private static final String[] FRAGMENTS = {
        " ", "  ", "   ", "\t", "\n", "\r", "\r\n", "\n\n", " \n", "\t\n ", "\u000b", "\f", "\u0085", "\u00a0",
        "\u1680", "\u2000", "\u2007", "\u200a", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\u180e", "\u200b",
        "\u001c", "\u001f", "\ufeff",
        "'", "'s", "'S", "'t", "'re", "'RE", "'rE", "'ve", "'m", "'ll", "'LL", "'d", "'x", "''", "'\u017f", "'\u017F\u017f",
        "\u2019s", "'\u0130", "'\u212a", "'r", "'l", "'v", "'le", "'lL",
        "a", "Z", "hello", "World", "ſ", "K", "İ", "ǅ", "é", "e\u0301", "\u0301", "ﬁ", "ß", "über", "Ελληνικά",
        "русский", "ไทย", "مرحبا", "עברית", "हिन्दी", "中文", "日本語", "カタカナ", "ｈａｌｆ", "한국어", "ᄀ", "ー", "々",
        "ʰ", "ª", "𝔘𝔫𝔦", "𠀀𠀁", "𐐷",
        "0", "7", "42", "123", "2025", "650841823", "٣٤٥", "۱۲", "Ⅻ", "ⅷ", "²", "½", "①", "𝟘𝟙", "〇", "十",
        ".", ",", "!", "?", "...", "{", "}", "(", ")", "[]", "=>", "->", "::", "//", "#", "$", "%", "&&", "\"", "`",
        "<|", "|>", "\\", "@", "~", "^", "-", "_", "+", ";", ":", "€", "©", "™", "→", "·",
        "😀", "👨‍👩‍👧", "🇩🇪", "👍🏽", "\u0000", "\u007f", "\u200d", "\u200f", "\ue000", "\uffff",
        "\ud800", "\udc00", "\udbff\udfff",
    };

    @Test
    void matchesTheRegexOnAGeneratedCorpus() {
        Random r = new Random(7);
        for (int i = 0; i < 60_000; i++) {
            String text = randomText(r, 1 + r.nextInt(30));
            assertSamePieces(text, 0, text.length());
        }
    }

    @Test
    void matchesTheRegexOnRandomCodePoints() {
        Random r = new Random(11);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder sb = new StringBuilder();
            int n = 1 + r.nextInt(24);
            for (int k = 0; k < n; k++) {
                int cp = switch (r.nextInt(4)) {
                    case 0 -> r.nextInt(0x80);
                    case 1 -> r.nextInt(0x3100);
                    case 2 -> r.nextInt(0x10000);
                    default -> r.nextInt(Character.MAX_CODE_POINT + 1);
                };
                sb.appendCodePoint(cp);
            }
            String text = sb.toString();
            assertSamePieces(text, 0, text.length());
        }
    }

    @Test
    void matchesTheRegexOnSubRanges() {
        // Regions whose ends sit inside a whitespace run (look-ahead at the end) or cut surrogate pairs (which
        // the hand-written matcher hands to the regex).
        Random r = new Random(13);
        int cuts = 0;
        for (int i = 0; i < 20_000; i++) {
            String text = randomText(r, 2 + r.nextInt(20));
            int start = r.nextInt(text.length());
            int end = start + r.nextInt(text.length() - start + 1);
            assertSamePieces(text, start, end);
            cuts += Cl100kSplitter.cutsSurrogatePair(text, start, end) ? 1 : 0;
        }
        assertTrue(cuts > 100 && cuts < 5_000, "cut ranges: " + cuts);
    }

    @Test
    void matchesTheRegexOnLongRuns() {
        for (String text : new String[] {" ".repeat(300) + "x", "\n".repeat(100), "a".repeat(1000),
            "1234567890".repeat(50), "!?".repeat(200) + "\r\n\r\n", "  \n  \n  x", "\u3000\u3000a", " \u00a0b",
            "x  ", "x \n", "'s's's", "😀".repeat(40)}) {
            assertSamePieces(text, 0, text.length());
        }
    }

    @Test
    void onlyTheApostropheFoldsToAnApostrophe() {
        // The splitter compares the leading apostrophe of a contraction without folding.
        for (int c = 0; c <= Character.MAX_VALUE; c++) {
            int ch = c;
            assertEquals(ch == '\'', Cl100kSplitter.fold((char) ch) == '\'', () -> "U+" + Integer.toHexString(ch));
        }
    }

    @Test
    void cl100kTokenizersUseTheHandWrittenSplitter() throws Exception {
        Tokenizer small = Tokenizer.fromFile(GoldenEncodeTest.resource("tokenizer.json"));
        assertInstanceOf(PreTokenizer.Cl100kSplit.class, preTokenizerOf(small));
        var dir = SharedFiles.graniteTokenizerDir();
        if (dir.isPresent()) {
            assertInstanceOf(PreTokenizer.Cl100kSplit.class,
                    preTokenizerOf(Tokenizer.fromFile(dir.get().resolve("tokenizer.json"))));
        }
    }

    private static PreTokenizer preTokenizerOf(Tokenizer t) throws ReflectiveOperationException {
        var field = Tokenizer.class.getDeclaredField("preTokenizer");
        field.setAccessible(true);
        return (PreTokenizer) field.get(t);
    }

    static String randomText(Random r, int fragments) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < fragments; i++) {
            sb.append(FRAGMENTS[r.nextInt(FRAGMENTS.length)]);
        }
        return sb.toString();
    }

    private static void assertSamePieces(String text, int start, int end) {
        List<String> expected = pieces(REGEX, text, start, end);
        List<String> actual = pieces(FAST, text, start, end);
        if (!expected.equals(actual)) {
            assertEquals(escape(expected), escape(actual),
                    "text " + escape(List.of(text)) + " [" + start + ", " + end + ")");
        }
    }

    private static List<String> pieces(PreTokenizer p, String text, int start, int end) {
        List<String> out = new ArrayList<>();
        p.split(text, start, end, (t, s, e) -> out.add(t.substring(s, e)));
        return out;
    }

    private static List<String> escape(List<String> pieces) {
        return pieces.stream().map(s -> s.chars().mapToObj(c -> String.format("%04x", c))
                .reduce((a, b) -> a + " " + b).orElse("")).toList();
    }
}
