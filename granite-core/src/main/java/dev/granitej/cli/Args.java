package dev.granitej.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Command-line options of one command: {@code --name value} pairs (repeatable), {@code --flag}s and
 * {@code -x value} short forms. Unknown options are errors, so a typo never passes silently.
 */
final class Args {

    private final String command;
    private final Map<String, List<String>> values = new LinkedHashMap<>();

    /**
     * @param valued options that take a value (without dashes)
     * @param flags  options that take none
     */
    Args(String command, String[] argv, int from, Set<String> valued, Set<String> flags) {
        this.command = command;
        for (int i = from; i < argv.length; i++) {
            String a = argv[i];
            if (!a.startsWith("-")) {
                throw new UsageException(command + ": unexpected argument '" + a + "'");
            }
            String name = a.replaceFirst("^--?", "");
            String inline = null;
            int eq = name.indexOf('=');
            if (eq > 0) {
                inline = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (flags.contains(name) && inline == null) {
                values.computeIfAbsent(name, k -> new ArrayList<>()).add("true");
            } else if (valued.contains(name)) {
                String v = inline;
                if (v == null) {
                    if (i + 1 >= argv.length) {
                        throw new UsageException(command + ": option " + a + " needs a value");
                    }
                    v = argv[++i];
                }
                values.computeIfAbsent(name, k -> new ArrayList<>()).add(v);
            } else {
                throw new UsageException(command + ": unknown option " + a);
            }
        }
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String get(String name, String fallback) {
        List<String> v = values.get(name);
        return v == null ? fallback : v.get(v.size() - 1);
    }

    String require(String name) {
        String v = get(name, null);
        if (v == null) {
            throw new UsageException(command + ": missing required option --" + name);
        }
        return v;
    }

    List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    int getInt(String name, int fallback) {
        String v = get(name, null);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " must be an integer, was '" + v + "'");
        }
    }

    float getFloat(String name, float fallback) {
        String v = get(name, null);
        if (v == null) {
            return fallback;
        }
        try {
            return Float.parseFloat(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " must be a number, was '" + v + "'");
        }
    }

    /** Comma-separated integers, e.g. token ids {@code 5,17,42}. */
    int[] getInts(String name) {
        String v = require(name);
        String[] parts = v.split(",");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                out[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new UsageException(command + ": --" + name + " must be comma-separated integers, found '"
                        + parts[i] + "'");
            }
        }
        return out;
    }

    /** The options that choose how a model loads, for the commands that take {@link #loadOptions()}. */
    static final Set<String> LOAD_VALUED = Set.of("context", "format", "threads", "quant-cache-dir", "kv-cache");
    static final Set<String> LOAD_FLAGS = Set.of("quant-cache");

    /**
     * {@code --format}, {@code --threads}, {@code --context} and {@code --kv-cache} applied to the default load
     * options, and the quantized-weight cache: {@code --quant-cache} next to the checkpoint,
     * {@code --quant-cache-dir DIR} in DIR.
     */
    dev.granitej.api.LoadOptions loadOptions() {
        dev.granitej.api.LoadOptions o = dev.granitej.api.LoadOptions.defaults().withMaxContext(getInt("context", 8192));
        String format = get("format", "bf16").toLowerCase(java.util.Locale.ROOT);
        o = switch (format) {
            case "bf16", "stored", "f32", "f16" -> o;
            case "q8_0" -> o.withWeightFormat(dev.granitej.kernels.WeightFormat.Q8_0);
            case "q4_0" -> o.withWeightFormat(dev.granitej.kernels.WeightFormat.Q4_0);
            default -> throw new UsageException(command + ": --format must be bf16 (as stored), q8_0 or q4_0, was '"
                    + format + "'");
        };
        if (has("threads")) {
            o = o.withThreads(getInt("threads", 1));
        }
        String kv = get("kv-cache", "f32").toLowerCase(java.util.Locale.ROOT);
        try {
            o = o.withKvCache(dev.granitej.model.KvCacheFormat.parse(kv));
        } catch (IllegalArgumentException e) {
            throw new UsageException(command + ": --kv-cache must be " + dev.granitej.model.KvCacheFormat.choices()
                    + ", was '" + kv + "'");
        }
        if (has("quant-cache-dir")) {
            o = o.withQuantCache(dev.granitej.model.QuantCache.in(Path.of(get("quant-cache-dir", null))));
        } else if (has("quant-cache")) {
            o = o.withQuantCache(dev.granitej.model.QuantCache.nextToCheckpoint());
        }
        return o;
    }

    /** {@code --model DIR}, defaulting to the checkpoint shipped in the repository's {@code models/}. */
    Path model() {
        String v = get("model", null);
        Path p = v != null ? Path.of(v) : defaultModel();
        if (!Files.isDirectory(p)) {
            throw new UsageException(command + ": model directory " + p + " does not exist");
        }
        return p;
    }

    static Path defaultModel() {
        String home = System.getProperty("granitej.home");
        Path base = home != null ? Path.of(home) : Path.of("");
        return base.resolve("models").resolve("granite-4.0-h-demo");
    }
}
