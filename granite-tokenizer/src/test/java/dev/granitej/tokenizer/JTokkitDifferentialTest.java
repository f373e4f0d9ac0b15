package dev.granitej.tokenizer;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Differential test against JTokkit's independent cl100k_base implementation: on text without added-token
 * strings, Granite's tokenizer must give identical ids.
 */
class JTokkitDifferentialTest {

    static final String[] PIECES = {
        " ", "  ", "\n", "\r\n", "\t", "\u00a0", "\u3000", "\u2028", "\u0085", "\u000b", "\f", "   \n", "\n\n\n",
        "'s", "'T", "'re", "'VE", "'m", "'ll", "'D", "\u2019s", "don't", "I'M", "\u017f", "\u212a",
        "hello", "World", "the", " quick", "brown", "fox", "HTTP", "camelCase", "snake_case", "über", "naïve",
        "0", "7", "42", "123", "2025", "650841823", "3.14159", "1e-5", "٣٤٥", "Ⅻ", "²",
        "😀", "👨‍👩‍👧", "🇩🇪", "👍🏽", "中文", "日本語のテキスト", "한국어", "가", "مرحبا", "Ελληνικά", "русский", "ไทย",
        "é", "e\u0301", "ﬁ", "ǅ", "𝔘𝔫𝔦", "𠀀", "\ue000",
        "{", "}", "(", ")", "[]", "=>", "->", "::", "//", "/*", "*/", "#", "$", "%", "&&", "||", "!=", "...", "?", "!",
        "\"", "'", "`", "<", ">", "<|", "|>", "<|end", "of_text|>", "\\", "@", "~", "^", "-", "_", "+", ",", ".", ";", ":",
        "\u0000", "\u007f", "\u200b", "\ufeff", "\u200f", "\u0301",
    };

    static String randomText(Random r, int pieces) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < pieces; i++) {
            sb.append(PIECES[r.nextInt(PIECES.length)]);
        }
        return sb.toString();
    }

    @Test
    void granitesTokenizerEqualsCl100kOnAGeneratedCorpus() {
        var dir = SharedFiles.graniteTokenizerDir();
        Assumptions.assumeTrue(dir.isPresent(), "shared/golden/granite-tokenizer absent, skipping");
        Tokenizer granite = Tokenizer.fromFile(dir.get().resolve("tokenizer.json"));
        Encoding cl100k = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
        Random r = new Random(20261126);
        int checked = 0;
        for (int i = 0; i < 20_000; i++) {
            String text = randomText(r, 1 + r.nextInt(40));
            if (containsAddedToken(granite, text)) {
                continue;
            }
            int[] expected = cl100k.encodeOrdinary(text).toArray();
            int[] actual = granite.encode(text);
            if (!Arrays.equals(expected, actual)) {
                assertArrayEquals(expected, actual, "text " + text.codePoints().mapToObj(Integer::toHexString).toList());
            }
            checked++;
        }
        assertTrue(checked > 19_000);
        // Long single-piece and mixed inputs exercise the heap BPE.
        for (String text : new String[] {"a".repeat(5000), "ab".repeat(3000), " ".repeat(4000) + "x",
            "1234567890".repeat(500), "😀".repeat(800), "中文字".repeat(1000), randomText(r, 20_000)}) {
            assertArrayEquals(cl100k.encodeOrdinary(text).toArray(), granite.encode(text));
        }
    }

    static boolean containsAddedToken(Tokenizer tok, String text) {
        for (AddedToken t : tok.addedTokens()) {
            if (text.contains(t.content())) {
                return true;
            }
        }
        return false;
    }
}
