package dev.granitej.api;

import dev.granitej.model.ContextOverflowException;
import dev.granitej.model.GraniteModel;
import dev.granitej.model.SequenceState;
import dev.granitej.tokenizer.StreamingDecoder;
import dev.granitej.tokenizer.Tokenizer;
import dev.granitej.tokenizer.chat.ToolCallParser;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * One conversation with a loaded model: the sequence's state (Mamba conv and SSM state per Mamba layer, a KV
 * cache on attention layers only) and the tokens it has consumed. Sessions are independent; any number can
 * generate concurrently, and their decode steps are batched together by the engine.
 *
 * <p>A session reuses its state across requests: when a request's prompt starts with every token the session
 * already holds (a follow-up turn of the same chat, or a prompt after a shared prefix that was
 * {@link #prefill prefilled} and {@link #fork forked}), only the new tokens are fed. Otherwise the session
 * starts over. A hybrid model's state is small, so {@link #fork()} and {@link #snapshot()} are cheap.
 *
 * <p>One generation runs at a time per session; a second concurrent call fails with
 * {@link IllegalStateException}. {@link #close()} releases the state.
 */
public final class Session implements AutoCloseable {

    private final Granite owner;
    private final SequenceState state;
    private final ReentrantLock busy = new ReentrantLock();
    private int[] history = new int[0];
    private float[] lastLogits;
    private volatile boolean closed;

    private final long reservedBytes;

    Session(Granite owner, SequenceState state, long reservedBytes) {
        this.owner = owner;
        this.state = state;
        this.reservedBytes = reservedBytes;
    }

    /** Generates for {@code request} and returns when done. */
    public GenerationResult generate(GenerationRequest request) {
        return generate(request, text -> { }, new AtomicBoolean());
    }

    /**
     * Generates for {@code request}, handing each piece of new text to {@code onText} as soon as it is final
     * (whole UTF-8 characters, never part of a stop string). Runs on the calling thread.
     */
    public GenerationResult generate(GenerationRequest request, Consumer<String> onText) {
        return generate(request, onText, new AtomicBoolean());
    }

    /** Starts generating on a new thread; the returned handle streams text, cancels, and gives the result. */
    public Generation start(GenerationRequest request) {
        return Generation.start(this, request);
    }

    /** Feeds a prompt without generating, e.g. a system prompt or document that forks will share. */
    public void prefill(Prompt prompt) {
        Objects.requireNonNull(prompt, "prompt");
        lock();
        try {
            int[] ids = encode(prompt);
            int[] all = Arrays.copyOf(history, history.length + ids.length);
            System.arraycopy(ids, 0, all, history.length, ids.length);
            feedPrompt(all);
        } finally {
            busy.unlock();
        }
    }

    /** An independent copy of this session: same state and history, separate futures. */
    public Session fork() {
        lock();
        try {
            Session s = owner.newSession(state.maxPositions());
            s.state.copyFrom(state);
            s.history = history.clone();
            s.lastLogits = lastLogits == null ? null : lastLogits.clone();
            return s;
        } finally {
            busy.unlock();
        }
    }

    /** A copy of the current state that {@link #restore} can return to (in this or another session of the model). */
    public Snapshot snapshot() {
        lock();
        try {
            return new Snapshot(owner, state.copy(), history.clone(), lastLogits == null ? null : lastLogits.clone());
        } finally {
            busy.unlock();
        }
    }

    /** Returns this session to a snapshot taken from a session of the same model with the same context limit. */
    public void restore(Snapshot snapshot) {
        Objects.requireNonNull(snapshot, "snapshot");
        if (snapshot.owner != owner) {
            throw new IllegalArgumentException("snapshot belongs to another model");
        }
        lock();
        try {
            state.copyFrom(snapshot.state);
            history = snapshot.history.clone();
            lastLogits = snapshot.lastLogits == null ? null : snapshot.lastLogits.clone();
        } finally {
            busy.unlock();
        }
    }

    /** Forgets everything: back to an empty context. */
    public void reset() {
        lock();
        try {
            clear();
        } finally {
            busy.unlock();
        }
    }

    /** Tokens held in the state. */
    public int position() {
        return state.position();
    }

    /** The most tokens this session can hold. */
    public int contextLimit() {
        return state.maxPositions();
    }

    /** The token ids consumed so far. */
    public int[] history() {
        return history.clone();
    }

    /** Bytes of model state held now (Mamba state plus the filled KV cache). */
    public long stateBytes() {
        return state.stateBytes();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        owner.release(reservedBytes);
    }

    /** A saved session state; immutable once taken. */
    public static final class Snapshot {
        private final Granite owner;
        private final SequenceState state;
        private final int[] history;
        private final float[] lastLogits;

        private Snapshot(Granite owner, SequenceState state, int[] history, float[] lastLogits) {
            this.owner = owner;
            this.state = state;
            this.history = history;
            this.lastLogits = lastLogits;
        }

        /** Tokens held by the snapshot. */
        public int position() {
            return state.position();
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    GenerationResult generate(GenerationRequest request, Consumer<String> onText, AtomicBoolean cancelled) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(onText, "onText");
        lock();
        try {
            return run(request, onText, cancelled);
        } finally {
            busy.unlock();
        }
    }

    private void lock() {
        if (closed) {
            throw new IllegalStateException("session is closed");
        }
        if (!busy.tryLock()) {
            throw new IllegalStateException("session is busy with another generation");
        }
    }

    private void clear() {
        if (state.position() > 0) {
            state.copyFrom(owner.model().newState(state.maxPositions()));
        }
        history = new int[0];
        lastLogits = null;
    }

    int[] encode(Prompt prompt) {
        Tokenizer tok = owner.tokenizer();
        return switch (prompt) {
            case Prompt.Tokens t -> t.ids();
            case Prompt.Text t -> t.specialTokensAsText() ? tok.encodeUntrusted(t.text()) : tok.encode(t.text());
            case ChatPrompt c -> c.untrustedContent() ? owner.chat().encodeUntrusted(c.request())
                    : owner.chat().encode(c.request());
        };
    }

    /** Makes the state hold exactly {@code ids}, reusing the held prefix; returns how many tokens were reused. */
    private int feedPrompt(int[] ids) {
        GraniteModel model = owner.model();
        int vocab = model.config().vocabSize();
        checkIds(ids, vocab);
        if (ids.length > state.maxPositions()) {
            throw new ContextOverflowException(0, ids.length, state.maxPositions());
        }
        boolean extends_ = history.length <= ids.length
                && Arrays.equals(history, 0, history.length, ids, 0, history.length);
        if (!extends_ || (history.length == ids.length && lastLogits == null)) {
            clear();
        }
        int reused = history.length;
        if (reused < ids.length) {
            float[] logits = lastLogits != null ? lastLogits : new float[vocab];
            try {
                model.forward(state, ids, reused, ids.length - reused, logits, false);
            } catch (RuntimeException e) {
                clear(); // a half-fed prompt must not survive as state
                throw e;
            }
            lastLogits = logits;
            history = ids.clone();
        }
        return reused;
    }

    private static void checkIds(int[] ids, int vocab) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocab) {
                throw new IllegalArgumentException("prompt token id " + ids[i] + " at index " + i
                        + " is outside the vocabulary [0, " + vocab + ")");
            }
        }
    }

    private GenerationResult run(GenerationRequest request, Consumer<String> onText, AtomicBoolean cancelled) {
        long start = System.nanoTime();
        long deadline = request.timeout().map(d -> start + d.toNanos()).orElse(Long.MAX_VALUE);
        GraniteModel model = owner.model();
        Tokenizer tok = owner.tokenizer();
        int vocab = model.config().vocabSize();
        int[] prompt = encode(request.prompt());
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt is empty");
        }
        Set<Integer> stopTokens = request.stopTokenIds().orElse(owner.defaultStopTokens());
        long seed = request.sampling().seed().orElseGet(() -> ThreadLocalRandom.current().nextLong());
        Sampler sampler = new Sampler(request.sampling(), vocab, seed);
        int reused = feedPrompt(prompt); // validates the ids before anything reads them
        for (int id : prompt) {
            sampler.seen(id);
        }
        long prefillEnd = System.nanoTime();

        StreamingDecoder decoder = tok.newStreamingDecoder(false);
        StopMatcher stops = new StopMatcher(request.stopStrings());
        StringBuilder text = new StringBuilder();
        List<Integer> generated = new ArrayList<>();
        List<TokenLogprob> logprobs = new ArrayList<>();
        float[] work = new float[vocab];
        FinishReason reason = null;
        while (reason == null) {
            if (cancelled.get()) {
                reason = FinishReason.CANCELLED;
                break;
            }
            if (System.nanoTime() > deadline) {
                reason = FinishReason.DEADLINE;
                break;
            }
            if (generated.size() >= request.maxTokens()) {
                reason = FinishReason.LENGTH;
                break;
            }
            System.arraycopy(lastLogits, 0, work, 0, vocab);
            int token = sampler.sample(work);
            if (request.logprobs()) {
                logprobs.add(Logprobs.of(lastLogits, token, request.topLogprobs()));
            }
            if (stopTokens.contains(token)) {
                reason = FinishReason.STOP_TOKEN;
                break;
            }
            generated.add(token);
            sampler.generated(token);
            String delta = stops.accept(decoder.accept(token));
            if (!delta.isEmpty()) {
                text.append(delta);
                onText.accept(delta);
            }
            if (stops.stopped()) {
                reason = FinishReason.STOP_STRING;
                break;
            }
            if (generated.size() >= request.maxTokens()) {
                reason = FinishReason.LENGTH;
                break;
            }
            if (state.position() >= state.maxPositions()) {
                reason = FinishReason.CONTEXT_FULL;
                break;
            }
            try {
                owner.scheduler().step(state, token, lastLogits);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                reason = FinishReason.CANCELLED;
                break;
            }
            history = Arrays.copyOf(history, history.length + 1);
            history[history.length - 1] = token;
        }
        if (reason != FinishReason.STOP_STRING) {
            String rest = stops.accept(decoder.flush()) + stops.flush();
            if (!rest.isEmpty()) {
                text.append(rest);
                onText.accept(rest);
            }
        }
        long end = System.nanoTime();
        int[] ids = generated.stream().mapToInt(Integer::intValue).toArray();
        Usage usage = new Usage(prompt.length, reused, ids.length, Duration.ofNanos(prefillEnd - start),
                Duration.ofNanos(end - prefillEnd));
        return result(text.toString(), ids, reason, usage, logprobs, seed);
    }

    /**
     * The result of a finished generation: tool calls are parsed from the text, and a turn that ended on its
     * stop token after calling tools finishes with {@link FinishReason#TOOL_CALLS}.
     */
    static GenerationResult result(String text, int[] ids, FinishReason reason, Usage usage,
                                   List<TokenLogprob> logprobs, long seed) {
        ToolCallParser.Result tools = ToolCallParser.parse(text);
        if (reason == FinishReason.STOP_TOKEN && tools.hasToolCalls()) {
            reason = FinishReason.TOOL_CALLS;
        }
        return new GenerationResult(text, ids, reason, tools.calls(), tools.errors(), usage, logprobs, seed);
    }
}
