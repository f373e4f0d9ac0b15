package dev.granitej.cli;

import dev.granitej.api.GenerationRequest;
import dev.granitej.api.GenerationResult;
import dev.granitej.api.Granite;
import dev.granitej.api.LoadOptions;
import dev.granitej.api.Prompt;
import dev.granitej.api.Session;
import java.io.PrintStream;
import java.util.HashSet;
import java.util.Set;
import java.util.StringJoiner;

/**
 * {@code granite generate [--model DIR] (--prompt TEXT | --tokens IDS) [--max-tokens N] [sampling flags]
 * [--stop S]... [--ids] [--ignore-eos] [--context N] [--format F] [--threads N] [--kv-cache f32|f16|q8_0]
 * [--quant-cache | --quant-cache-dir DIR]}: streams the generated text to stdout and a summary to stderr. With
 * {@code --ids} the generated token ids follow, comma-separated, on the last line of stdout.
 */
final class GenerateCommand {

    private GenerateCommand() {
    }

    static int run(String[] argv, PrintStream out, PrintStream err) {
        Set<String> valued = new HashSet<>(SamplingOptions.NAMES);
        valued.addAll(Set.of("model", "prompt", "tokens", "max-tokens", "stop"));
        valued.addAll(Args.LOAD_VALUED);
        Set<String> flags = new HashSet<>(Set.of("ids", "ignore-eos"));
        flags.addAll(Args.LOAD_FLAGS);
        Args a = new Args("generate", argv, 1, valued, flags);
        if (a.has("prompt") == a.has("tokens")) {
            throw new UsageException("generate: give exactly one of --prompt TEXT or --tokens IDS");
        }
        Prompt prompt = a.has("prompt") ? Prompt.text(a.require("prompt")) : Prompt.tokens(a.getInts("tokens"));
        GenerationRequest.Builder request = GenerationRequest.builder(prompt)
                .maxTokens(a.getInt("max-tokens", 128))
                .sampling(SamplingOptions.from(a, 0f))
                .stopStrings(a.all("stop"));
        if (a.has("ignore-eos")) {
            request.stopTokenIds(Set.of());
        }
        LoadOptions options = a.loadOptions();
        try (Granite granite = Progress.load(a.model(), options, err); Session session = granite.newSession()) {
            GenerationResult r = session.generate(request.build(), text -> {
                out.print(text);
                out.flush();
            });
            out.println();
            if (a.has("ids")) {
                StringJoiner ids = new StringJoiner(",");
                for (int id : r.tokenIds()) {
                    ids.add(Integer.toString(id));
                }
                out.println(ids);
            }
            err.printf("[%d prompt tokens, %d generated, finish: %s; prefill %.1f tok/s, decode %.1f tok/s]%n",
                    r.usage().promptTokens(), r.usage().generatedTokens(), r.finishReason(),
                    r.usage().prefillTokensPerSecond(), r.usage().decodeTokensPerSecond());
        }
        return 0;
    }
}
