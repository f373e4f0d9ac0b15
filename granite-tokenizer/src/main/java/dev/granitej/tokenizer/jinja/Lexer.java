package dev.granitej.tokenizer.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits template source into text and tag tokens with jinja2's whitespace rules as transformers configures
 * them: {@code trim_blocks} (drop the first newline after a block or comment tag), {@code lstrip_blocks}
 * (drop spaces and tabs before a block or comment tag at the start of a line), {@code -} (strip all whitespace
 * on that side) and {@code +} (disable lstrip/trim for that tag).
 */
final class Lexer {

    enum Type { TEXT, VAR_BEGIN, VAR_END, BLOCK_BEGIN, BLOCK_END, NAME, STRING, INT, FLOAT, OP, EOF }

    record Token(Type type, String value, Object literal, int line) {
        boolean is(Type t, String v) {
            return type == t && value.equals(v);
        }

        boolean isName(String v) {
            return is(Type.NAME, v);
        }

        boolean isOp(String v) {
            return is(Type.OP, v);
        }
    }

    private static final Pattern ENDRAW = Pattern.compile("\\{%(-?)\\s*endraw\\s*(-?)%}");
    private static final String[] OPS = {"**", "//", "==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "%", "~",
        "|", ".", ",", ":", "(", ")", "[", "]", "{", "}", "="};

    private final String src;
    private final boolean trimBlocks;
    private final boolean lstripBlocks;
    private final List<Token> tokens = new ArrayList<>();
    private int pos;
    /** Whitespace handling owed to the next text token by the previous tag's end. */
    private boolean stripNextLeading;
    private boolean trimNextNewline;

    private Lexer(String src, boolean trimBlocks, boolean lstripBlocks) {
        this.src = src;
        this.trimBlocks = trimBlocks;
        this.lstripBlocks = lstripBlocks;
    }

    static List<Token> tokenize(String src, boolean trimBlocks, boolean lstripBlocks) {
        Lexer lexer = new Lexer(src, trimBlocks, lstripBlocks);
        lexer.run();
        return lexer.tokens;
    }

    private int line(int at) {
        int n = 1;
        for (int i = 0; i < at && i < src.length(); i++) {
            if (src.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }

    private void run() {
        while (pos < src.length()) {
            int tag = nextTagStart(pos);
            int textEnd = tag < 0 ? src.length() : tag;
            String original = src.substring(pos, textEnd);
            String text = applyLeading(original);
            // jinja2's "line_starting": the text begins right after a newline (or at the start of the source).
            int textStart = pos + original.length() - text.length();
            boolean lineStart = textStart == 0 || src.charAt(textStart - 1) == '\n';
            if (tag < 0) {
                emitText(text);
                pos = src.length();
                break;
            }
            char kind = src.charAt(tag + 1);
            char modifier = tag + 2 < src.length() ? src.charAt(tag + 2) : 0;
            if (modifier == '-') {
                text = stripTrailing(text);
            } else if (kind != '{' && lstripBlocks && modifier != '+') {
                text = lstripLine(text, lineStart);
            }
            emitText(text);
            int inner = tag + 2 + (modifier == '-' || modifier == '+' ? 1 : 0);
            switch (kind) {
                case '#' -> comment(tag, inner);
                case '{' -> tag(Type.VAR_BEGIN, Type.VAR_END, "}}", inner, tag);
                default -> tag(Type.BLOCK_BEGIN, Type.BLOCK_END, "%}", inner, tag);
            }
        }
        tokens.add(new Token(Type.EOF, "", null, line(src.length())));
    }

    private String applyLeading(String text) {
        if (stripNextLeading) {
            text = stripLeading(text);
        } else if (trimNextNewline && text.startsWith("\n")) {
            text = text.substring(1);
        }
        stripNextLeading = false;
        trimNextNewline = false;
        return text;
    }

    private void emitText(String text) {
        if (!text.isEmpty()) {
            tokens.add(new Token(Type.TEXT, text, null, 0));
        }
    }

    private int nextTagStart(int from) {
        for (int i = src.indexOf('{', from); i >= 0 && i + 1 < src.length(); i = src.indexOf('{', i + 1)) {
            char c = src.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') {
                return i;
            }
        }
        return -1;
    }

    private void comment(int tag, int inner) {
        int end = src.indexOf("#}", inner);
        if (end < 0) {
            throw new TemplateException("unclosed comment at line " + line(tag));
        }
        boolean minus = end > inner && src.charAt(end - 1) == '-';
        boolean plus = end > inner && src.charAt(end - 1) == '+';
        pos = end + 2;
        tagEnd(minus, plus, true);
    }

    private void tagEnd(boolean minus, boolean plus, boolean isBlock) {
        if (minus) {
            stripNextLeading = true;
        } else if (isBlock && trimBlocks && !plus) {
            trimNextNewline = true;
        }
    }

    private void tag(Type begin, Type endType, String close, int inner, int tagStart) {
        int startLine = line(tagStart);
        tokens.add(new Token(begin, src.substring(tagStart, inner), null, startLine));
        int firstToken = tokens.size();
        pos = inner;
        int depth = 0;
        while (true) {
            skipSpaces();
            if (pos >= src.length()) {
                throw new TemplateException("unclosed tag at line " + startLine);
            }
            if (depth == 0) {
                boolean minus = src.startsWith("-" + close, pos);
                boolean plus = src.startsWith("+" + close, pos);
                if (minus || plus || src.startsWith(close, pos)) {
                    pos += close.length() + (minus || plus ? 1 : 0);
                    tokens.add(new Token(endType, close, null, startLine));
                    tagEnd(minus, plus, begin == Type.BLOCK_BEGIN);
                    if (begin == Type.BLOCK_BEGIN && tokens.size() == firstToken + 2
                            && tokens.get(firstToken).isName("raw")) {
                        raw(startLine);
                    }
                    return;
                }
            }
            Token t = next(startLine);
            if (t.isOp("(") || t.isOp("[") || t.isOp("{")) {
                depth++;
            } else if (t.isOp(")") || t.isOp("]") || t.isOp("}")) {
                depth--;
            }
            tokens.add(t);
        }
    }

    /** {@code {% raw %}…{% endraw %}}: the body is text, verbatim. */
    private void raw(int startLine) {
        Matcher m = ENDRAW.matcher(src);
        if (!m.find(pos)) {
            throw new TemplateException("unclosed raw block at line " + startLine);
        }
        // Drop the raw tag tokens: BLOCK_BEGIN, NAME raw, BLOCK_END.
        tokens.subList(tokens.size() - 3, tokens.size()).clear();
        String body = applyLeading(src.substring(pos, m.start()));
        if (!m.group(1).isEmpty()) {
            body = stripTrailing(body);
        }
        emitText(body);
        pos = m.end();
        tagEnd(!m.group(2).isEmpty(), false, true);
    }

    private void skipSpaces() {
        while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) {
            pos++;
        }
    }

