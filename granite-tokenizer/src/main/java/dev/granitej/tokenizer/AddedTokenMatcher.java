package dev.granitej.tokenizer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds added tokens in text, leftmost first and longest among those starting at the same place (the
 * {@code LeftmostLongest} semantics of HF's Aho-Corasick matcher), with a char trie.
 */
final class AddedTokenMatcher {

    private static final class Node {
        final Map<Character, Node> children = new HashMap<>(4);
        int token = -1; // index into tokens, -1 when no token ends here
    }

    private final List<AddedToken> tokens;
    private final Node root = new Node();
    private final boolean[] firstChars = new boolean[65536];

    AddedTokenMatcher(List<AddedToken> tokens) {
        this.tokens = List.copyOf(tokens);
        for (int t = 0; t < this.tokens.size(); t++) {
            String s = this.tokens.get(t).content();
            Node node = root;
            for (int i = 0; i < s.length(); i++) {
                node = node.children.computeIfAbsent(s.charAt(i), c -> new Node());
            }
            node.token = t;
            firstChars[s.charAt(0)] = true;
        }
    }

    boolean isEmpty() {
        return tokens.isEmpty();
    }

    /** A match: the text range it consumes (including stripped whitespace) and the token. */
    record Match(int start, int end, AddedToken token) {}

    /**
     * The leftmost-longest match in {@code text[from, to)} whose token the policy allows and which does not
     * overlap any range in {@code plainRanges} (sorted start/end pairs; may be null), or null.
     */
    Match find(String text, int from, int to, AddedTokenPolicy policy, int[] plainRanges) {
        if (tokens.isEmpty() || policy == AddedTokenPolicy.ALL_AS_TEXT) {
            return null;
        }
        for (int i = from; i < to; i++) {
            if (!firstChars[text.charAt(i)]) {
                continue;
            }
            Node node = root;
            int best = -1;
            int bestEnd = -1;
            for (int j = i; j < to; j++) {
                node = node.children.get(text.charAt(j));
                if (node == null) {
                    break;
                }
                if (node.token >= 0 && allowed(tokens.get(node.token), policy)) {
                    best = node.token;
                    bestEnd = j + 1;
                }
            }
            if (best < 0 || overlapsPlain(i, bestEnd, plainRanges)) {
                continue;
            }
            AddedToken token = tokens.get(best);
            if (token.singleWord() && !isWordBoundary(text, i, bestEnd, from, to)) {
                continue;
            }
            int start = i;
            int end = bestEnd;
            if (token.lstrip()) {
                while (start > from && Character.isWhitespace(text.charAt(start - 1))) {
                    start--;
                }
            }
            if (token.rstrip()) {
                while (end < to && Character.isWhitespace(text.charAt(end))) {
                    end++;
                }
            }
            return new Match(start, end, token);
        }
        return null;
    }

    private static boolean allowed(AddedToken token, AddedTokenPolicy policy) {
        return policy == AddedTokenPolicy.RECOGNIZE_ALL || !token.special();
    }

    private static boolean isWordBoundary(String text, int start, int end, int from, int to) {
        boolean left = start == from || !isWordChar(text.codePointBefore(start));
        boolean right = end == to || !isWordChar(text.codePointAt(end));
        return left && right;
    }

    private static boolean isWordChar(int cp) {
        return Character.isLetterOrDigit(cp) || cp == '_';
    }

    static boolean overlapsPlain(int start, int end, int[] plainRanges) {
        if (plainRanges == null) {
            return false;
        }
        for (int r = 0; r < plainRanges.length; r += 2) {
            if (plainRanges[r] >= end) {
                return false;
            }
            if (plainRanges[r + 1] > start) {
                return true;
            }
        }
        return false;
    }
}
