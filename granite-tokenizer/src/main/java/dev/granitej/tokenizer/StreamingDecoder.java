package dev.granitej.tokenizer;

import java.util.Arrays;

/**
 * Incremental detokenization for generation. {@link #accept} returns the text that became complete with the
 * new token (often empty while a multi-byte character is split across tokens); bytes that can never become
 * valid are emitted as U+FFFD as soon as that is certain. Concatenating every {@code accept} result and
 * {@link #flush()} gives exactly {@link Tokenizer#decode(int[], boolean)} of all ids.
 *
 * <p>Holds per-stream state: one instance per generation, not shared between threads.
 */
public final class StreamingDecoder {
    private final Tokenizer tokenizer;
    private final boolean skipSpecialTokens;
    private byte[] pending = new byte[16];
    private int pendingLength;

    StreamingDecoder(Tokenizer tokenizer, boolean skipSpecialTokens) {
        this.tokenizer = tokenizer;
        this.skipSpecialTokens = skipSpecialTokens;
    }

    /** Adds one token and returns the newly complete text (possibly empty). */
    public String accept(int id) {
        byte[] b = tokenizer.bytesOf(id, skipSpecialTokens);
        if (b == null || b.length == 0) {
            return "";
        }
        if (pendingLength + b.length > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + b.length));
        }
        System.arraycopy(b, 0, pending, pendingLength, b.length);
        pendingLength += b.length;
        StringBuilder sb = new StringBuilder();
        int consumed = Utf8.decodeLossy(pending, 0, pendingLength, false, sb);
        System.arraycopy(pending, consumed, pending, 0, pendingLength - consumed);
        pendingLength -= consumed;
        return sb.toString();
    }

    /** Ends the stream: an incomplete trailing sequence becomes U+FFFD. */
    public String flush() {
        StringBuilder sb = new StringBuilder();
        Utf8.decodeLossy(pending, 0, pendingLength, true, sb);
        pendingLength = 0;
        return sb.toString();
    }
}