    private Token next(int line) {
        char c = src.charAt(pos);
        if (Character.isLetter(c) || c == '_') {
            int s = pos;
            while (pos < src.length() && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
                pos++;
            }
            return new Token(Type.NAME, src.substring(s, pos), null, line);
        }
        if (Character.isDigit(c)) {
            return number(line);
        }
        if (c == '\'' || c == '"') {
            return string(c, line);
        }
        for (String op : OPS) {
            if (src.startsWith(op, pos)) {
                pos += op.length();
                return new Token(Type.OP, op, null, line);
            }
        }
        throw new TemplateException("unexpected character '" + c + "' in tag at line " + line);
    }

    private Token number(int line) {
        int s = pos;
        while (pos < src.length() && (Character.isDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
            pos++;
        }
        boolean isFloat = false;
        if (pos + 1 < src.length() && src.charAt(pos) == '.' && Character.isDigit(src.charAt(pos + 1))) {
            isFloat = true;
            pos++;
            while (pos < src.length() && (Character.isDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
                pos++;
            }
        }
        if (pos < src.length() && (src.charAt(pos) == 'e' || src.charAt(pos) == 'E')) {
            int save = pos;
            pos++;
            if (pos < src.length() && (src.charAt(pos) == '+' || src.charAt(pos) == '-')) {
                pos++;
            }
            if (pos < src.length() && Character.isDigit(src.charAt(pos))) {
                isFloat = true;
                while (pos < src.length() && Character.isDigit(src.charAt(pos))) {
                    pos++;
                }
            } else {
                pos = save;
            }
        }
        String text = src.substring(s, pos).replace("_", "");
        if (isFloat) {
            return new Token(Type.FLOAT, text, Double.parseDouble(text), line);
        }
        java.math.BigInteger big = new java.math.BigInteger(text);
        Object value = big.bitLength() < 64 ? (Object) big.longValue() : big;
        return new Token(Type.INT, text, value, line);
    }

    private Token string(char quote, int line) {
        StringBuilder sb = new StringBuilder();
        pos++;
        while (true) {
            if (pos >= src.length()) {
                throw new TemplateException("unterminated string at line " + line);
            }
            char c = src.charAt(pos++);
            if (c == quote) {
                break;
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char e = src.charAt(pos++);
            switch (e) {
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'r' -> sb.append('\r');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'v' -> sb.append('\u000B');
                case 'a' -> sb.append('\u0007');
                case '0' -> sb.append('\0');
                case '\\', '\'', '"' -> sb.append(e);
                case '\n' -> { } // line continuation
                case 'x' -> {
                    sb.append((char) Integer.parseInt(src.substring(pos, pos + 2), 16));
                    pos += 2;
                }
                case 'u' -> {
                    sb.append((char) Integer.parseInt(src.substring(pos, pos + 4), 16));
                    pos += 4;
                }
                case 'U' -> {
                    sb.appendCodePoint(Integer.parseInt(src.substring(pos, pos + 8), 16));
                    pos += 8;
                }
                default -> sb.append('\\').append(e); // Python keeps unknown escapes verbatim
            }
        }
        return new Token(Type.STRING, sb.toString(), sb.toString(), line);
    }

    private static String stripTrailing(String s) {
        int end = s.length();
        while (end > 0 && Character.isWhitespace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end);
    }

    private static String stripLeading(String s) {
        int i = 0;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return s.substring(i);
    }

    /** lstrip_blocks: remove spaces/tabs between the last line start and the tag. */
    private static String lstripLine(String text, boolean textStartsLine) {
        int nl = text.lastIndexOf('\n');
        int from = nl + 1;
        if (nl < 0 && !textStartsLine) {
            return text;
        }
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != ' ' && c != '\t') {
                return text;
            }
        }
        return text.substring(0, from);
    }
}
