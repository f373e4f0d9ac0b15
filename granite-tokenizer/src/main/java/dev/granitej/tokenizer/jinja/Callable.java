package dev.granitej.tokenizer.jinja;

import java.util.List;
import java.util.Map;

/** Something a template can call: a global function, a macro or a bound method. */
@FunctionalInterface
public interface Callable {
    Object call(List<Object> args, Map<String, Object> kwargs);
}
