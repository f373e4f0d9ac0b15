package dev.granitej.tokenizer.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Python methods of str and dict that templates call ({@code s.strip()}, {@code d.items()}, ...). */
final class Methods {
    private Methods() {}

    /** A bound method for {@code obj.name}, or null when the type has no such method. */
    static Callable bind(Object obj, String name) {
        if (obj instanceof String s) {
            return stringMethod(s, name);
        }
        if (obj instanceof Map<?, ?> m && !(obj instanceof Interpreter.LoopObject)) {
            return dictMethod(m, name);
        }
        return null;
    }

    private static Callable stringMethod(String s, String name) {
        return switch (name) {
            case "strip" -> (a, k) -> strip(s, arg(a, 0), true, true);
            case "lstrip" -> (a, k) -> strip(s, arg(a, 0), true, false);
            case "rstrip" -> (a, k) -> strip(s, arg(a, 0), false, true);
            case "upper" -> (a, k) -> s.toUpperCase(Locale.ROOT);
            case "lower" -> (a, k) -> s.toLowerCase(Locale.ROOT);
            case "title" -> (a, k) -> title(s);
            case "capitalize" -> (a, k) -> s.isEmpty() ? s
                    : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
            case "startswith" -> (a, k) -> anyPrefix(s, a.get(0), true);
            case "endswith" -> (a, k) -> anyPrefix(s, a.get(0), false);
            case "split" -> (a, k) -> split(s, arg(a, 0), a.size() > 1 ? Py.bigInt(a.get(1)).intValue() : -1);
            case "splitlines" -> (a, k) -> {
                List<Object> out = new ArrayList<>(List.of(s.split("\r\n|\n|\r", -1)));
                if ("".equals(out.get(out.size() - 1))) {
                    out.remove(out.size() - 1);
                }
                return out;
            };
            case "replace" -> (a, k) -> replace(s, Py.str(a.get(0)), Py.str(a.get(1)),
                    a.size() > 2 ? Py.bigInt(a.get(2)).longValue() : -1);
            case "find" -> (a, k) -> (long) s.indexOf(Py.str(a.get(0)));
            case "count" -> (a, k) -> (long) count(s, Py.str(a.get(0)));
            case "join" -> (a, k) -> {
                StringBuilder sb = new StringBuilder();
                List<Object> items = Py.iterate(a.get(0));
                for (int i = 0; i < items.size(); i++) {
                    if (i > 0) {
                        sb.append(s);
                    }
                    sb.append(Py.str(items.get(i)));
                }
                return sb.toString();
            };
            case "isdigit" -> (a, k) -> !s.isEmpty() && s.chars().allMatch(Character::isDigit);
            case "isalpha" -> (a, k) -> !s.isEmpty() && s.chars().allMatch(Character::isLetter);
            case "isspace" -> (a, k) -> !s.isEmpty() && s.chars().allMatch(Character::isWhitespace);
            case "isupper" -> (a, k) -> s.chars().anyMatch(Character::isLetter) && s.equals(s.toUpperCase(Locale.ROOT));
            case "islower" -> (a, k) -> s.chars().anyMatch(Character::isLetter) && s.equals(s.toLowerCase(Locale.ROOT));
            default -> null;
        };
    }

    private static Callable dictMethod(Map<?, ?> m, String name) {
        return switch (name) {
            case "items" -> (a, k) -> items(m);
            case "keys" -> (a, k) -> new ArrayList<Object>(m.keySet());
            case "values" -> (a, k) -> new ArrayList<Object>(m.values());
            case "get" -> (a, k) -> m.containsKey(a.get(0)) ? m.get(a.get(0)) : (a.size() > 1 ? a.get(1) : null);
            default -> null;
        };
    }

    private static String arg(List<Object> a, int i) {
        return a.size() > i && a.get(i) != null ? Py.str(a.get(i)) : null;
    }

    static List<Object> items(Object v) {
        if (!(v instanceof Map<?, ?> m)) {
            throw new TemplateException("'" + Py.typeName(v) + "' object has no attribute 'items'");
        }
        List<Object> out = new ArrayList<>();
        m.forEach((key, value) -> {
            List<Object> pair = new ArrayList<>(2);
            pair.add(key);
            pair.add(value);
            out.add(java.util.Collections.unmodifiableList(pair));
        });
        return out;
    }

    /** Python's str.strip family: whitespace (Python's definition) or the given characters. */
    static String strip(String s, String chars, boolean left, boolean right) {
        int start = 0;
        int end = s.length();
        while (left && start < end && stripChar(s.charAt(start), chars)) {
            start++;
        }
        while (right && end > start && stripChar(s.charAt(end - 1), chars)) {
            end--;
        }
        return s.substring(start, end);
    }

    private static boolean stripChar(char c, String chars) {
        if (chars != null) {
            return chars.indexOf(c) >= 0;
        }
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || (c >= 0x1C && c <= 0x1F) || c == 0x85;
    }

    private static boolean anyPrefix(String s, Object arg, boolean prefix) {
        List<Object> options = arg instanceof List<?> l ? new ArrayList<>(l) : List.of(arg);
        for (Object o : options) {
            String p = Py.str(o);
            if (prefix ? s.startsWith(p) : s.endsWith(p)) {
                return true;
            }
        }
        return false;
    }

    static List<Object> split(String s, String sep, int maxSplit) {
        List<Object> out = new ArrayList<>();
        if (sep == null) {
            // Python: runs of whitespace, no empty strings.
            int i = 0;
            int n = s.length();
            while (i < n) {
                while (i < n && stripChar(s.charAt(i), null)) {
                    i++;
                }
                if (i >= n) {
                    break;
                }
                if (maxSplit >= 0 && out.size() == maxSplit) {
                    out.add(strip(s.substring(i), null, false, true));
                    break;
                }
                int j = i;
                while (j < n && !stripChar(s.charAt(j), null)) {
                    j++;
                }
                out.add(s.substring(i, j));
                i = j;
            }
            return out;
        }
        if (sep.isEmpty()) {
            throw new TemplateException("empty separator");
        }
        int from = 0;
        while (true) {
            int at = s.indexOf(sep, from);
            if (at < 0 || (maxSplit >= 0 && out.size() == maxSplit)) {
                out.add(s.substring(from));
                return out;
            }
            out.add(s.substring(from, at));
            from = at + sep.length();
        }
    }

    static String replace(String s, String old, String repl, long count) {
        if (count < 0) {
            return s.replace(old, repl);
        }
        StringBuilder sb = new StringBuilder();
        int from = 0;
        for (long done = 0; done < count; done++) {
            int at = s.indexOf(old, from);
            if (at < 0) {
                break;
            }
            sb.append(s, from, at).append(repl);
            from = at + old.length();
        }
        return sb.append(s.substring(from)).toString();
    }

    private static int count(String s, String sub) {
        if (sub.isEmpty()) {
            return s.length() + 1;
        }
        int n = 0;
        for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) {
            n++;
        }
        return n;
    }

    static String title(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean prevCased = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(prevCased ? Character.toLowerCase(c) : Character.toTitleCase(c));
            prevCased = Character.isLetter(c);
        }
        return sb.toString();
    }
}
