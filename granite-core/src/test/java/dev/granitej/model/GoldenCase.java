package dev.granitej.model;

import dev.granitej.io.Checkpoint;
import dev.granitej.io.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Reads reference tensors from a checkpoint's {@code golden.safetensors} (made by HF transformers, fp32). */
final class GoldenCase implements AutoCloseable {

    /** The checkpoints with goldens: three random-weight ones in test resources, and the shipped demo model. */
    static final String[] CHECKPOINTS = {"tiny-moe-nope", "micro-dense-bf16-sharded", "dense-attention-rope",
        "granite-4.0-h-demo"};

    final Path dir;
    private final Checkpoint golden;

    GoldenCase(String name) {
        this.dir = dirOf(name);
        this.golden = Checkpoint.openFile(dir.resolve("golden.safetensors"));
    }

    static Path dirOf(String name) {
        if (name.equals("granite-4.0-h-demo")) {
            return repoRoot().resolve("models").resolve(name);
        }
        return Path.of("src/test/resources/golden").resolve(name);
    }

    static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("models"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("cannot find the repository root (a directory with models/)");
        }
        return p;
    }

    Optional<Tensor> find(String name) {
        return golden.find(name);
    }

    float[] floats(String name) {
        return golden.tensor(name).toFloatArray();
    }

    int[] ids(String name) {
        long[] l = golden.tensor(name).toLongArray();
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            out[i] = Math.toIntExact(l[i]);
        }
        return out;
    }

    @Override
    public void close() {
        golden.close();
    }

    static float maxAbsDiff(float[] a, int aOff, float[] b, int bOff, int n) {
        float max = 0f;
        for (int i = 0; i < n; i++) {
            float d = Math.abs(a[aOff + i] - b[bOff + i]);
            if (!(d <= max)) {
                max = Float.isNaN(d) ? Float.POSITIVE_INFINITY : d;
            }
        }
        return max;
    }

    static int argmax(float[] x, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (x[off + i] > x[off + best]) {
                best = i;
            }
        }
        return best;
    }
}
