package dev.granitej.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.granitej.config.GraniteConfig;
import dev.granitej.model.GraniteModel;
import dev.granitej.model.ModelOptions;
import dev.granitej.model.QuantCache;
import dev.granitej.tokenizer.Tokenizer;
import dev.granitej.tokenizer.chat.ChatTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import dev.granitej.sig.ModelSignature;
import dev.granitej.sig.ModelVerificationException;
import dev.granitej.sig.VerificationOptions;
import dev.granitej.sig.VerificationPolicy;
import dev.granitej.sig.VerificationResult;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loaded Granite 4.0 checkpoint, ready to generate: the model's weights (mapped once, shared and
 * read-only), its tokenizer, and the engine thread that batches decode steps across sessions.
 * Thread-safe: create any number of {@link Session}s, from any threads. {@link #close()} releases the
 * weights; sessions cannot generate afterwards.
 *
 * <pre>{@code
 * try (Granite granite = Granite.load(Path.of("models/granite-4.0-h-demo"));
 *      Session session = granite.newSession()) {
 *     GenerationResult r = session.generate(GenerationRequest.ofText("def fibonacci(n):\n", 32));
 *     System.out.println(r.text());
 * }
 * }</pre>
 */
public final class Granite implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Granite.class);

    private final Path directory;
    private final GraniteModel model;
    private final Tokenizer tokenizer;
    private final ChatTokenizer chat;
    private final LoadOptions options;
    private final Set<Integer> defaultStopTokens;
    private final DecodeScheduler scheduler;
    private final int maxContext;
    private final VerificationResult verification;
    private final ModelInfo info;
    private long reservedSessionBytes;

    private Granite(Path directory, GraniteModel model, ChatTokenizer chat, LoadOptions options,
                    VerificationResult verification) {
        this.verification = verification;
        this.chat = chat;
        Tokenizer tokenizer = chat.tokenizer();
        this.directory = directory;
        this.model = model;
        this.tokenizer = tokenizer;
        this.options = options;
        this.defaultStopTokens = readStopTokens(directory, model.config());
        this.maxContext = options.maxContext();
        this.scheduler = new DecodeScheduler(model, options.maxBatch());
        this.info = ModelInfo.of(directory, model);
    }

    /** Loads the checkpoint in {@code directory} with {@link LoadOptions#defaults()}. */
    public static Granite load(Path directory) {
        return load(directory, LoadOptions.defaults());
    }

    /**
     * Loads the checkpoint in {@code directory}: config, weights and {@code tokenizer.json}. When
     * {@code model.sig} is verified (see {@link LoadOptions#verification()}), the quantized-weight cache is neither
     * read nor written whatever {@link LoadOptions#quantCache()} says, since the signature does not cover it.
     */
    public static Granite load(Path directory, LoadOptions options) {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(options, "options");
        long start = System.nanoTime();
        VerificationResult verified = verify(directory, options.verification());
        ChatTokenizer chat = ChatTokenizer.load(directory);
        Tokenizer tokenizer = chat.tokenizer();
        GraniteModel model = GraniteModel.load(directory, modelOptions(directory, options, verified != null));
        try {
            if (tokenizer.vocabSize() > model.config().vocabSize()) {
                throw new IllegalArgumentException("tokenizer has " + tokenizer.vocabSize()
                        + " tokens but the model's vocabulary holds " + model.config().vocabSize());
            }
            Granite g = new Granite(directory, model, chat, options, verified);
            LOG.info("loaded {} ({} parameters) in {} ms", directory, model.parameterCount(),
                    (System.nanoTime() - start) / 1_000_000);
            return g;
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * The model options for this load. A verified load turns the quantized-weight cache off: the signature covers
     * the checkpoint, not the cache, so the weights must come from the verified files (quantized afresh).
     */
    private static ModelOptions modelOptions(Path directory, LoadOptions options, boolean verified) {
        ModelOptions model = options.model();
        if (verified && model.quantCache().enabled() && model.weightFormat().isPresent()) {
            // A warning, not info: the caller asked for the cache and does not get it (the CLI shows warnings only).
            LOG.warn("{}: model.sig was verified, so the quantized-weight cache, which the signature does not "
                    + "cover, is neither read nor written; quantizing the verified weights", directory);
            return model.withQuantCache(QuantCache.off());
        }
        return model;
    }

    /** Verifies before anything is mapped; returns null when no verification was done. */
    private static VerificationResult verify(Path directory, Verification v) {
        Optional<VerificationOptions> options = v.options();
        if (v.isAuto()) {
            if (!Files.exists(directory.resolve("model.sig"))) {
                return null;
            }
            Optional<VerificationPolicy> policy = ModelSignature.defaultPolicyFor(directory);
            if (policy.isEmpty()) {
                LOG.warn("{} has a model.sig but no default signer policy is known for it; loading without "
                        + "verification (pass Verification.required(...) to verify)", directory);
                return null;
            }
            options = Optional.of(VerificationOptions.of(policy.get()));
        }
        if (options.isEmpty()) {
            return null;
        }
        try {
            VerificationResult r = ModelSignature.verify(directory, v.withListener(options.get()));
            LOG.info("verified {}: {}", directory, r.summary());
            return r;
        } catch (ModelVerificationException e) {
            throw new VerificationFailedException(e);
        }
    }

    private static Set<Integer> readStopTokens(Path directory, GraniteConfig config) {
        Set<Integer> ids = new LinkedHashSet<>();
        Path gen = directory.resolve("generation_config.json");
        if (Files.exists(gen)) {
            try {
                JsonNode eos = new ObjectMapper().readTree(Files.readString(gen)).get("eos_token_id");
                if (eos != null && eos.isArray()) {
                    eos.forEach(n -> ids.add(n.asInt()));
                } else if (eos != null && eos.isIntegralNumber()) {
                    ids.add(eos.asInt());
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + gen, e);
            }
        }
        if (ids.isEmpty()) {
            ids.addAll(config.eosTokenIds());
        }
        return Set.copyOf(ids);
    }

    /** A new session with the default context limit. */
    public Session newSession() {
        return newSession(maxContext);
    }

    /** A new session that holds at most {@code contextTokens} tokens. */
    public Session newSession(int contextTokens) {
        if (contextTokens <= 0) {
            throw new IllegalArgumentException("contextTokens must be positive, was " + contextTokens);
        }
        long bytes = info.sessionBytes(contextTokens);
        synchronized (this) {
            if (reservedSessionBytes + bytes > options.sessionMemoryLimit()) {
                throw new IllegalStateException("session memory limit reached: a session of " + contextTokens
                        + " tokens needs up to " + bytes + " bytes, " + reservedSessionBytes + " of "
                        + options.sessionMemoryLimit() + " are reserved by open sessions");
            }
            reservedSessionBytes += bytes;
        }
        try {
            return new Session(this, model.newState(contextTokens), bytes);
        } catch (RuntimeException | Error e) {
            release(bytes);
            throw e;
        }
    }

    /** Bytes reserved by open sessions (each counts its worst case). */
    public synchronized long reservedSessionBytes() {
        return reservedSessionBytes;
    }

    synchronized void release(long bytes) {
        reservedSessionBytes -= bytes;
    }

    /** One-off generation in a fresh session. */
    public GenerationResult generate(GenerationRequest request) {
        try (Session s = newSession()) {
            return s.generate(request);
        }
    }

    /** The checkpoint's tokenizer. */
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** The tokenizer with the checkpoint's chat template (if it has one). */
    public ChatTokenizer chat() {
        return chat;
    }

    /** The architecture. */
    public GraniteConfig config() {
        return model.config();
    }

    /** Architecture, parameter counts, layer plan and memory use. */
    public ModelInfo info() {
        return info;
    }

    /** The verified signer, log entry and files, when the checkpoint was verified at load. */
    public Optional<VerificationResult> verification() {
        return Optional.ofNullable(verification);
    }

    /** The stop tokens used when a request names none. */
    public Set<Integer> defaultStopTokens() {
        return defaultStopTokens;
    }

    /** The options this model was loaded with. */
    public LoadOptions options() {
        return options;
    }

    GraniteModel model() {
        return model;
    }

    DecodeScheduler scheduler() {
        return scheduler;
    }

    /** Stops the decode thread and unmaps the weights. */
    @Override
    public void close() {
        scheduler.close();
        model.close();
    }
}
