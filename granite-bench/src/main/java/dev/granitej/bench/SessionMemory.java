package dev.granitej.bench;

import dev.granitej.config.GraniteConfig;
import dev.granitej.config.LayerType;
import java.io.PrintStream;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The memory one sequence holds, from the config alone: the constant Mamba state (conv window and SSM state
 * of every Mamba layer) plus a KV cache that grows by one row per token on every attention layer. This is the
 * formula behind {@code SequenceState.stateBytes()} (fp32 throughout); other element sizes give the cost of a
 * cache stored in f16 (llama.cpp's default) or bf16.
 *
 * @param mambaBytes            bytes of all Mamba layers' state, independent of the context length
 * @param kvBytesPerPosition    bytes of keys and values added per token over all attention layers
 */
public record SessionMemory(long mambaBytes, long kvBytesPerPosition) {

    /** Context lengths the comparison is quoted at: 4K, 32K and 128K tokens. */
    public static final List<Integer> CONTEXTS = List.of(4096, 32768, 131072);

    /** The state of {@code c} as the engine stores it: fp32 Mamba state and fp32 keys and values. */
    public static SessionMemory of(GraniteConfig c) {
        return of(c, Float.BYTES);
    }

    /** The state of {@code c} with keys and values of {@code kvElementBytes} bytes (Mamba state stays fp32). */
    public static SessionMemory of(GraniteConfig c, int kvElementBytes) {
        long convFloats = (long) (c.mambaConvKernel() - 1) * c.mambaConvDim();
        long ssmFloats = (long) c.mambaHeads() * c.mambaHeadDim() * c.mambaStateSize();
        long mamba = c.count(LayerType.MAMBA) * Float.BYTES * (convFloats + ssmFloats);
        long kvRow = 2L * c.numKeyValueHeads() * c.headDim() * kvElementBytes;
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
     * their ratio, for fp32 caches (this engine) and f16 caches (llama.cpp's default).
     */
    public static void printComparison(String name, GraniteConfig c, PrintStream out) {
        out.printf(Locale.ROOT, "Per-session state of %s (%d layers: %d Mamba, %d attention) vs the same model "
                        + "with all %d layers attention%n", name, c.numLayers(), c.count(LayerType.MAMBA),
                c.count(LayerType.ATTENTION), c.numLayers());
        out.println("| KV cache | context | hybrid | all-attention | hybrid / all-attention |");
        out.println("|---|---:|---:|---:|---:|");
        for (int kvBytes : new int[] {Float.BYTES, 2}) {
            SessionMemory hybrid = of(c, kvBytes);
            SessionMemory dense = of(allAttention(c), kvBytes);
            for (int ctx : CONTEXTS) {
                out.printf(Locale.ROOT, "| %s | %dK | %s | %s | %.3f |%n", kvBytes == 4 ? "fp32" : "f16",
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
