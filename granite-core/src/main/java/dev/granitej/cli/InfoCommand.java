package dev.granitej.cli;

import dev.granitej.api.Granite;
import dev.granitej.api.LoadOptions;
import dev.granitej.api.ModelInfo;
import dev.granitej.config.GraniteConfig;
import dev.granitej.config.LayerType;
import java.io.PrintStream;
import java.util.Set;

/** {@code granite info [--model DIR]}: architecture, parameter counts, layer plan and memory use. */
final class InfoCommand {

    private InfoCommand() {
    }

    static int run(String[] argv, PrintStream out, PrintStream err) {
        Args a = new Args("info", argv, 1, Set.of("model"), Set.of());
        try (Granite g = Granite.load(a.model(), LoadOptions.defaults())) {
            ModelInfo info = g.info();
            GraniteConfig c = g.config();
            out.println("model:        " + info.directory());
            out.println("architecture: " + info.architecture());
            out.printf("parameters:   %,d total, %,d active per token%n", info.totalParameters(),
                    info.activeParameters());
            out.printf("dimensions:   hidden %d, vocab %d, %d layers%n", c.hiddenSize(), c.vocabSize(), c.numLayers());
            StringBuilder plan = new StringBuilder();
            for (LayerType t : info.layers()) {
                plan.append(t == LayerType.MAMBA ? 'M' : 'A');
            }
            out.println("layer plan:   " + plan + "  (M = Mamba-2, A = attention)");
            out.printf("weights:      %,d bytes mapped%n", info.weightBytes());
            out.printf("session:      %,d bytes of Mamba state + %,d bytes of KV cache per token%n",
                    info.stateBytesPerSession(), info.kvBytesPerToken());
            for (long ctx : new long[] {4096, 32768, 131072}) {
                out.printf("              %,d tokens of context: %,.1f MiB%n", ctx, info.sessionBytes(ctx) / 1048576.0);
            }
            g.verification().ifPresent(v -> out.println("verified:     " + v.summary()));
        }
        return 0;
    }
}
