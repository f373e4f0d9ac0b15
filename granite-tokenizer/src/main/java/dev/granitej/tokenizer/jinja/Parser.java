package dev.granitej.tokenizer.jinja;

import dev.granitej.tokenizer.jinja.Lexer.Token;
import dev.granitej.tokenizer.jinja.Lexer.Type;
import dev.granitej.tokenizer.jinja.Node.Expr;
import dev.granitej.tokenizer.jinja.Node.Stmt;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Recursive-descent parser for the Jinja subset chat templates use, with jinja2's operator precedence. */
final class Parser {

    private static final Set<String> PRIMARY_START = Set.of("name", "string", "int", "float", "(", "[", "{");

    private final List<Token> tokens;
    private int i;

    private Parser(List<Token> tokens) {
        this.tokens = tokens;
    }

    static List<Stmt> parse(List<Token> tokens) {
        Parser p = new Parser(tokens);
        List<Stmt> body = p.statements(Set.of());
        if (p.peek().type() != Type.EOF) {
            throw p.error("unexpected tag '" + p.peek(1).value() + "'");
        }
        return body;
    }

    private Token peek() {
        return tokens.get(i);
    }

    private Token peek(int ahead) {
        return tokens.get(Math.min(i + ahead, tokens.size() - 1));
    }

    private Token advance() {
        return tokens.get(i++);
    }

    private TemplateException error(String message) {
        return new TemplateException(message + " (line " + peek().line() + ")");
    }

    private Token expect(Type type, String value) {
        Token t = advance();
        if (t.type() != type || (value != null && !t.value().equals(value))) {
            i--;
            throw error("expected " + (value != null ? "'" + value + "'" : type) + " but found '" + t.value() + "'");
        }
        return t;
    }

    private boolean acceptOp(String op) {
        if (peek().isOp(op)) {
            i++;
            return true;
        }
        return false;
    }

    private boolean acceptName(String name) {
        if (peek().isName(name)) {
            i++;
            return true;
        }
        return false;
    }

    /** Parses statements until a block tag whose keyword is in {@code end} (left unconsumed) or EOF. */
    private List<Stmt> statements(Set<String> end) {
        List<Stmt> out = new ArrayList<>();
        while (true) {
            Token t = peek();
            switch (t.type()) {
                case EOF -> {
                    if (!end.isEmpty()) {
                        throw error("missing end tag, expected one of " + end);
                    }
                    return out;
                }
                case TEXT -> {
                    out.add(new Node.Text(t.value()));
                    i++;
                }
                case VAR_BEGIN -> {
                    i++;
                    out.add(new Node.Output(tuple()));
                    expect(Type.VAR_END, null);
                }
                case BLOCK_BEGIN -> {
                    Token keyword = peek(1);
                    if (end.contains(keyword.value())) {
                        return out;
                    }
                    i += 2;
                    out.add(block(keyword));
                }
                default -> throw error("unexpected token '" + t.value() + "'");
            }
        }
    }

    private void endTag(String keyword) {
        expect(Type.BLOCK_BEGIN, null);
        expect(Type.NAME, keyword);
        expect(Type.BLOCK_END, null);
    }

