package dev.granitej.cli;

import java.io.PrintStream;

/**
 * Entry point of the {@code ./granite} command line. Each command is a small class; exit status 0 is
 * success, 1 a failure while running, 2 a command line that cannot be run.
 */
public final class Main {

    private static final String USAGE = """
            usage: granite <command> [options]
              generate      --prompt TEXT | --tokens IDS [--max-tokens N] [--temperature T] [--ids] ...
              logits        --tokens IDS --out FILE
              verify        [--public-key PEM | --certificate-chain PEM... | --identity EMAIL --issuer URL]
            common: --model DIR (default: models/granite-4.0-h-demo)""";

    private Main() {
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
                case "logits" -> LogitsCommand.run(args, out, err);
                case "verify" -> dev.granitej.sig.cli.VerifyCommand.run(java.util.Arrays.copyOfRange(args, 1,
                        args.length), out, err);
                default -> throw new UsageException("unknown command '" + args[0] + "'\n" + USAGE);
            };
        } catch (UsageException e) {
            err.println("granite: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            err.println("granite " + args[0] + ": " + e.getMessage());
            if (Boolean.getBoolean("granitej.debug")) {
                e.printStackTrace(err);
            }
            return 1;
        }
    }

}
