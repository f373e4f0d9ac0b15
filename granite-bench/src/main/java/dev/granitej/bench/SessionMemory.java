package dev.granitej.bench;

import dev.granitej.config.GraniteConfig;
import dev.granitej.config.LayerType;
import dev.granitej.model.KvCacheFormat;
import java.io.PrintStream;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The memory one sequence holds, from the config alone: the constant Mamba state (conv window and SSM state
 * of every Mamba layer) plus a KV cache that grows by one row per token on every attention layer. This is the
 * formula behind {@code SequenceState.stateBytes()} for each {@link KvCacheFormat} (the Mamba state is fp32
 * throughout).
 *
 * @param mambaBytes            bytes of all Mamba layers' state, independent of the context length
 * @param kvBytesPerPosition    bytes of keys and values added per token over all attention layers
 */
public record SessionMemory(long mambaBytes, long kvBytesPerPosition) {

    /** Context lengths the comparison is quoted at: 4K, 32K and 128K tokens. */
    public static final List<Integer> CONTEXTS = List.of(4096, 32768, 131072);

    /** The state of {@code c} as the engine stores it by default: fp32 Mamba state and fp32 keys and values. */
    public static SessionMemory of(GraniteConfig c) {
        return of(c, KvCacheFormat.F32);
    }

    /** The state of {@code c} with keys and values stored as {@code kvCache} says. */
    public static SessionMemory of(GraniteConfig c, KvCacheFormat kvCache) {
        long convFloats = (long) (c.mambaConvKernel() - 1) * c.mambaConvDim();
        long ssmFloats = (long) c.mambaHeads() * c.mambaHeadDim() * c.mambaStateSize();
        long mamba = c.count(LayerType.MAMBA) * Float.BYTES * (convFloats + ssmFloats);
        long kvRow = kvCache.bytesPerPosition(c.numKeyValueHeads(), c.headDim());
        return new SessionMemory(mamba, c.count(LayerType.ATTENTION) * kvRow);
    }

    /** A transformer of the same width and depth: every layer attention, same KV heads and head size. */
    public static GraniteConfig allAttention(GraniteConfig c) {
        return ReleasedShapes.withLayerTypes(c, Collections.nCopies(c.numLayers(), LayerType.ATTENTION));
    }

    /** Bytes held after {@code positions} tokens. */
    public long bytesAt(long positions) {
        return mambaBytes + kvBytesPerPosition * positions;
    }

    /**
     * Prints, for each of {@link #CONTEXTS}, the hybrid's state next to the all-attention transformer's and
     * their ratio, for fp32 caches (the library's default), f16 caches (llama.cpp's default) and 8-bit caches.
     */
    public static void printComparison(String name, GraniteConfig c, PrintStream out) {
        out.printf(Locale.ROOT, "Per-session state of %s (%d layers: %d Mamba, %d attention) vs the same model "
                        + "with all %d layers attention%n", name, c.numLayers(), c.count(LayerType.MAMBA),
                c.count(LayerType.ATTENTION), c.numLayers());
        out.println("| KV cache | context | hybrid | all-attention | hybrid / all-attention |");
        out.println("|---|---:|---:|---:|---:|");
        for (KvCacheFormat kvCache : KvCacheFormat.values()) {
            SessionMemory hybrid = of(c, kvCache);
            SessionMemory dense = of(allAttention(c), kvCache);
            for (int ctx : CONTEXTS) {
                out.printf(Locale.ROOT, "| %s | %dK | %s | %s | %.3f |%n", kvCache.label(),
                        ctx / 1024, Units.bytes(hybrid.bytesAt(ctx)), Units.bytes(dense.bytesAt(ctx)),
                        (double) hybrid.bytesAt(ctx) / dense.bytesAt(ctx));
            }
        }
    }

    /** Prints the comparison for a released shape: {@code SessionMemory [h-tiny]}. */
    public static void main(String[] args) {
        String name = args.length > 0 ? args[0] : "h-tiny";
        printComparison(ReleasedShapes.repositoryName(name), ReleasedShapes.of(name), System.out);
    }
}