    private Stmt block(Token keyword) {
        if (keyword.type() != Type.NAME) {
            throw error("expected a tag name, found '" + keyword.value() + "'");
        }
        switch (keyword.value()) {
            case "if" -> {
                List<Node.Branch> branches = new ArrayList<>();
                Expr cond = expression();
                expect(Type.BLOCK_END, null);
                List<Stmt> otherwise = List.of();
                while (true) {
                    List<Stmt> body = statements(Set.of("elif", "else", "endif"));
                    branches.add(new Node.Branch(cond, body));
                    expect(Type.BLOCK_BEGIN, null);
                    String k = advance().value();
                    if (k.equals("elif")) {
                        cond = expression();
                        expect(Type.BLOCK_END, null);
                    } else if (k.equals("else")) {
                        expect(Type.BLOCK_END, null);
                        otherwise = statements(Set.of("endif"));
                        endTag("endif");
                        break;
                    } else {
                        expect(Type.BLOCK_END, null);
                        break;
                    }
                }
                return new Node.If(branches, otherwise);
            }
            case "for" -> {
                List<String> targets = targets();
                expect(Type.NAME, "in");
                Expr iterable = tupleNoCondition();
                Expr filter = null;
                if (acceptName("if")) {
                    filter = expression();
                }
                if (peek().isName("recursive")) {
                    throw error("recursive loops are not supported");
                }
                expect(Type.BLOCK_END, null);
                List<Stmt> body = statements(Set.of("else", "endfor"));
                List<Stmt> otherwise = List.of();
                if (peek(1).isName("else")) {
                    i += 2;
                    expect(Type.BLOCK_END, null);
                    otherwise = statements(Set.of("endfor"));
                }
                endTag("endfor");
                return new Node.For(targets, iterable, filter, body, otherwise, keyword.line());
            }
            case "set" -> {
                String first = expect(Type.NAME, null).value();
                if (acceptOp(".")) {
                    String attr = expect(Type.NAME, null).value();
                    expect(Type.OP, "=");
                    Expr value = tuple();
                    expect(Type.BLOCK_END, null);
                    return new Node.Set(List.of(first), attr, value);
                }
                List<String> names = new ArrayList<>(List.of(first));
                while (acceptOp(",")) {
                    names.add(expect(Type.NAME, null).value());
                }
                if (peek().type() == Type.BLOCK_END && names.size() == 1) {
                    i++;
                    List<Stmt> body = statements(Set.of("endset"));
                    endTag("endset");
                    return new Node.SetBlock(first, body);
                }
                expect(Type.OP, "=");
                Expr value = tuple();
                expect(Type.BLOCK_END, null);
                return new Node.Set(names, null, value);
            }
            case "macro" -> {
                String name = expect(Type.NAME, null).value();
                expect(Type.OP, "(");
                List<String> params = new ArrayList<>();
                List<Expr> defaults = new ArrayList<>();
                while (!acceptOp(")")) {
                    params.add(expect(Type.NAME, null).value());
                    if (acceptOp("=")) {
                        defaults.add(expression());
                    } else if (!defaults.isEmpty()) {
                        throw error("macro parameter without default after one with a default");
                    }
                    if (!peek().isOp(")")) {
                        expect(Type.OP, ",");
                    }
                }
                expect(Type.BLOCK_END, null);
                List<Stmt> body = statements(Set.of("endmacro"));
                endTag("endmacro");
                return new Node.Macro(name, params, defaults, body);
            }
            case "break" -> {
                expect(Type.BLOCK_END, null);
                return new Node.Break();
            }
            case "continue" -> {
                expect(Type.BLOCK_END, null);
                return new Node.Continue();
            }
            case "generation" -> {
                expect(Type.BLOCK_END, null);
                List<Stmt> body = statements(Set.of("endgeneration"));
                endTag("endgeneration");
                return new Node.Block(body);
            }
            default -> throw error("unsupported tag '" + keyword.value() + "'");
        }
    }

    private List<String> targets() {
        List<String> names = new ArrayList<>();
        boolean paren = acceptOp("(");
        names.add(expect(Type.NAME, null).value());
        while (acceptOp(",")) {
            names.add(expect(Type.NAME, null).value());
        }
        if (paren) {
            expect(Type.OP, ")");
        }
        return names;
    }

    /** An expression or a comma-separated tuple without parentheses ({@code set a = 1, 2}). */
    private Expr tuple() {
        Expr first = expression();
        if (!peek().isOp(",")) {
            return first;
        }
        List<Expr> items = new ArrayList<>(List.of(first));
        while (acceptOp(",")) {
            if (peek().type() == Type.BLOCK_END || peek().type() == Type.VAR_END) {
                break;
            }
            items.add(expression());
        }
        return new Node.TupleExpr(items);
    }

    /** The iterable of a for loop: no conditional expression, since {@code if} starts the loop filter. */
    private Expr tupleNoCondition() {
        Expr first = or();
        if (!peek().isOp(",")) {
            return first;
        }
        List<Expr> items = new ArrayList<>(List.of(first));
        while (acceptOp(",")) {
            items.add(or());
        }
        return new Node.TupleExpr(items);
    }

