package dev.granitej.tokenizer.jinja;

/** jinja2's default {@code Undefined}: prints as empty, is falsy, iterates as empty; using it further fails. */
final class Undefined {
    final String name;

    Undefined(String name) {
        this.name = name;
    }

    @Override
    public String toString() {
        return "";
    }
}
