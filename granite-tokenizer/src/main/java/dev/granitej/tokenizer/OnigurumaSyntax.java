package dev.granitej.tokenizer;

/**
 * Translates the few Oniguruma regex spellings that {@code java.util.regex} reads differently. Only
 * unambiguous rewrites are done; anything else is passed through and must compile as a Java regex.
 */
final class OnigurumaSyntax {

    private OnigurumaSyntax() {}

    static String toJava(String regex) {
        StringBuilder sb = new StringBuilder(regex.length());
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c == '\\' && i + 1 < regex.length()) {
                char n = regex.charAt(i + 1);
                if ((n == 'p' || n == 'P') && i + 2 < regex.length() && regex.charAt(i + 2) == '{') {
                    int close = regex.indexOf('}', i + 3);
                    if (close > 0) {
                        String name = regex.substring(i + 3, close);
                        boolean negate = name.startsWith("^");
                        if (negate) {
                            name = name.substring(1);
                        }
                        char kind = negate ? (n == 'p' ? 'P' : 'p') : n;
                        sb.append('\\').append(kind).append('{').append(javaPropertyName(name)).append('}');
                        i = close;
                        continue;
                    }
                }
                if (n == 'h') { // Oniguruma \h is a hex digit; Java's is horizontal whitespace
                    sb.append("[0-9a-fA-F]");
                    i++;
                    continue;
                }
                sb.append(c).append(n);
                i++;
                continue;
            }
            sb.append(c);
        }
        return sb.toString();
    }

    /** Oniguruma accepts bare script names ({@code \p{Han}}); Java needs {@code Is} for scripts. */
    private static String javaPropertyName(String name) {
        if (name.length() <= 2 || name.contains("=") || name.startsWith("Is") || name.startsWith("In")) {
            return name; // general categories (L, Lu, N, ...) and explicit forms
        }
        try {
            Character.UnicodeScript.forName(name);
            return "Is" + name;
        } catch (IllegalArgumentException notAScript) {
            return name;
        }
    }
}