    Expr expression() {
        Expr expr = or();
        while (acceptName("if")) {
            Expr cond = or();
            Expr otherwise = acceptName("else") ? expression() : null;
            expr = new Node.Cond(cond, expr, otherwise);
        }
        return expr;
    }

    private Expr or() {
        Expr left = and();
        while (acceptName("or")) {
            left = new Node.Or(left, and());
        }
        return left;
    }

    private Expr and() {
        Expr left = not();
        while (acceptName("and")) {
            left = new Node.And(left, not());
        }
        return left;
    }

    private Expr not() {
        if (acceptName("not")) {
            return new Node.Not(not());
        }
        return compare();
    }

    private Expr compare() {
        Expr first = math1();
        List<String> ops = new ArrayList<>();
        List<Expr> rest = new ArrayList<>();
        while (true) {
            Token t = peek();
            if (t.type() == Type.OP && Set.of("==", "!=", "<", ">", "<=", ">=").contains(t.value())) {
                i++;
                ops.add(t.value());
            } else if (t.isName("in")) {
                i++;
                ops.add("in");
            } else if (t.isName("not") && peek(1).isName("in")) {
                i += 2;
                ops.add("not in");
            } else {
                break;
            }
            rest.add(math1());
        }
        return ops.isEmpty() ? first : new Node.Compare(first, ops, rest);
    }

    private Expr math1() {
        Expr left = concat();
        while (peek().isOp("+") || peek().isOp("-")) {
            String op = advance().value();
            left = new Node.Binary(op, left, concat());
        }
        return left;
    }

    private Expr concat() {
        Expr left = math2();
        while (acceptOp("~")) {
            left = new Node.Binary("~", left, math2());
        }
        return left;
    }

    private Expr math2() {
        Expr left = pow();
        while (peek().isOp("*") || peek().isOp("/") || peek().isOp("//") || peek().isOp("%")) {
            String op = advance().value();
            left = new Node.Binary(op, left, pow());
        }
        return left;
    }

    private Expr pow() {
        Expr left = unary(true);
        while (acceptOp("**")) {
            left = new Node.Binary("**", left, unary(true));
        }
        return left;
    }

    private Expr unary(boolean withFilter) {
        Expr node;
        if (acceptOp("-")) {
            node = new Node.Unary("-", unary(false));
        } else if (acceptOp("+")) {
            node = new Node.Unary("+", unary(false));
        } else {
            node = primary();
        }
        node = postfix(node);
        return withFilter ? filterExpr(node) : node;
    }

    private Expr primary() {
        Token t = advance();
        switch (t.type()) {
            case NAME -> {
                return switch (t.value()) {
                    case "true", "True" -> new Node.Literal(Boolean.TRUE);
                    case "false", "False" -> new Node.Literal(Boolean.FALSE);
                    case "none", "None" -> new Node.Literal(null);
                    default -> new Node.Name(t.value(), t.line());
                };
            }
            case STRING -> {
                StringBuilder sb = new StringBuilder(t.value());
                while (peek().type() == Type.STRING) {
                    sb.append(advance().value()); // adjacent literals concatenate, as in Python
                }
                return new Node.Literal(sb.toString());
            }
            case INT, FLOAT -> {
                return new Node.Literal(t.literal());
            }
            case OP -> {
                switch (t.value()) {
                    case "(" -> {
                        if (acceptOp(")")) {
                            return new Node.TupleExpr(List.of());
                        }
                        Expr first = expression();
                        if (acceptOp(")")) {
                            return first;
                        }
                        List<Expr> items = new ArrayList<>(List.of(first));
                        while (acceptOp(",")) {
                            if (peek().isOp(")")) {
                                break;
                            }
                            items.add(expression());
                        }
                        expect(Type.OP, ")");
                        return new Node.TupleExpr(items);
                    }
                    case "[" -> {
                        List<Expr> items = new ArrayList<>();
                        while (!acceptOp("]")) {
                            items.add(expression());
                            if (!peek().isOp("]")) {
                                expect(Type.OP, ",");
                            }
                        }
                        return new Node.ListExpr(items);
                    }
                    case "{" -> {
                        List<Expr> keys = new ArrayList<>();
                        List<Expr> values = new ArrayList<>();
                        while (!acceptOp("}")) {
                            keys.add(expression());
                            expect(Type.OP, ":");
                            values.add(expression());
                            if (!peek().isOp("}")) {
                                expect(Type.OP, ",");
                            }
                        }
                        return new Node.DictExpr(keys, values);
                    }
                    default -> { }
                }
            }
            default -> { }
        }
        i--;
        throw error("unexpected '" + t.value() + "'");
    }

