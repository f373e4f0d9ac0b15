package dev.granitej.bench;

import dev.granitej.config.GraniteConfig;
import dev.granitej.config.LayerType;
import java.nio.file.Path;
import java.util.List;

/** Miniature Granite shapes that exercise every layer kind in milliseconds. */
final class TinyShapes {

    private TinyShapes() {
    }

    /** Mamba, attention, Mamba; 4 experts top-2 plus the shared MLP; vocabulary 256. */
    static GraniteConfig hybridMoe() {
        return new GraniteConfig(256, 64, List.of(LayerType.MAMBA, LayerType.ATTENTION, LayerType.MAMBA),
                4, 2, 16, 0.0625f, 10000.0, false, 32, 64, 4, 2, 1e-5f, 12f, 0.22f, 6f, true,
                8, 16, 16, 1, 4, 2, true, false, 0f, Float.POSITIVE_INFINITY, 4096, 0, List.of(1), 2);
    }

    /** A tiny hybrid checkpoint written to {@code dir} (seed 7, shards of ~64 KB so that sharding is used). */
    static Path hybridMoeCheckpoint(Path dir) {
        return RandomCheckpoint.write(hybridMoe(), dir, 7, 64_000).directory();
    }
}
