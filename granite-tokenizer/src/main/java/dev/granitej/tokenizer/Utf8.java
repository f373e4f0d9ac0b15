package dev.granitej.tokenizer;

/**
 * UTF-8 helpers: allocation-free encoding into a caller's buffer, and lossy decoding with exactly the
 * replacement rules of Rust's {@code String::from_utf8_lossy} (the Unicode "maximal subpart" practice),
 * which is what Hugging Face tokenizers' decode uses.
 */
final class Utf8 {

    static final char REPLACEMENT = '\uFFFD';

    private Utf8() {}

    /** Upper bound of the UTF-8 length of {@code len} UTF-16 chars. */
    static int maxBytes(int len) {
        return len * 3;
    }

    /**
     * Encodes {@code text[start, end)} into {@code out} (which must hold {@link #maxBytes} bytes) and returns
     * the byte count. Lone surrogates become U+FFFD, as Java's own encoder does.
     */
    static int encode(CharSequence text, int start, int end, byte[] out) {
        int n = 0;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                out[n++] = (byte) c;
            } else if (c < 0x800) {
                out[n++] = (byte) (0xC0 | (c >> 6));
                out[n++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(text.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, text.charAt(++i));
                out[n++] = (byte) (0xF0 | (cp >> 18));
                out[n++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                out[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                out[n++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                if (Character.isSurrogate(c)) {
                    c = REPLACEMENT;
                }
                out[n++] = (byte) (0xE0 | (c >> 12));
                out[n++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                out[n++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        return n;
    }

    /** Lossy decode of {@code bytes[0, len)}: invalid and truncated sequences become U+FFFD. */
    static String decodeLossy(byte[] bytes, int len) {
        StringBuilder sb = new StringBuilder(len);
        int consumed = decodeLossy(bytes, 0, len, true, sb);
        assert consumed == len;
        return sb.toString();
    }

    /**
     * Decodes {@code bytes[from, to)} into {@code sb} and returns the index up to which bytes were consumed.
     * With {@code atEnd} false a trailing sequence that is valid so far but incomplete is left unconsumed
     * (a later byte may complete it); with {@code atEnd} true it becomes one U+FFFD.
     */
    static int decodeLossy(byte[] bytes, int from, int to, boolean atEnd, StringBuilder sb) {
        int i = from;
        while (i < to) {
            int b0 = bytes[i] & 0xFF;
            if (b0 < 0x80) {
                sb.append((char) b0);
                i++;
                continue;
            }
            int need;
            int lo = 0x80;
            int hi = 0xBF;
            if (b0 >= 0xC2 && b0 <= 0xDF) {
                need = 1;
            } else if (b0 >= 0xE0 && b0 <= 0xEF) {
                need = 2;
                if (b0 == 0xE0) {
                    lo = 0xA0;
                } else if (b0 == 0xED) {
                    hi = 0x9F;
                }
            } else if (b0 >= 0xF0 && b0 <= 0xF4) {
                need = 3;
                if (b0 == 0xF0) {
                    lo = 0x90;
                } else if (b0 == 0xF4) {
                    hi = 0x8F;
                }
            } else {
                sb.append(REPLACEMENT);
                i++;
                continue;
            }
            int cp = b0 & (0x3F >> need);
            int j = i + 1;
            boolean invalid = false;
            for (int k = 0; k < need; k++, j++) {
                if (j >= to) {
                    if (!atEnd) {
                        return i;
                    }
                    invalid = true;
                    break;
                }
                int b = bytes[j] & 0xFF;
                int min = k == 0 ? lo : 0x80;
                int max = k == 0 ? hi : 0xBF;
                if (b < min || b > max) {
                    invalid = true;
                    break;
                }
                cp = (cp << 6) | (b & 0x3F);
            }
            if (invalid) {
                sb.append(REPLACEMENT);
                i = j;
            } else {
                sb.appendCodePoint(cp);
                i = j;
            }
        }
        return i;
    }
}
