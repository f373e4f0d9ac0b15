package dev.granitej.tokenizer;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A pre-tokenizer splits a piece of text into smaller pieces before BPE (HF {@code pre_tokenizers}).
 * Pieces are passed as ranges of a string so that splitting allocates nothing per piece.
 */
sealed interface PreTokenizer {

    /** Receives the pieces of a split. */
    @FunctionalInterface
    interface Sink {
        void accept(String text, int start, int end);
    }

    /** Splits {@code text[start, end)} and hands every non-empty piece, in order, to {@code sink}. */
    void split(String text, int start, int end, Sink sink);

    /** How a Split pre-tokenizer treats the delimiters its pattern matches (HF {@code SplitDelimiterBehavior}). */
    enum Behavior { REMOVED, ISOLATED, MERGED_WITH_PREVIOUS, MERGED_WITH_NEXT, CONTIGUOUS }

    /** Applies each pre-tokenizer to every piece the previous one produced. */
    record Sequence(List<PreTokenizer> steps) implements PreTokenizer {
        public Sequence {
            steps = List.copyOf(steps);
        }

        @Override
        public void split(String text, int start, int end, Sink sink) {
            run(0, text, start, end, sink);
        }

        private void run(int step, String text, int start, int end, Sink sink) {
            if (step == steps.size()) {
                sink.accept(text, start, end);
                return;
            }
            steps.get(step).split(text, start, end, (t, s, e) -> run(step + 1, t, s, e, sink));
        }
    }

    /**
     * Splits on a regex or literal pattern. The regex runs with {@link Pattern#UNICODE_CHARACTER_CLASS} so that
     * {@code \s}, {@code \w} and case-insensitivity follow Unicode as Oniguruma does; the matcher's region is the
     * piece with opaque bounds, so look-arounds see the piece's ends as the ends of the input, as in HF.
     */
    record Split(Pattern pattern, Behavior behavior, boolean invert) implements PreTokenizer {
        @Override
        public void split(String text, int start, int end, Sink sink) {
            if (start == end) {
                return;
            }
            if (behavior == Behavior.ISOLATED && !invert) {
                isolated(text, start, end, sink);
                return;
            }
            // General path: collect (span, isMatch) then apply the behaviour exactly as HF's normalizer.rs.
            Spans spans = new Spans();
            Matcher m = pattern.matcher(text).region(start, end);
            int prev = start;
            while (m.find()) {
                // Empty matches still cut the text (HF keeps them as spans), their empty pieces are dropped later.
                if (prev != m.start()) {
                    spans.add(prev, m.start(), invert);
                }
                spans.add(m.start(), m.end(), !invert);
                prev = m.end();
            }
            if (prev != end) {
                spans.add(prev, end, invert);
            }
            spans.apply(behavior, text, sink);
        }

        /** The common case without bookkeeping: every match and every gap is its own piece. */
        private void isolated(String text, int start, int end, Sink sink) {
            Matcher m = pattern.matcher(text).region(start, end);
            int prev = start;
            while (m.find()) {
                int s = m.start();
                int e = m.end();
                if (prev != s) {
                    sink.accept(text, prev, s);
                }
                if (s != e) {
                    sink.accept(text, s, e);
                }
                prev = e;
            }
            if (prev != end) {
                sink.accept(text, prev, end);
            }
        }
    }

    /**
     * The {@link Split} of cl100k-style tokenizers ({@link Cl100kSplitter#PATTERN}, {@code Isolated}, not
     * inverted) done by a hand-written matcher that gives the same pieces as the regex. The regex split is kept
     * for the one case the matcher leaves to it: a range that cuts a surrogate pair.
     */
    record Cl100kSplit(Split regex) implements PreTokenizer {
        @Override
        public void split(String text, int start, int end, Sink sink) {
            if (Cl100kSplitter.cutsSurrogatePair(text, start, end)) {
                regex.split(text, start, end, sink);
            } else {
                Cl100kSplitter.split(text, start, end, sink);
            }
        }
    }

    /** Splits numeric characters (Unicode category N, Rust's {@code char::is_numeric}) from the rest. */
    record Digits(boolean individualDigits) implements PreTokenizer {
        @Override
        public void split(String text, int start, int end, Sink sink) {
            int pieceStart = start;
            int i = start;
            while (i < end) {
                int cp = text.codePointAt(i);
                int next = i + Character.charCount(cp);
                boolean digit = isNumeric(cp);
                if (digit && individualDigits) {
                    if (pieceStart < i) {
                        sink.accept(text, pieceStart, i);
                    }
                    sink.accept(text, i, next);
                    pieceStart = next;
                } else if (i > pieceStart) {
                    int prevCp = text.codePointBefore(i);
                    if (isNumeric(prevCp) != digit) {
                        sink.accept(text, pieceStart, i);
                        pieceStart = i;
                    }
                }
                i = next;
            }
            if (pieceStart < end) {
                sink.accept(text, pieceStart, end);
            }
        }

