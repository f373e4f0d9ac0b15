package dev.granitej.tokenizer.jinja;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Jinja semantics, each expectation being what Python jinja2 3.1 prints with transformers' settings. */
class TemplateTest {

    private static String render(String src, Map<String, ?> vars) {
        return Template.parse(src).render(vars);
    }

    private static String render(String src) {
        return render(src, Map.of());
    }

    @Test
    void whitespaceControl() {
        // trim_blocks drops the newline after a block tag; lstrip_blocks the indentation before it.
        assertEquals("a\nb\n", render("{% if true %}\na\n    {% endif %}\nb\n"));
        assertEquals("ab", render("a   {{- 'b' }}"));
        assertEquals("a b", render("a {{ 'b' -}}   \n"));
        assertEquals("\nx\n  y", render("{% if true +%}\nx\n{% endif %}\n  y"));
        assertEquals("  ab", render("  {%+ if true %}a{% endif %}b"));
        assertEquals("ab", render("a{# comment #}\nb"));
        assertEquals("{{ raw }}", render("{% raw %}{{ raw }}{% endraw %}"));
    }

    @Test
    void loopsAndNamespaces() {
        String src = "{% set ns = namespace(n=0) %}{% for x in xs if x != 3 %}{% if x == 5 %}{% break %}{% endif %}"
                + "{% set ns.n = ns.n + x %}{{ loop.index }}/{{ loop.length }}{{ ',' if not loop.last }}{% endfor %}"
                + "={{ ns.n }}";
        assertEquals("1/5,2/5,3/5,=7", render(src, Map.of("xs", List.of(1, 2, 3, 4, 5, 6))));
        assertEquals("empty", render("{% for x in [] %}{{ x }}{% else %}empty{% endfor %}"));
        assertEquals("a=1 b=2 ", render("{% for k, v in d.items() %}{{ k }}={{ v }} {% endfor %}",
                Map.of("d", new java.util.LinkedHashMap<>(Map.of("a", 1)) {{ put("b", 2); }})));
        // A plain set inside a loop does not leak out of it.
        assertEquals("0", render("{% set n = 0 %}{% for x in [1,2] %}{% set n = n + x %}{% endfor %}{{ n }}"));
        assertEquals("13", render("{% for x in [1,2,3] %}{% if x == 2 %}{% continue %}{% endif %}{{ x }}{% endfor %}"));
    }

    @Test
    void pythonValueSemantics() {
        assertEquals("True None False", render("{{ true }} {{ none }} {{ 1 == 2 }}"));
        assertEquals("['a', 1, 1.5] {'k': None}", render("{{ ['a', 1, 1.5] }} {{ {'k': none} }}"));
        assertEquals("2.5 2 -2 1 8 abab", render("{{ 5 / 2 }} {{ 5 // 2 }} {{ -5 // 3 }} {{ -5 % 3 }} {{ 2 ** 3 }} {{ 'ab' * 2 }}"));
        assertEquals("cba|bc|c", render("{{ 'abc'[::-1] }}|{{ 'abc'[1:] }}|{{ 'abc'[-1] }}"));
        assertEquals("True True False", render("{{ 'a' in 'cat' }} {{ 2 in [1, 2] }} {{ 'x' in {'y': 1} }}"));
        assertEquals("yes", render("{{ 'yes' if x is not defined else 'no' }}"));
        assertEquals("A-B|x y|True|hi", render("{{ 'a-b'.upper() }}|{{ ' x y '.strip() }}|{{ 'abc'.startswith('ab') }}|"
                + "{{ '  hi  ' | trim }}"));
        assertEquals("1,2", render("{{ [1, 2] | join(',') }}"));
        assertEquals("b", render("{{ (xs | selectattr('t', 'equalto', 'b') | first).t }}",
                Map.of("xs", List.of(Map.of("t", "a"), Map.of("t", "b")))));
        assertEquals("a,b", render("{{ xs | map(attribute='t') | join(',') }}",
                Map.of("xs", List.of(Map.of("t", "a"), Map.of("t", "b")))));
        assertEquals("3", render("{{ 'abc' | length }}"));
        assertEquals("dflt", render("{{ missing | default('dflt') }}"));
        assertEquals("<m:1>", render("{% macro m(x, y=1) %}<m:{{ y }}>{% endmacro %}{{ m(0) }}"));
    }

    @Test
    void tojsonIsPythonJsonDumps() {
        Map<String, Object> v = new java.util.LinkedHashMap<>();
        v.put("s", "é\"\\\n\u0001\u007f\u2028");
        v.put("f", List.of(1.0, 1e-7, 1e16, -0.0, 0.0001, 1e-5, 123456789012345.6, 0.1));
        v.put("i", new java.math.BigInteger("12345678901234567890"));
        v.put("n", null);
        v.put("b", true);
        v.put("e", Map.of());
        assertEquals("{\"s\": \"é\\\"\\\\\\n\\u0001\u007f\u2028\", \"f\": [1.0, 1e-07, 1e+16, -0.0, 0.0001, 1e-05, "
                + "123456789012345.6, 0.1], \"i\": 12345678901234567890, \"n\": null, \"b\": true, \"e\": {}}",
                render("{{ v | tojson }}", Map.of("v", v)));
        assertEquals("{\n  \"a\": [\n    1,\n    2\n  ]\n}", render("{{ {'a': [1, 2]} | tojson(indent=2) }}"));
    }

    @Test
    void raiseExceptionFailsTheRender() {
        var e = assertThrows(TemplateException.class,
                () -> render("{% if messages | length == 0 %}{{ raise_exception('no messages!') }}{% endif %}",
                        Map.of("messages", List.of())));
        assertEquals("no messages!", e.getMessage());
        assertTrue(render("{{ strftime_now('%Y-%m-%d') }}").matches("\\d{4}-\\d{2}-\\d{2}"));
        assertThrows(TemplateException.class, () -> render("{% include 'x' %}"));
        assertThrows(TemplateException.class, () -> render("{{ x.y }}"));
    }
}
