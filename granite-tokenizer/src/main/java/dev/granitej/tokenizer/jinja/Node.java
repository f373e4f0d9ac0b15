package dev.granitej.tokenizer.jinja;

import java.util.List;

/** The syntax tree of a template: statements and expressions. */
final class Node {
    private Node() {}

    sealed interface Stmt permits Text, Output, If, For, Set, SetBlock, Macro, Break, Continue, Block {}

    record Text(String text) implements Stmt {}

    record Output(Expr expr) implements Stmt {}

    record Branch(Expr condition, List<Stmt> body) {}

    record If(List<Branch> branches, List<Stmt> otherwise) implements Stmt {}

    record For(List<String> targets, Expr iterable, Expr filter, List<Stmt> body, List<Stmt> otherwise, int line)
            implements Stmt {}

    /** {@code set name = v}, {@code set a, b = v} or {@code set ns.attr = v}. */
    record Set(List<String> targets, String attribute, Expr value) implements Stmt {}

    record SetBlock(String target, List<Stmt> body) implements Stmt {}

    record Macro(String name, List<String> params, List<Expr> defaults, List<Stmt> body) implements Stmt {}

    record Break() implements Stmt {}

    record Continue() implements Stmt {}

    /** A body rendered in place (the {@code generation} tag of transformers). */
    record Block(List<Stmt> body) implements Stmt {}

    sealed interface Expr permits Literal, Name, GetAttr, GetItem, Slice, Call, Filter, Test, Unary, Binary, Compare,
            And, Or, Not, Cond, ListExpr, TupleExpr, DictExpr {}

    record Literal(Object value) implements Expr {}

    record Name(String name, int line) implements Expr {}

    record GetAttr(Expr target, String name) implements Expr {}

    record GetItem(Expr target, Expr key) implements Expr {}

    record Slice(Expr target, Expr start, Expr stop, Expr step) implements Expr {}

    record Kwarg(String name, Expr value) {}

    record Call(Expr callee, List<Expr> args, List<Kwarg> kwargs) implements Expr {}

    record Filter(Expr target, String name, List<Expr> args, List<Kwarg> kwargs, int line) implements Expr {}

    record Test(Expr target, String name, List<Expr> args, boolean negated, int line) implements Expr {}

    record Unary(String op, Expr operand) implements Expr {}

    record Binary(String op, Expr left, Expr right) implements Expr {}

    record Compare(Expr first, List<String> ops, List<Expr> rest) implements Expr {}

    record And(Expr left, Expr right) implements Expr {}

    record Or(Expr left, Expr right) implements Expr {}

    record Not(Expr operand) implements Expr {}

    record Cond(Expr condition, Expr then, Expr otherwise) implements Expr {}

    record ListExpr(List<Expr> items) implements Expr {}

    record TupleExpr(List<Expr> items) implements Expr {}

    record DictExpr(List<Expr> keys, List<Expr> values) implements Expr {}
}
