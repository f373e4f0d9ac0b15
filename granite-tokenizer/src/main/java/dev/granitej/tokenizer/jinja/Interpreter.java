package dev.granitej.tokenizer.jinja;

import dev.granitej.tokenizer.jinja.Node.Expr;
import dev.granitej.tokenizer.jinja.Node.Stmt;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Executes a parsed template into a string builder. One instance per render. */
final class Interpreter {

    /** Control flow of {@code break}/{@code continue}; carries no stack trace. */
    private static final class LoopControl extends RuntimeException {
        final boolean isBreak;

        LoopControl(boolean isBreak) {
            super(null, null, false, false);
            this.isBreak = isBreak;
        }
    }

    private static final LoopControl BREAK = new LoopControl(true);
    private static final LoopControl CONTINUE = new LoopControl(false);

    private StringBuilder out;

    Interpreter(StringBuilder out) {
        this.out = out;
    }

    void run(List<Stmt> body, Scope scope) {
        for (Stmt s : body) {
            exec(s, scope);
        }
    }

    private void exec(Stmt stmt, Scope scope) {
        switch (stmt) {
            case Node.Text t -> out.append(t.text());
            case Node.Output o -> out.append(Py.str(eval(o.expr(), scope)));
            case Node.If f -> {
                for (Node.Branch b : f.branches()) {
                    if (Py.truthy(eval(b.condition(), scope))) {
                        run(b.body(), scope);
                        return;
                    }
                }
                run(f.otherwise(), scope);
            }
            case Node.For f -> loop(f, scope);
            case Node.Set s -> {
                Object value = eval(s.value(), scope);
                if (s.attribute() != null) {
                    Object target = scope.get(s.targets().get(0));
                    if (!(target instanceof Namespace ns)) {
                        throw new TemplateException("cannot assign attribute '" + s.attribute() + "' on "
                                + Py.typeName(target) + " '" + s.targets().get(0) + "' (only namespace objects)");
                    }
                    ns.values.put(s.attribute(), value);
                } else {
                    assign(s.targets(), value, scope);
                }
            }
            case Node.SetBlock s -> scope.set(s.target(), capture(s.body(), scope));
            case Node.Macro m -> scope.set(m.name(), macro(m, scope));
            case Node.Break b -> throw BREAK;
            case Node.Continue c -> throw CONTINUE;
            case Node.Block b -> run(b.body(), scope);
        }
    }

    private String capture(List<Stmt> body, Scope scope) {
        StringBuilder saved = out;
        out = new StringBuilder();
        try {
            run(body, scope);
            return out.toString();
        } finally {
            out = saved;
        }
    }

    private static void assign(List<String> targets, Object value, Scope scope) {
        if (targets.size() == 1) {
            scope.set(targets.get(0), value);
            return;
        }
        List<Object> items = Py.iterate(value);
        if (items.size() != targets.size()) {
            throw new TemplateException("cannot unpack " + items.size() + " values into " + targets.size() + " names");
        }
        for (int i = 0; i < targets.size(); i++) {
            scope.set(targets.get(i), items.get(i));
        }
    }

    private void loop(Node.For f, Scope scope) {
        Object iterable = eval(f.iterable(), scope);
        List<Object> items = Py.iterate(iterable);
        if (f.filter() != null) {
            List<Object> kept = new ArrayList<>();
            for (Object item : items) {
                Scope s = scope.child();
                assign(f.targets(), item, s);
                if (Py.truthy(eval(f.filter(), s))) {
                    kept.add(item);
                }
            }
            items = kept;
        }
        if (items.isEmpty()) {
            run(f.otherwise(), scope);
            return;
        }
        int n = items.size();
        for (int i = 0; i < n; i++) {
            Scope s = scope.child();
            assign(f.targets(), items.get(i), s);
            s.set("loop", loopInfo(items, i));
            try {
                run(f.body(), s);
            } catch (LoopControl c) {
                if (c.isBreak) {
                    break;
                }
            }
        }
    }

    private static Map<Object, Object> loopInfo(List<Object> items, int i) {
        int n = items.size();
        Map<Object, Object> loop = new LinkedHashMap<>();
        loop.put("index", (long) i + 1);
        loop.put("index0", (long) i);
        loop.put("revindex", (long) (n - i));
        loop.put("revindex0", (long) (n - i - 1));
        loop.put("first", i == 0);
        loop.put("last", i == n - 1);
        loop.put("length", (long) n);
        loop.put("depth", 1L);
        loop.put("depth0", 0L);
        loop.put("previtem", i > 0 ? items.get(i - 1) : new Undefined("previtem"));
        loop.put("nextitem", i + 1 < n ? items.get(i + 1) : new Undefined("nextitem"));
        loop.put("cycle", (Callable) (args, kw) -> args.isEmpty() ? new Undefined("cycle") : args.get(i % args.size()));
        return new LoopObject(loop);
    }

