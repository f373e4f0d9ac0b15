package dev.granitej.tokenizer;

/**
 * A hand-written matcher for exactly one regex, the cl100k_base split pattern ({@link #PATTERN}), giving the
 * same pieces as {@code java.util.regex} does with {@link java.util.regex.Pattern#UNICODE_CHARACTER_CLASS}
 * (the general {@link PreTokenizer.Split} path, which stays the oracle in tests) at a fraction of the cost.
 *
 * <p>The pattern is an ordered alternation, so at each position the first alternative that matches wins
 * (not the longest). Every position matches some alternative, so the pieces tile the text:
 * <ol>
 *   <li>{@code (?i:'s|'t|'re|'ve|'m|'ll|'d)}: case-insensitive as Java's {@code UNICODE_CASE} compares,
 *       {@code toLowerCase(toUpperCase(c))}, so {@code 'ſ} (long s) is a contraction too;</li>
 *   <li>{@code [^\r\n\p{L}\p{N}]?\p{L}+}: a run of letters, optionally led by one other character;</li>
 *   <li>{@code \p{N}{1,3}}: up to three numeric code points;</li>
 *   <li>{@code  ?[^\s\p{L}\p{N}]+[\r\n]*}: punctuation and symbols, optionally led by a space, with trailing
 *       line breaks;</li>
 *   <li>{@code \s*[\r\n]+}: whitespace up to and including its last line break;</li>
 *   <li>{@code \s+(?!\S)}: whitespace up to the end of the text, or all but its last character;</li>
 *   <li>{@code \s+}: the single whitespace character left over.</li>
 * </ol>
 * Character classes follow Java's definitions: {@code \p{L}} and {@code \p{N}} are Unicode general categories,
 * {@code \s} (Unicode mode) is categories Zs/Zl/Zp plus U+0009..U+000D and U+0085.
 */
final class Cl100kSplitter {

    /** The regex this class implements, as spelled in cl100k-based {@code tokenizer.json} files. */
    static final String PATTERN = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private static final int LETTER = 1;
    private static final int NUMBER = 2;
    private static final int SPACE = 4;
    private static final int NEWLINE = 8;
    /** Marks a supplementary code point (two chars); never stored in the table. */
    private static final int WIDE = 16;
    private static final int WORDLIKE = LETTER | NUMBER | SPACE;

    /** Character class bits of every char, so that the hot loop avoids {@link Character#getType(int)}. */
    private static final byte[] CLASSES = new byte[Character.MAX_VALUE + 1];

    static {
        for (int c = 0; c <= Character.MAX_VALUE; c++) {
            CLASSES[c] = (byte) classify(c);
        }
    }

    private Cl100kSplitter() {}

    /**
     * Splits {@code text[start, end)} into the pieces the pattern matches and hands each to {@code sink}.
     * The text must not cut a surrogate pair at either end (see {@link #cutsSurrogatePair}).
     */
    static void split(String text, int start, int end, PreTokenizer.Sink sink) {
        int i = start;
        while (i < end) {
            int next = matchEnd(text, i, end);
            sink.accept(text, i, next);
            i = next;
        }
    }

    /**
     * Whether {@code [start, end)} begins or ends between the two halves of a surrogate pair, where
     * {@code java.util.regex} reads across the region bound in ways that differ between its nodes.
     */
    static boolean cutsSurrogatePair(String text, int start, int end) {
        return (start > 0 && start < text.length() && Character.isLowSurrogate(text.charAt(start))
                && Character.isHighSurrogate(text.charAt(start - 1)))
                || (end > 0 && end < text.length() && Character.isLowSurrogate(text.charAt(end))
                && Character.isHighSurrogate(text.charAt(end - 1)));
    }

