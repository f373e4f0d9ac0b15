package dev.granitej.tokenizer.jinja;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Converts Java and Jackson values into the template's Python-like values. */
public final class Values {
    private Values() {}

    /**
     * Converts a value for use in a template: Jackson {@link JsonNode}s become maps/lists/numbers (integers stay
     * integers, big ones exact, floats stay floats, key order kept); Integer/Short become Long; Float becomes
     * Double; maps and collections are converted deeply; objects implementing {@link TemplateValue} are asked.
     */
    public static Object normalize(Object v) {
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof Long || v instanceof Double
                || v instanceof BigInteger || v instanceof Callable || v instanceof Undefined || v instanceof Namespace) {
            return v;
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Float f) {
            return f.doubleValue();
        }
        if (v instanceof BigDecimal bd) {
            return bd.doubleValue();
        }
        if (v instanceof JsonNode node) {
            return fromJson(node);
        }
        if (v instanceof TemplateValue tv) {
            return normalize(tv.toTemplateValue());
        }
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, val) -> out.put(normalize(k), normalize(val)));
            return out;
        }
        if (v instanceof Collection<?> c) {
            List<Object> out = new ArrayList<>(c.size());
            for (Object o : c) {
                out.add(normalize(o));
            }
            return out;
        }
        if (v instanceof Object[] arr) {
            return normalize(List.of(arr));
        }
        if (v instanceof CharSequence cs) {
            return cs.toString();
        }
        throw new TemplateException("cannot pass a " + v.getClass().getName() + " to a template");
    }

    static Object fromJson(JsonNode node) {
        switch (node.getNodeType()) {
            case NULL, MISSING -> {
                return null;
            }
            case BOOLEAN -> {
                return node.booleanValue();
            }
            case STRING -> {
                return node.textValue();
            }
            case NUMBER -> {
                if (node.isIntegralNumber()) {
                    return node.canConvertToLong() ? (Object) node.longValue() : node.bigIntegerValue();
                }
                return node.doubleValue();
            }
            case ARRAY -> {
                List<Object> out = new ArrayList<>(node.size());
                for (JsonNode n : node) {
                    out.add(fromJson(n));
                }
                return out;
            }
            case OBJECT -> {
                Map<Object, Object> out = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    out.put(e.getKey(), fromJson(e.getValue()));
                }
                return out;
            }
            default -> throw new TemplateException("cannot pass JSON node of type " + node.getNodeType() + " to a template");
        }
    }

    /** A Java object that knows its template (dict/list) form, such as a chat message. */
    public interface TemplateValue {
        Object toTemplateValue();
    }
}
