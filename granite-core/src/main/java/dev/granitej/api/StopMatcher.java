package dev.granitej.api;

import java.util.List;

/**
 * Finds stop strings in streamed text across token boundaries. Text is released only when it can no longer
 * be the start of a stop string, so a stop string never reaches the caller, even split over many tokens.
 */
final class StopMatcher {

    private final List<String> stops;
    private final StringBuilder held = new StringBuilder();
    private boolean stopped;

    StopMatcher(List<String> stops) {
        this.stops = stops;
    }

    /** Adds decoded text; returns the text that is safe to release now (possibly empty). */
    String accept(String text) {
        if (stopped) {
            return "";
        }
        held.append(text);
        int first = -1;
        for (String s : stops) {
            int i = held.indexOf(s);
            if (i >= 0 && (first < 0 || i < first)) {
                first = i;
            }
        }
        if (first >= 0) {
            stopped = true;
            String out = held.substring(0, first);
            held.setLength(0);
            return out;
        }
        int keep = longestSuffixThatStartsAStop();
        String out = held.substring(0, held.length() - keep);
        held.delete(0, held.length() - keep);
        return out;
    }

    /** Whether a stop string was found. */
    boolean stopped() {
        return stopped;
    }

    /** The text still held back, released when the generation ends for another reason. */
    String flush() {
        String out = stopped ? "" : held.toString();
        held.setLength(0);
        return out;
    }

    private boolean endsWith(String s, int len) {
        int from = held.length() - len;
        for (int i = 0; i < len; i++) {
            if (held.charAt(from + i) != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private int longestSuffixThatStartsAStop() {
        int best = 0;
        for (String s : stops) {
            int max = Math.min(s.length() - 1, held.length());
            for (int len = max; len > best; len--) {
                if (endsWith(s, len)) {
                    best = len;
                    break;
                }
            }
        }
        return best;
    }
}
