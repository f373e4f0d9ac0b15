package dev.granitej.cli;

import dev.granitej.model.GraniteModel;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * {@code granite logits --model DIR --tokens 5,17,42 --out FILE}: writes the logits of every position as
 * little-endian float32, T rows of {@code vocab_size}. A stable interface for checking the engine against
 * other references.
 */
final class LogitsCommand {

    private LogitsCommand() {
    }

    static int run(String[] argv, PrintStream out, PrintStream err) throws IOException {
        Args args = new Args("logits", argv, 1, Set.of("model", "tokens", "out"), Set.of());
        int[] tokens = args.getInts("tokens");
        Path file = Path.of(args.require("out"));
        try (GraniteModel model = GraniteModel.load(args.model())) {
            float[] logits = model.forwardAll(model.newState(tokens.length), tokens);
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
            try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(file))) {
                for (float v : logits) {
                    if (!buf.hasRemaining()) {
                        os.write(buf.array(), 0, buf.position());
                        buf.clear();
                    }
                    buf.putFloat(v);
                }
                os.write(buf.array(), 0, buf.position());
            }
            err.println("wrote " + tokens.length + " x " + model.config().vocabSize() + " float32 logits to " + file);
        }
        return 0;
    }
}