        private static boolean isNumeric(int cp) {
            int t = Character.getType(cp);
            return t == Character.DECIMAL_DIGIT_NUMBER || t == Character.LETTER_NUMBER || t == Character.OTHER_NUMBER;
        }
    }

    /**
     * The ByteLevel pre-tokenizer's splitting part: an optional prefix space and, with {@code use_regex}, GPT-2's
     * split regex. (Its byte-to-alphabet mapping is done by the BPE stage, which works on UTF-8 bytes directly.)
     */
    record ByteLevel(boolean addPrefixSpace, boolean useRegex) implements PreTokenizer {
        static final Pattern GPT2 = Pattern.compile(
                "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
                Pattern.UNICODE_CHARACTER_CLASS);
        private static final Split GPT2_SPLIT = new Split(GPT2, Behavior.ISOLATED, false);

        @Override
        public void split(String text, int start, int end, Sink sink) {
            if (start == end) {
                return;
            }
            if (addPrefixSpace && text.charAt(start) != ' ') {
                text = " " + text.substring(start, end);
                end = text.length();
                start = 0;
            }
            if (useRegex) {
                GPT2_SPLIT.split(text, start, end, sink);
            } else {
                sink.accept(text, start, end);
            }
        }
    }

    /** The (span, isMatch) list of one split and HF's five ways of turning it into pieces. */
    final class Spans {
        private int[] starts = new int[16];
        private int[] ends = new int[16];
        private boolean[] matches = new boolean[16];
        private int size;

        void add(int start, int end, boolean match) {
            if (size == starts.length) {
                starts = java.util.Arrays.copyOf(starts, size * 2);
                ends = java.util.Arrays.copyOf(ends, size * 2);
                matches = java.util.Arrays.copyOf(matches, size * 2);
            }
            starts[size] = start;
            ends[size] = end;
            matches[size] = match;
            size++;
        }

        void apply(Behavior behavior, String text, Sink out) {
            Sink sink = (t, s, e) -> {
                if (s < e) {
                    out.accept(t, s, e);
                }
            };
            switch (behavior) {
                case ISOLATED -> {
                    for (int i = 0; i < size; i++) {
                        sink.accept(text, starts[i], ends[i]);
                    }
                }
                case REMOVED -> {
                    for (int i = 0; i < size; i++) {
                        if (!matches[i]) {
                            sink.accept(text, starts[i], ends[i]);
                        }
                    }
                }
                case MERGED_WITH_PREVIOUS -> {
                    // A delimiter joins the piece before it (unless that piece was itself a delimiter).
                    int curStart = -1;
                    int curEnd = -1;
                    boolean previousMatch = false;
                    for (int i = 0; i < size; i++) {
                        if (matches[i] && !previousMatch && curStart >= 0) {
                            curEnd = ends[i];
                        } else {
                            if (curStart >= 0) {
                                sink.accept(text, curStart, curEnd);
                            }
                            curStart = starts[i];
                            curEnd = ends[i];
                        }
                        previousMatch = matches[i];
                    }
                    if (curStart >= 0) {
                        sink.accept(text, curStart, curEnd);
                    }
                }
                case MERGED_WITH_NEXT -> {
                    // Mirror image of MERGED_WITH_PREVIOUS, computed right to left as HF does.
                    int[] outStarts = new int[size];
                    int[] outEnds = new int[size];
                    int n = 0;
                    boolean previousMatch = false;
                    for (int i = size - 1; i >= 0; i--) {
                        if (matches[i] && !previousMatch && n > 0) {
                            outStarts[n - 1] = starts[i];
                        } else {
                            outStarts[n] = starts[i];
                            outEnds[n] = ends[i];
                            n++;
                        }
                        previousMatch = matches[i];
                    }
                    for (int i = n - 1; i >= 0; i--) {
                        sink.accept(text, outStarts[i], outEnds[i]);
                    }
                }
                case CONTIGUOUS -> {
                    // Runs of consecutive spans with the same flag become one piece.
                    int curStart = -1;
                    int curEnd = -1;
                    boolean previousMatch = false;
                    for (int i = 0; i < size; i++) {
                        if (matches[i] == previousMatch && curStart >= 0) {
                            curEnd = ends[i];
                        } else {
                            if (curStart >= 0) {
                                sink.accept(text, curStart, curEnd);
                            }
                            curStart = starts[i];
                            curEnd = ends[i];
                        }
                        previousMatch = matches[i];
                    }
                    if (curStart >= 0) {
                        sink.accept(text, curStart, curEnd);
                    }
                }
            }
        }
    }
}
