package dev.granitej.cli;

import dev.granitej.tokenizer.cli.TokenizerCommands;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;

/**
 * Entry point of the {@code ./granite} command line. Each command is a small class; exit status 0 is
 * success, 1 a failure while running, 2 a command line that cannot be run.
 */
public final class Main {

    private static final String USAGE = """
            usage: granite <command> [options]
              generate      --prompt TEXT | --tokens IDS [--max-tokens N] [--temperature T] [--top-k K]
                            [--top-p P] [--min-p P] [--seed S] [--stop S]... [--ids] [--ignore-eos]
              chat          [--system TEXT] [--tools FILE] [--max-tokens N] [sampling flags]
              info
              tokenize      --jsonl   (JSON strings in, JSON id arrays out)
              chat-template --jsonl   (JSON chat requests in, rendered prompts out)
              bench         --format bf16|q8_0|q4_0 --threads N -p 512 -n 128 [-r 3] [-d DEPTH]
                            [--quant-cache-dir DIR | --no-quant-cache] [-ctk f16|f32|q8_0]
              logits        --tokens IDS --out FILE
              verify        [--public-key PEM | --certificate-chain PEM... | --identity EMAIL --issuer URL]
            common: --model DIR (default: models/granite-4.0-h-demo)
            generate, chat: [--format bf16|q8_0|q4_0] [--threads N] [--context N] [--kv-cache f32|f16|q8_0]
                            [--quant-cache | --quant-cache-dir DIR]  (keep q8_0/q4_0 weights for the next load)""";

    private Main() {
    }

    private static BufferedReader stdin() {
        return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    }

    /** The bench harness lives in granite-bench (which depends on this module), so it is found at run time. */
    private static int bench(String[] args, PrintStream out, PrintStream err) throws ReflectiveOperationException {
        Class<?> c;
        try {
            c = Class.forName("dev.granitej.bench.BenchCommand");
        } catch (ClassNotFoundException e) {
            throw new UsageException("bench: granite-bench is not on the class path (build it with ./granite)");
        }
        Method run = c.getMethod("run", String[].class, PrintStream.class, PrintStream.class);
        return (int) run.invoke(null, Arrays.copyOfRange(args, 1, args.length), out, err);
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command and returns its exit status; never calls {@code System.exit}. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            err.println(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        try {
            return switch (args[0]) {
                case "generate" -> GenerateCommand.run(args, out, err);
                case "chat" -> ChatCommand.run(args, System.in, out, err);
                case "info" -> InfoCommand.run(args, out, err);
                case "tokenize" -> TokenizerCommands.tokenize(
                        new Args("tokenize", args, 1, Set.of("model"), Set.of("jsonl")).model(), stdin(), out);
                case "chat-template" -> TokenizerCommands.chatTemplate(
                        new Args("chat-template", args, 1, Set.of("model"), Set.of("jsonl")).model(), stdin(), out);
                case "bench" -> bench(args, out, err);
                case "logits" -> LogitsCommand.run(args, out, err);
                case "verify" -> dev.granitej.sig.cli.VerifyCommand.run(Arrays.copyOfRange(args, 1, args.length),
                        out, err);
                default -> throw new UsageException("unknown command '" + args[0] + "'\n" + USAGE);
            };
        } catch (UsageException e) {
            err.println("granite: " + e.getMessage());
            return 2;
        } catch (java.lang.reflect.InvocationTargetException e) {
            err.println("granite " + args[0] + ": " + e.getCause().getMessage());
            return 1;
        } catch (Exception e) {
            err.println("granite " + args[0] + ": " + e.getMessage());
            if (Boolean.getBoolean("granitej.debug")) {
                e.printStackTrace(err);
            }
            return 1;
        }
    }

}
