package dev.granitej.tokenizer.jinja;

import java.util.HashMap;
import java.util.Map;

/** A chain of variable frames: the template's globals, then one frame per loop iteration or macro call. */
final class Scope {
    private final Map<String, Object> vars;
    private final Scope parent;

    Scope(Map<String, Object> vars, Scope parent) {
        this.vars = vars;
        this.parent = parent;
    }

    Scope child() {
        return new Scope(new HashMap<>(), this);
    }

    boolean has(String name) {
        for (Scope s = this; s != null; s = s.parent) {
            if (s.vars.containsKey(name)) {
                return true;
            }
        }
        return false;
    }

    Object get(String name) {
        for (Scope s = this; s != null; s = s.parent) {
            if (s.vars.containsKey(name)) {
                return s.vars.get(name);
            }
        }
        return new Undefined(name);
    }

    void set(String name, Object value) {
        vars.put(name, value);
    }
}
