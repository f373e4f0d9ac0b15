package dev.granitej.tokenizer;

/**
 * GPT-2's reversible byte-to-character alphabet ({@code bytes_to_unicode}).
 *
 * <p>Byte-level BPE vocabularies store tokens as strings over this alphabet so that every byte is a
 * printable character: bytes {@code 0x21-0x7E}, {@code 0xA1-0xAC} and {@code 0xAE-0xFF} stand for
 * themselves, the remaining 68 bytes map in increasing order to U+0100..U+0143 (space becomes
 * {@code Ġ}, newline {@code Ċ}).
 */
final class ByteLevelAlphabet {

    private static final char[] BYTE_TO_CHAR = new char[256];
    /** Indexed by char; -1 for chars outside the alphabet. Only the first 0x144 chars can be in it. */
    private static final int[] CHAR_TO_BYTE = new int[0x144];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int next = 0x100;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
            char c = printable ? (char) b : (char) next++;
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteLevelAlphabet() {}

    static char charOf(int unsignedByte) {
        return BYTE_TO_CHAR[unsignedByte];
    }

    /** The byte a character stands for, or -1 when the character is not part of the alphabet. */
    static int byteOf(char c) {
        return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }

    /**
     * The bytes a token string stands for, as HF's ByteLevel decoder computes them: alphabet
     * characters become their byte, any other character contributes its own UTF-8 bytes.
     */
    static byte[] decodeToken(String token) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(token.length());
        for (int i = 0; i < token.length(); ) {
            int cp = token.codePointAt(i);
            int b = cp < 0x10000 ? byteOf((char) cp) : -1;
            if (b >= 0) {
                out.write(b);
            } else {
                byte[] raw = new String(Character.toChars(cp)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                out.write(raw, 0, raw.length);
            }
            i += Character.charCount(cp);
        }
        return out.toByteArray();
    }

    /** The token string for a byte sequence (each byte as its alphabet character). */
    static String encodeBytes(byte[] bytes, int from, int to) {
        char[] chars = new char[to - from];
        for (int i = from; i < to; i++) {
            chars[i - from] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        }
        return new String(chars);
    }
}
