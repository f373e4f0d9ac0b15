package dev.granitej.tokenizer.jinja;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code json.dumps(x, ensure_ascii=False, indent=…, separators=…, sort_keys=…)}, which transformers
 * installs as the {@code tojson} filter: separators {@code ", "}/{@code ": "} by default, non-ASCII kept raw,
 * only quote, backslash and control characters escaped, insertion order kept, floats in Python repr.
 */
final class PyJson {
    private PyJson() {}

    static String dumps(Object value, Integer indent, String itemSeparator, String keySeparator, boolean sortKeys) {
        if (itemSeparator == null) {
            itemSeparator = indent == null ? ", " : ",";
        }
        if (keySeparator == null) {
            keySeparator = ": ";
        }
        StringBuilder sb = new StringBuilder();
        write(value, sb, indent, itemSeparator, keySeparator, sortKeys, 0);
        return sb.toString();
    }

    private static void newline(StringBuilder sb, Integer indent, int level) {
        if (indent != null) {
            sb.append('\n');
            sb.append(" ".repeat(indent * level));
        }
    }

    private static void write(Object v, StringBuilder sb, Integer indent, String itemSep, String keySep, boolean sortKeys,
                              int level) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof Boolean b) {
            sb.append(b ? "true" : "false");
        } else if (v instanceof String s) {
            string(s, sb);
        } else if (v instanceof Long || v instanceof Integer || v instanceof BigInteger) {
            sb.append(v);
        } else if (v instanceof Double d) {
            if (d.isNaN()) {
                sb.append("NaN");
            } else if (d.isInfinite()) {
                sb.append(d > 0 ? "Infinity" : "-Infinity");
            } else {
                sb.append(Py.floatRepr(d));
            }
        } else if (v instanceof List<?> list) {
            if (list.isEmpty()) {
                sb.append("[]");
                return;
            }
            sb.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    sb.append(itemSep);
                }
                newline(sb, indent, level + 1);
                write(list.get(i), sb, indent, itemSep, keySep, sortKeys, level + 1);
            }
            newline(sb, indent, level);
            sb.append(']');
        } else if (v instanceof Map<?, ?> map) {
            if (map.isEmpty()) {
                sb.append("{}");
                return;
            }
            List<Map.Entry<?, ?>> entries = new ArrayList<>(map.entrySet());
            if (sortKeys) {
                entries.sort((a, b) -> Py.compare(a.getKey(), b.getKey()));
            }
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : entries) {
                if (!first) {
                    sb.append(itemSep);
                }
                first = false;
                newline(sb, indent, level + 1);
                string(key(e.getKey()), sb);
                sb.append(keySep);
                write(e.getValue(), sb, indent, itemSep, keySep, sortKeys, level + 1);
            }
            newline(sb, indent, level);
            sb.append('}');
        } else {
            throw new TemplateException("Object of type " + Py.typeName(v) + " is not JSON serializable");
        }
    }

    private static String key(Object k) {
        if (k instanceof String s) {
            return s;
        }
        if (k == null) {
            return "null";
        }
        if (k instanceof Boolean b) {
            return b ? "true" : "false";
        }
        if (k instanceof Double d) {
            return Py.floatRepr(d);
        }
        if (k instanceof Long || k instanceof BigInteger) {
            return k.toString();
        }
        throw new TemplateException("keys must be str, int, float, bool or None, not " + Py.typeName(k));
    }

    static void string(String s, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