    /** The {@code loop} variable: attribute access only (not iterable like a dict in templates). */
    static final class LoopObject extends LinkedHashMap<Object, Object> {
        LoopObject(Map<Object, Object> m) {
            super(m);
        }
    }

    private Callable macro(Node.Macro m, Scope defining) {
        return (args, kwargs) -> {
            Scope s = defining.child();
            List<String> params = m.params();
            int firstDefault = params.size() - m.defaults().size();
            if (args.size() > params.size()) {
                throw new TemplateException("macro '" + m.name() + "' takes " + params.size() + " arguments");
            }
            for (int i = 0; i < params.size(); i++) {
                String p = params.get(i);
                if (i < args.size()) {
                    s.set(p, args.get(i));
                } else if (kwargs.containsKey(p)) {
                    s.set(p, kwargs.get(p));
                } else if (i >= firstDefault) {
                    s.set(p, eval(m.defaults().get(i - firstDefault), s));
                } else {
                    s.set(p, new Undefined(p));
                }
            }
            Interpreter inner = new Interpreter(new StringBuilder());
            inner.run(m.body(), s);
            return inner.out.toString();
        };
    }

    Object eval(Expr expr, Scope scope) {
        return switch (expr) {
            case Node.Literal l -> l.value();
            case Node.Name n -> scope.get(n.name());
            case Node.GetAttr a -> Builtins.getAttr(eval(a.target(), scope), a.name());
            case Node.GetItem g -> Builtins.getItem(eval(g.target(), scope), eval(g.key(), scope));
            case Node.Slice s -> Builtins.slice(eval(s.target(), scope), optional(s.start(), scope),
                    optional(s.stop(), scope), optional(s.step(), scope));
            case Node.Call c -> call(c, scope);
            case Node.Filter f -> {
                yield Builtins.filter(f.name(), eval(f.target(), scope), evalArgs(f.args(), scope),
                        evalKwargs(f.kwargs(), scope), this, scope, f.line());
            }
            case Node.Test t -> {
                if (t.name().equals("defined") || t.name().equals("undefined")) {
                    boolean defined = !(eval(t.target(), scope) instanceof Undefined);
                    yield (t.name().equals("defined") == defined) != t.negated();
                }
                boolean r = Builtins.test(t.name(), eval(t.target(), scope), evalArgs(t.args(), scope), t.line());
                yield r != t.negated();
            }
            case Node.Unary u -> {
                Object v = eval(u.operand(), scope);
                if (u.op().equals("+")) {
                    yield v;
                }
                yield Builtins.negate(v);
            }
            case Node.Binary b -> Builtins.binary(b.op(), eval(b.left(), scope), eval(b.right(), scope));
            case Node.Compare c -> {
                Object left = eval(c.first(), scope);
                for (int i = 0; i < c.ops().size(); i++) {
                    Object right = eval(c.rest().get(i), scope);
                    if (!Builtins.compare(c.ops().get(i), left, right)) {
                        yield false;
                    }
                    left = right;
                }
                yield true;
            }
            case Node.And a -> {
                Object l = eval(a.left(), scope);
                yield Py.truthy(l) ? eval(a.right(), scope) : l;
            }
            case Node.Or o -> {
                Object l = eval(o.left(), scope);
                yield Py.truthy(l) ? l : eval(o.right(), scope);
            }
            case Node.Not n -> !Py.truthy(eval(n.operand(), scope));
            case Node.Cond c -> Py.truthy(eval(c.condition(), scope)) ? eval(c.then(), scope)
                    : c.otherwise() == null ? new Undefined("else") : eval(c.otherwise(), scope);
            case Node.ListExpr l -> new ArrayList<>(evalArgs(l.items(), scope));
            case Node.TupleExpr t -> java.util.Collections.unmodifiableList(evalArgs(t.items(), scope));
            case Node.DictExpr d -> {
                Map<Object, Object> m = new LinkedHashMap<>();
                for (int i = 0; i < d.keys().size(); i++) {
                    m.put(eval(d.keys().get(i), scope), eval(d.values().get(i), scope));
                }
                yield m;
            }
        };
    }

    private Object optional(Expr e, Scope scope) {
        return e == null ? null : eval(e, scope);
    }

    private List<Object> evalArgs(List<Expr> args, Scope scope) {
        List<Object> out = new ArrayList<>(args.size());
        for (Expr e : args) {
            out.add(eval(e, scope));
        }
        return out;
    }

    private Map<String, Object> evalKwargs(List<Node.Kwarg> kwargs, Scope scope) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Node.Kwarg k : kwargs) {
            out.put(k.name(), eval(k.value(), scope));
        }
        return out;
    }

    private Object call(Node.Call c, Scope scope) {
        Object callee = eval(c.callee(), scope);
        if (callee instanceof Callable fn) {
            return fn.call(evalArgs(c.args(), scope), evalKwargs(c.kwargs(), scope));
        }
        if (callee instanceof Undefined u) {
            throw new TemplateException("'" + u.name + "' is undefined");
        }
        throw new TemplateException("'" + Py.typeName(callee) + "' object is not callable");
    }
}