    /** Where the match starting at {@code i} ends; every position matches, so the result is always > i. */
    static int matchEnd(String s, int i, int end) {
        char c = s.charAt(i);
        int k = kindAt(s, i, end);
        if (c == '\'' && i + 1 < end) { // 1. contractions (no other char folds to an apostrophe; see tests)
            int n = contraction(s, i + 1, end);
            if (n > 0) {
                return i + 1 + n;
            }
        }
        if ((k & LETTER) != 0) { // 2. letters, here without a leading character
            return letters(s, i, end);
        }
        int w = width(k);
        if ((k & (NEWLINE | LETTER | NUMBER)) == 0 && i + w < end && (kindAt(s, i + w, end) & LETTER) != 0) {
            return letters(s, i + w, end); // 2. one other character (space, symbol, ...) then letters
        }
        if ((k & NUMBER) != 0) { // 3. up to three numerics
            int j = i + w;
            for (int n = 1; n < 3 && j < end; n++) {
                int kj = kindAt(s, j, end);
                if ((kj & NUMBER) == 0) {
                    break;
                }
                j += width(kj);
            }
            return j;
        }
        int p = c == ' ' ? i + 1 : i; // 4. optional space, symbols, then line breaks
        if (p < end) {
            int kp = kindAt(s, p, end);
            if ((kp & WORDLIKE) == 0) {
                int j = p + width(kp);
                while (j < end) {
                    int kj = kindAt(s, j, end);
                    if ((kj & WORDLIKE) != 0) {
                        break;
                    }
                    j += width(kj);
                }
                while (j < end && (s.charAt(j) == '\r' || s.charAt(j) == '\n')) {
                    j++;
                }
                return j;
            }
        }
        // Only whitespace is left (all whitespace is in the BMP, one char each).
        int j = i;
        int lastBreak = -1;
        while (j < end) {
            int kj = CLASSES[s.charAt(j)];
            if ((kj & SPACE) == 0) {
                break;
            }
            if ((kj & NEWLINE) != 0) {
                lastBreak = j;
            }
            j++;
        }
        if (lastBreak >= 0) {
            return lastBreak + 1; // 5. \s*[\r\n]+ backtracks to the last line break of the run
        }
        if (j == end) {
            return end; // 6. \s+(?!\S) at the end of the text
        }
        if (j - 1 > i) {
            return j - 1; // 6. leaves the last whitespace to join what follows
        }
        return i + 1; // 7. \s+ of a single character
    }

    /** Length of {@code s|t|re|ve|m|ll|d} (case-insensitive) at {@code p}, or 0. */
    private static int contraction(String s, int p, int end) {
        char a = fold(s.charAt(p));
        if (a == 's' || a == 't' || a == 'm' || a == 'd') {
            return 1;
        }
        if ((a == 'r' || a == 'v' || a == 'l') && p + 1 < end) {
            char b = fold(s.charAt(p + 1));
            if ((a == 'l' && b == 'l') || (a != 'l' && b == 'e')) {
                return 2;
            }
        }
        return 0;
    }

    /** The end of the run of letters starting at {@code i} (which is a letter). */
    private static int letters(String s, int i, int end) {
        int j = i;
        while (j < end) {
            int kj = kindAt(s, j, end);
            if ((kj & LETTER) == 0) {
                break;
            }
            j += width(kj);
        }
        return j;
    }

    /** Java's {@code UNICODE_CASE} comparison key of a char. */
    static char fold(char c) {
        if (c < 0x80) {
            return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
        }
        return Character.toLowerCase(Character.toUpperCase(c));
    }

    /** Class bits of the code point at {@code i}; a surrogate pair counts only when both halves are before end. */
    private static int kindAt(String s, int i, int end) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c) && i + 1 < end) {
            char d = s.charAt(i + 1);
            if (Character.isLowSurrogate(d)) {
                return classify(Character.toCodePoint(c, d)) | WIDE;
            }
        }
        return CLASSES[c];
    }

    private static int width(int kind) {
        return (kind & WIDE) != 0 ? 2 : 1;
    }

    private static int classify(int cp) {
        int bits = switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                 Character.MODIFIER_LETTER, Character.OTHER_LETTER -> LETTER;
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> NUMBER;
            case Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> SPACE;
            default -> 0;
        };
        if ((cp >= 0x09 && cp <= 0x0D) || cp == 0x85) { // Java's Unicode \s adds these controls
            bits |= SPACE;
        }
        if (cp == '\r' || cp == '\n') {
            bits |= NEWLINE;
        }
        return bits;
    }
}