    private Expr postfix(Expr node) {
        while (true) {
            if (acceptOp(".")) {
                Token t = advance();
                if (t.type() == Type.NAME) {
                    node = new Node.GetAttr(node, t.value());
                } else if (t.type() == Type.INT) {
                    node = new Node.GetItem(node, new Node.Literal(t.literal()));
                } else {
                    i--;
                    throw error("expected an attribute name after '.'");
                }
            } else if (acceptOp("[")) {
                node = subscript(node);
            } else if (peek().isOp("(")) {
                node = call(node);
            } else {
                return node;
            }
        }
    }

    private Expr subscript(Expr target) {
        Expr start = null;
        if (!peek().isOp(":")) {
            start = expression();
            if (acceptOp("]")) {
                return new Node.GetItem(target, start);
            }
        }
        expect(Type.OP, ":");
        Expr stop = peek().isOp("]") || peek().isOp(":") ? null : expression();
        Expr step = null;
        if (acceptOp(":")) {
            step = peek().isOp("]") ? null : expression();
        }
        expect(Type.OP, "]");
        return new Node.Slice(target, start, stop, step);
    }

    private Node.Call call(Expr callee) {
        List<Expr> args = new ArrayList<>();
        List<Node.Kwarg> kwargs = new ArrayList<>();
        callArgs(args, kwargs);
        return new Node.Call(callee, args, kwargs);
    }

    private void callArgs(List<Expr> args, List<Node.Kwarg> kwargs) {
        expect(Type.OP, "(");
        while (!acceptOp(")")) {
            if (peek().type() == Type.NAME && peek(1).isOp("=")) {
                String name = advance().value();
                i++;
                kwargs.add(new Node.Kwarg(name, expression()));
            } else {
                if (!kwargs.isEmpty()) {
                    throw error("positional argument after keyword argument");
                }
                args.add(expression());
            }
            if (!peek().isOp(")")) {
                expect(Type.OP, ",");
            }
        }
    }

    private Expr filterExpr(Expr node) {
        while (true) {
            if (acceptOp("|")) {
                Token name = expect(Type.NAME, null);
                String filter = name.value();
                while (acceptOp(".")) {
                    filter += "." + expect(Type.NAME, null).value();
                }
                List<Expr> args = new ArrayList<>();
                List<Node.Kwarg> kwargs = new ArrayList<>();
                if (peek().isOp("(")) {
                    callArgs(args, kwargs);
                }
                node = new Node.Filter(node, filter, args, kwargs, name.line());
            } else if (acceptName("is")) {
                boolean negated = acceptName("not");
                Token name = expect(Type.NAME, null);
                List<Expr> args = new ArrayList<>();
                if (peek().isOp("(")) {
                    List<Node.Kwarg> kwargs = new ArrayList<>();
                    callArgs(args, kwargs);
                } else if (startsPrimary(peek())) {
                    args.add(postfix(primary()));
                }
                node = new Node.Test(node, name.value(), args, negated, name.line());
            } else if (peek().isOp("(")) {
                node = call(node);
            } else {
                return node;
            }
        }
    }

    private static boolean startsPrimary(Token t) {
        String kind = switch (t.type()) {
            case NAME -> "name";
            case STRING -> "string";
            case INT -> "int";
            case FLOAT -> "float";
            case OP -> t.value();
            default -> "";
        };
        if (!PRIMARY_START.contains(kind) || t.isOp("(")) {
            return false;
        }
        return !(t.isName("else") || t.isName("or") || t.isName("and") || t.isName("is") || t.isName("in")
                || t.isName("if") || t.isName("not"));
    }
}
