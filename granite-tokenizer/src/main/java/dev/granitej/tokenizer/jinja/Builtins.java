package dev.granitej.tokenizer.jinja;

import java.math.BigInteger;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Globals, operators, attribute access, methods, filters and tests with jinja2/Python behaviour. */
final class Builtins {
    private Builtins() {}

    private static final Map<String, Object> GLOBALS = buildGlobals();

    static Map<String, Object> globals() {
        return GLOBALS;
    }

    private static Map<String, Object> buildGlobals() {
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("namespace", (Callable) (args, kwargs) -> {
            Namespace ns = new Namespace();
            for (Object a : args) {
                if (a instanceof Map<?, ?> m) {
                    m.forEach((k, v) -> ns.values.put(Py.str(k), v));
                }
            }
            ns.values.putAll(kwargs);
            return ns;
        });
        g.put("range", (Callable) (args, kwargs) -> {
            long start = 0;
            long stop;
            long step = 1;
            if (args.size() == 1) {
                stop = toLong(args.get(0));
            } else {
                start = toLong(args.get(0));
                stop = toLong(args.get(1));
                if (args.size() > 2) {
                    step = toLong(args.get(2));
                }
            }
            if (step == 0) {
                throw new TemplateException("range() arg 3 must not be zero");
            }
            List<Object> out = new ArrayList<>();
            for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
                out.add(i);
            }
            return out;
        });
        g.put("dict", (Callable) (args, kwargs) -> {
            Map<Object, Object> m = new LinkedHashMap<>();
            for (Object a : args) {
                if (a instanceof Map<?, ?> src) {
                    m.putAll(src);
                }
            }
            m.putAll(kwargs);
            return m;
        });
        g.put("raise_exception", (Callable) (args, kwargs) -> {
            throw new TemplateException(args.isEmpty() ? "raise_exception called" : Py.str(args.get(0)));
        });
        g.put("strftime_now", (Callable) (args, kwargs) -> strftime(Py.str(args.get(0)), ZonedDateTime.now()));
        return Collections.unmodifiableMap(g);
    }

    private static long toLong(Object v) {
        if (v instanceof Long l) {
            return l;
        }
        if (v instanceof Boolean b) {
            return b ? 1 : 0;
        }
        throw new TemplateException("'" + Py.typeName(v) + "' object cannot be interpreted as an integer");
    }

    /** Python's {@code strftime} for the common directives. */
    static String strftime(String format, ZonedDateTime t) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 == format.length()) {
                sb.append(c);
                continue;
            }
            char d = format.charAt(++i);
            switch (d) {
                case 'Y' -> sb.append(t.getYear());
                case 'y' -> sb.append(String.format("%02d", t.getYear() % 100));
                case 'm' -> sb.append(String.format("%02d", t.getMonthValue()));
                case 'd' -> sb.append(String.format("%02d", t.getDayOfMonth()));
                case 'e' -> sb.append(String.format("%2d", t.getDayOfMonth()));
                case 'H' -> sb.append(String.format("%02d", t.getHour()));
                case 'I' -> sb.append(String.format("%02d", (t.getHour() + 11) % 12 + 1));
                case 'M' -> sb.append(String.format("%02d", t.getMinute()));
                case 'S' -> sb.append(String.format("%02d", t.getSecond()));
                case 'p' -> sb.append(t.getHour() < 12 ? "AM" : "PM");
                case 'B' -> sb.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'b', 'h' -> sb.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'A' -> sb.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'a' -> sb.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'j' -> sb.append(String.format("%03d", t.getDayOfYear()));
                case 'Z' -> sb.append(t.getZone().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case '%' -> sb.append('%');
                default -> sb.append('%').append(d);
            }
        }
        return sb.toString();
    }

    // ---- attribute and item access (jinja2 Environment.getattr / getitem) ----

    static Object getAttr(Object obj, String name) {
        if (obj instanceof Undefined u) {
            throw new TemplateException("'" + u.name + "' is undefined (reading ." + name + ")");
        }
        Object method = Methods.bind(obj, name);
        if (method != null) {
            return method;
        }
        if (obj instanceof Namespace ns) {
            return ns.values.containsKey(name) ? ns.values.get(name) : new Undefined(name);
        }
        if (obj instanceof Map<?, ?> m) {
            return m.containsKey(name) ? m.get(name) : new Undefined(name);
        }
        return new Undefined(name);
    }

    static Object getItem(Object obj, Object key) {
        if (obj instanceof Undefined u) {
            throw new TemplateException("'" + u.name + "' is undefined (reading [" + Py.repr(key) + "])");
        }
        if (obj instanceof Map<?, ?> m) {
            if (m.containsKey(key)) {
                return m.get(key);
            }
            if (Py.isInt(key) && !(key instanceof Boolean)) {
                return new Undefined(Py.str(key));
            }
        } else if ((obj instanceof List<?> || obj instanceof String) && Py.isInt(key)) {
            int n = Py.length(obj);
            long i = Py.bigInt(key).longValue();
            if (i < 0) {
                i += n;
            }
            if (i >= 0 && i < n) {
                return obj instanceof List<?> l ? l.get((int) i) : Py.iterate(obj).get((int) i);
            }
            return new Undefined("[" + key + "]");
        }
        if (key instanceof String s) {
            return getAttr(obj, s);
        }
        return new Undefined(Py.str(key));
    }

    static Object slice(Object obj, Object start, Object stop, Object step) {
        List<Object> items;
        if (obj instanceof List<?> l) {
            items = new ArrayList<>(l);
        } else if (obj instanceof String) {
            items = Py.iterate(obj);
        } else {
            throw new TemplateException("'" + Py.typeName(obj) + "' object is not subscriptable");
        }
        int n = items.size();
        long st = step == null ? 1 : toLong(step);
        if (st == 0) {
            throw new TemplateException("slice step cannot be zero");
        }
        long lo;
        long hi;
        if (st > 0) {
            lo = start == null ? 0 : clamp(toLong(start), n, 0, n);
            hi = stop == null ? n : clamp(toLong(stop), n, 0, n);
        } else {
            lo = start == null ? n - 1 : clamp(toLong(start), n, -1, n - 1);
            hi = stop == null ? -1 : clamp(toLong(stop), n, -1, n - 1);
        }
        List<Object> out = new ArrayList<>();
        for (long i = lo; st > 0 ? i < hi : i > hi; i += st) {
            out.add(items.get((int) i));
        }
        if (obj instanceof String) {
            StringBuilder sb = new StringBuilder();
            out.forEach(o -> sb.append((String) o));
            return sb.toString();
        }
        return out;
    }

    private static long clamp(long i, int n, long min, long max) {
        if (i < 0) {
            i += n;
        }
        return Math.max(min, Math.min(max, i));
    }

    // ---- operators ----

    static Object negate(Object v) {
        if (v instanceof Double d) {
            return -d;
        }
        if (Py.isInt(v)) {
            return Py.intValue(Py.bigInt(v).negate());
        }
        throw new TemplateException("bad operand type for unary -: '" + Py.typeName(v) + "'");
    }

    static Object binary(String op, Object a, Object b) {
        if (op.equals("~")) {
            return Py.str(a) + Py.str(b);
        }
        if (a instanceof Undefined u) {
            throw new TemplateException("'" + u.name + "' is undefined");
        }
        if (b instanceof Undefined u) {
            throw new TemplateException("'" + u.name + "' is undefined");
        }
        switch (op) {
            case "+" -> {
                if (a instanceof String sa && b instanceof String sb) {
                    return sa + sb;
                }
                if (a instanceof List<?> la && b instanceof List<?> lb) {
                    List<Object> out = new ArrayList<>(la);
                    out.addAll(lb);
                    return out;
                }
            }
            case "*" -> {
                if (a instanceof String s && Py.isInt(b)) {
                    return s.repeat((int) Math.max(0, toLong(b)));
                }
                if (a instanceof List<?> l && Py.isInt(b)) {
                    List<Object> out = new ArrayList<>();
                    for (long i = 0; i < toLong(b); i++) {
                        out.addAll(l);
                    }
                    return out;
                }
            }
            default -> { }
        }
        if (!Py.isNumber(a) || !Py.isNumber(b)) {
            throw new TemplateException("unsupported operand type(s) for " + op + ": '" + Py.typeName(a) + "' and '"
                    + Py.typeName(b) + "'");
        }
        boolean floats = a instanceof Double || b instanceof Double;
        if (op.equals("/")) {
            double d = Py.toDouble(b);
            if (d == 0) {
                throw new TemplateException("division by zero");
            }
            return Py.toDouble(a) / d;
        }
        if (floats) {
            double x = Py.toDouble(a);
            double y = Py.toDouble(b);
            return switch (op) {
                case "+" -> x + y;
                case "-" -> x - y;
                case "*" -> x * y;
                case "//" -> Math.floor(x / y);
                case "%" -> x - Math.floor(x / y) * y;
                case "**" -> Math.pow(x, y);
                default -> throw new TemplateException("unknown operator " + op);
            };
        }
        BigInteger x = Py.bigInt(a);
        BigInteger y = Py.bigInt(b);
        return switch (op) {
            case "+" -> Py.intValue(x.add(y));
            case "-" -> Py.intValue(x.subtract(y));
            case "*" -> Py.intValue(x.multiply(y));
            case "//", "%" -> {
                if (y.signum() == 0) {
                    throw new TemplateException("integer division or modulo by zero");
                }
                BigInteger[] qr = x.divideAndRemainder(y);
                BigInteger q = qr[0];
                BigInteger r = qr[1];
                if (r.signum() != 0 && r.signum() != y.signum()) {
                    q = q.subtract(BigInteger.ONE);
                    r = r.add(y);
                }
                yield Py.intValue(op.equals("//") ? q : r);
            }
            case "**" -> y.signum() < 0 ? Math.pow(x.doubleValue(), y.doubleValue()) : Py.intValue(x.pow(y.intValueExact()));
            default -> throw new TemplateException("unknown operator " + op);
        };
    }

    static boolean compare(String op, Object a, Object b) {
        return switch (op) {
            case "==" -> Py.equal(a, b);
            case "!=" -> !Py.equal(a, b);
            case "<" -> Py.compare(a, b) < 0;
            case ">" -> Py.compare(a, b) > 0;
            case "<=" -> Py.compare(a, b) <= 0;
            case ">=" -> Py.compare(a, b) >= 0;
            case "in" -> Py.contains(b, a);
            case "not in" -> !Py.contains(b, a);
            default -> throw new TemplateException("unknown comparison " + op);
        };
    }

    // ---- tests ----

    static boolean test(String name, Object v, List<Object> args, int line) {
        return switch (name) {
            case "none" -> v == null;
            case "string" -> v instanceof String;
            case "mapping" -> v instanceof Map && !(v instanceof Interpreter.LoopObject);
            case "iterable" -> v instanceof String || v instanceof List || v instanceof Map || v instanceof Undefined;
            case "sequence" -> v instanceof String || v instanceof List || v instanceof Map;
            case "number" -> Py.isNumber(v);
            case "integer" -> v instanceof Long || v instanceof BigInteger;
            case "float" -> v instanceof Double;
            case "boolean" -> v instanceof Boolean;
            case "true" -> Boolean.TRUE.equals(v);
            case "false" -> Boolean.FALSE.equals(v);
            case "callable" -> v instanceof Callable;
            case "odd" -> Py.bigInt(v).testBit(0);
            case "even" -> !Py.bigInt(v).testBit(0);
            case "divisibleby" -> Py.bigInt(v).mod(Py.bigInt(args.get(0)).abs()).signum() == 0;
            case "eq", "equalto", "==" -> Py.equal(v, args.get(0));
            case "ne", "!=" -> !Py.equal(v, args.get(0));
            case "lt", "lessthan", "<" -> Py.compare(v, args.get(0)) < 0;
            case "gt", "greaterthan", ">" -> Py.compare(v, args.get(0)) > 0;
            case "le", "<=" -> Py.compare(v, args.get(0)) <= 0;
            case "ge", ">=" -> Py.compare(v, args.get(0)) >= 0;
            case "in" -> Py.contains(args.get(0), v);
            case "sameas" -> v == args.get(0) || (v != null && v.equals(args.get(0)) && !(v instanceof Map || v instanceof List));
            case "lower" -> v instanceof String s && s.equals(s.toLowerCase(Locale.ROOT));
            case "upper" -> v instanceof String s && s.equals(s.toUpperCase(Locale.ROOT));
            default -> throw new TemplateException("no test named '" + name + "' (line " + line + ")");
        };
    }

    // ---- filters ----

    static Object filter(String name, Object v, List<Object> args, Map<String, Object> kwargs, Interpreter interp,
                         Scope scope, int line) {
        Args a = new Args(name, args, kwargs);
        switch (name) {
            case "tojson" -> {
                Object indent = a.get(0, "indent", null);
                Object separators = a.get(-1, "separators", null);
                String itemSep = null;
                String keySep = null;
                if (separators instanceof List<?> seps && seps.size() == 2) {
                    itemSep = Py.str(seps.get(0));
                    keySep = Py.str(seps.get(1));
                }
                return PyJson.dumps(v, indent == null ? null : (int) toLong(indent), itemSep, keySep,
                        Py.truthy(a.get(-1, "sort_keys", false)));
            }
            case "length", "count" -> {
                return (long) Py.length(v);
            }
            case "string" -> {
                return Py.str(v);
            }
            case "trim" -> {
                Object chars = a.get(0, "chars", null);
                return Methods.strip(Py.str(v), chars == null ? null : Py.str(chars), true, true);
            }
            case "upper" -> {
                return Py.str(v).toUpperCase(Locale.ROOT);
            }
            case "lower" -> {
                return Py.str(v).toLowerCase(Locale.ROOT);
            }
            case "capitalize" -> {
                String s = Py.str(v);
                return s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
            }
            case "title" -> {
                return Methods.title(Py.str(v));
            }
            case "safe", "e", "escape", "forceescape" -> {
                return name.equals("safe") ? v : escape(Py.str(v));
            }
            case "default", "d" -> {
                Object dflt = a.get(0, "default_value", "");
                boolean bool = Py.truthy(a.get(1, "boolean", false));
                return (v instanceof Undefined || (bool && !Py.truthy(v))) ? dflt : v;
            }
            case "first" -> {
                List<Object> items = Py.iterate(v);
                return items.isEmpty() ? new Undefined("first") : items.get(0);
            }
            case "last" -> {
                List<Object> items = Py.iterate(v);
                return items.isEmpty() ? new Undefined("last") : items.get(items.size() - 1);
            }
            case "list" -> {
                return Py.iterate(v);
            }
            case "reverse" -> {
                if (v instanceof String s) {
                    return new StringBuilder(s).reverse().toString();
                }
                List<Object> items = Py.iterate(v);
                Collections.reverse(items);
                return items;
            }
            case "join" -> {
                String sep = Py.str(a.get(0, "d", ""));
                Object attribute = a.get(1, "attribute", null);
                StringBuilder sb = new StringBuilder();
                boolean first = true;
                for (Object item : Py.iterate(v)) {
                    if (!first) {
                        sb.append(sep);
                    }
                    first = false;
                    sb.append(Py.str(attribute == null ? item : attribute(item, Py.str(attribute))));
                }
                return sb.toString();
            }
            case "items" -> {
                if (v instanceof Undefined) {
                    return List.of();
                }
                return Methods.items(v);
            }
            case "dictsort" -> {
                List<Object> items = Methods.items(v);
                boolean byValue = "value".equals(a.get(2, "by", "key"));
                boolean reverse = Py.truthy(a.get(3, "reverse", false));
                items.sort((x, y) -> Py.compare(caseless(((List<?>) x).get(byValue ? 1 : 0)),
                        caseless(((List<?>) y).get(byValue ? 1 : 0))));
                if (reverse) {
                    Collections.reverse(items);
                }
                return items;
            }
            case "sort" -> {
                List<Object> items = Py.iterate(v);
                boolean reverse = Py.truthy(a.get(0, "reverse", false));
                boolean caseSensitive = Py.truthy(a.get(1, "case_sensitive", false));
                Object attribute = a.get(2, "attribute", null);
                items.sort((x, y) -> {
                    Object kx = attribute == null ? x : attribute(x, Py.str(attribute));
                    Object ky = attribute == null ? y : attribute(y, Py.str(attribute));
                    return caseSensitive ? Py.compare(kx, ky) : Py.compare(caseless(kx), caseless(ky));
                });
                if (reverse) {
                    Collections.reverse(items);
                }
                return items;
            }
            case "unique" -> {
                List<Object> out = new ArrayList<>();
                for (Object item : Py.iterate(v)) {
                    if (out.stream().noneMatch(o -> Py.equal(caseless(o), caseless(item)))) {
                        out.add(item);
                    }
                }
                return out;
            }
            case "map" -> {
                List<Object> out = new ArrayList<>();
                Object attribute = kwargs.get("attribute");
                for (Object item : Py.iterate(v)) {
                    if (attribute != null) {
                        Object r = attribute(item, Py.str(attribute));
                        out.add(r instanceof Undefined && kwargs.containsKey("default") ? kwargs.get("default") : r);
                    } else {
                        out.add(filter(Py.str(args.get(0)), item, args.subList(1, args.size()), Map.of(), interp, scope,
                                line));
                    }
                }
                return out;
            }
            case "select", "reject", "selectattr", "rejectattr" -> {
                boolean byAttr = name.endsWith("attr");
                boolean keep = name.startsWith("select");
                List<Object> out = new ArrayList<>();
                for (Object item : Py.iterate(v)) {
                    Object subject = byAttr ? attribute(item, Py.str(args.get(0))) : item;
                    int testIndex = byAttr ? 1 : 0;
                    boolean r;
                    if (args.size() <= testIndex) {
                        r = Py.truthy(subject);
                    } else {
                        String test = Py.str(args.get(testIndex));
                        List<Object> testArgs = args.subList(testIndex + 1, args.size());
                        r = test.equals("defined") ? !(subject instanceof Undefined)
                                : test.equals("undefined") ? subject instanceof Undefined
                                : test(test, subject, testArgs, line);
                    }
                    if (r == keep) {
                        out.add(item);
                    }
                }
                return out;
            }
            case "attr" -> {
                return getAttr(v, Py.str(args.get(0)));
            }
            case "int" -> {
                return toInt(v, a.get(0, "default", 0L));
            }
            case "float" -> {
                try {
                    return v instanceof String s ? Double.parseDouble(s.strip()) : Py.toDouble(v);
                } catch (RuntimeException e) {
                    return a.get(0, "default", 0.0);
                }
            }
            case "abs" -> {
                return v instanceof Double d ? Math.abs(d) : Py.intValue(Py.bigInt(v).abs());
            }
            case "round" -> {
                int precision = (int) toLong(a.get(0, "precision", 0L));
                String method = Py.str(a.get(1, "method", "common"));
                double scale = Math.pow(10, precision);
                double x = Py.toDouble(v) * scale;
                double r = switch (method) {
                    case "ceil" -> Math.ceil(x);
                    case "floor" -> Math.floor(x);
                    default -> Math.signum(x) * Math.floor(Math.abs(x) + 0.5);
                };
                return r / scale;
            }
            case "sum" -> {
                Object total = a.get(1, "start", 0L);
                Object attribute = a.get(0, "attribute", null);
                for (Object item : Py.iterate(v)) {
                    total = binary("+", total, attribute == null ? item : attribute(item, Py.str(attribute)));
                }
                return total;
            }
            case "min", "max" -> {
                List<Object> items = Py.iterate(v);
                if (items.isEmpty()) {
                    return new Undefined(name);
                }
                Object best = items.get(0);
                for (Object item : items) {
                    int c = Py.compare(caseless(item), caseless(best));
                    if (name.equals("min") ? c < 0 : c > 0) {
                        best = item;
                    }
                }
                return best;
            }
            case "replace" -> {
                String s = Py.str(v);
                String old = Py.str(args.get(0));
                String repl = Py.str(args.get(1));
                long count = args.size() > 2 ? toLong(args.get(2)) : -1;
                return Methods.replace(s, old, repl, count);
            }
            case "indent" -> {
                Object width = a.get(0, "width", 4L);
                String pad = width instanceof String s ? s : " ".repeat((int) toLong(width));
                boolean first = Py.truthy(a.get(1, "first", false));
                boolean blank = Py.truthy(a.get(2, "blank", false));
                String[] lines = Py.str(v).split("\n", -1);
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < lines.length; i++) {
                    if (i > 0) {
                        sb.append('\n');
                    }
                    boolean indentThis = (i > 0 || first) && (blank || !lines[i].isBlank());
                    sb.append(indentThis ? pad : "").append(lines[i]);
                }
                return sb.toString();
            }
            case "wordcount" -> {
                String s = Py.str(v).strip();
                return s.isEmpty() ? 0L : (long) s.split("\\s+").length;
            }
            case "batch" -> {
                int size = (int) toLong(args.get(0));
                List<Object> out = new ArrayList<>();
                List<Object> cur = new ArrayList<>();
                for (Object item : Py.iterate(v)) {
                    cur.add(item);
                    if (cur.size() == size) {
                        out.add(cur);
                        cur = new ArrayList<>();
                    }
                }
                if (!cur.isEmpty()) {
                    if (args.size() > 1) {
                        while (cur.size() < size) {
                            cur.add(args.get(1));
                        }
                    }
                    out.add(cur);
                }
                return out;
            }
            default -> throw new TemplateException("no filter named '" + name + "' (line " + line + ")");
        }
    }

    private static Object toInt(Object v, Object dflt) {
        try {
            if (v instanceof String s) {
                return Py.intValue(new BigInteger(s.strip().replace("_", "")));
            }
            if (v instanceof Double d) {
                return Py.intValue(new java.math.BigDecimal(d).toBigInteger());
            }
            return Py.intValue(Py.bigInt(v));
        } catch (RuntimeException e) {
            return dflt;
        }
    }

    private static Object caseless(Object v) {
        return v instanceof String s ? s.toLowerCase(Locale.ROOT) : v;
    }

    /** Dotted attribute lookup as in {@code map(attribute='a.b')}; integer parts index lists. */
    private static Object attribute(Object item, String path) {
        Object cur = item;
        for (String part : path.split("\\.")) {
            if (!part.isEmpty() && part.chars().allMatch(Character::isDigit)) {
                cur = getItem(cur, Long.parseLong(part));
            } else {
                cur = getItem(cur, part);
            }
        }
        return cur;
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&#34;")
                .replace("'", "&#39;");
    }

    /** Positional-or-keyword argument access for filters and methods. */
    record Args(String name, List<Object> positional, Map<String, Object> keywords) {
        Object get(int index, String keyword, Object dflt) {
            if (index >= 0 && index < positional.size()) {
                return positional.get(index);
            }
            return keywords.getOrDefault(keyword, dflt);
        }
    }
}
