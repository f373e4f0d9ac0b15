package dev.granitej.tokenizer.jinja;

import dev.granitej.tokenizer.jinja.Node.Stmt;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed Jinja template, rendered the way Hugging Face transformers renders chat templates: jinja2 with
 * {@code trim_blocks}, {@code lstrip_blocks}, loop controls, Python value semantics and a Python-compatible
 * {@code tojson}. Immutable and thread-safe; each {@link #render} call has its own state.
 *
 * <p>Supported: {@code if/elif/else}, {@code for} (with {@code else}, a filter, tuple unpacking, {@code loop.*}),
 * {@code set} (names, tuples, namespace attributes, blocks), {@code macro}, {@code break}/{@code continue},
 * {@code generation}, {@code raw}, comments, whitespace control, the operators, tests and filters that chat
 * templates use, and the common str/dict methods. Anything else fails with a {@link TemplateException}.
 */
public final class Template {
    private final List<Stmt> body;

    private Template(List<Stmt> body) {
        this.body = body;
    }

    /** Parses a template with transformers' settings ({@code trim_blocks} and {@code lstrip_blocks} on). */
    public static Template parse(String source) {
        return new Template(Parser.parse(Lexer.tokenize(source, true, true)));
    }

    /**
     * Renders with the given variables. Values are Java objects with Python meaning: null (None), Boolean,
     * Long/Integer/BigInteger, Double, String, List, Map (insertion order kept), {@link Callable}.
     *
     * @throws TemplateException on a template error, including {@code raise_exception} called by the template
     */
    public String render(Map<String, ?> variables) {
        Map<String, Object> globals = new HashMap<>(Builtins.globals());
        for (Map.Entry<String, ?> e : variables.entrySet()) {
            globals.put(e.getKey(), Values.normalize(e.getValue()));
        }
        StringBuilder out = new StringBuilder();
        new Interpreter(out).run(body, new Scope(globals, null));
        return out.toString();
    }
}
