package dev.granitej.tokenizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.HashMap;

/**
 * A Hugging Face byte-level BPE tokenizer loaded from {@code tokenizer.json}, reproducing HF {@code tokenizers}
 * id for id: added tokens are cut out first (leftmost-longest), the rest is normalized, pre-tokenized (regex
 * splits on the original text), mapped to UTF-8 bytes and merged by BPE. No BOS/EOS is added.
 *
 * <p>Immutable and thread-safe; the only shared mutable state is a bounded concurrent cache of piece encodings.
 */
public final class Tokenizer {

    private final Map<String, Integer> vocab;
    private final BpeModel model;
    private final List<AddedToken> addedTokens;
    private final Map<String, AddedToken> addedByContent;
    private final AddedTokenMatcher rawMatcher;
    private final AddedTokenMatcher normalizedMatcher;
    private final TextNormalizer normalizer;
    private final PreTokenizer preTokenizer;
    private final String[] idToToken;
    private final byte[][] idToBytes;
    private final boolean[] special;

    Tokenizer(Map<String, Integer> vocab, BpeModel model, List<AddedToken> addedTokens, TextNormalizer normalizer,
              PreTokenizer preTokenizer) {
        this.vocab = Map.copyOf(vocab);
        this.model = model;
        this.addedTokens = List.copyOf(addedTokens);
        this.normalizer = normalizer;
        this.preTokenizer = preTokenizer;
        Map<String, AddedToken> byContent = new HashMap<>();
        List<AddedToken> raw = new ArrayList<>();
        List<AddedToken> normalized = new ArrayList<>();
        int maxId = -1;
        for (int id : vocab.values()) {
            maxId = Math.max(maxId, id);
        }
        for (AddedToken t : addedTokens) {
            byContent.put(t.content(), t);
            (t.normalized() && normalizer != null ? normalized : raw).add(t);
            maxId = Math.max(maxId, t.id());
        }
        this.addedByContent = Map.copyOf(byContent);
        this.rawMatcher = new AddedTokenMatcher(raw);
        this.normalizedMatcher = new AddedTokenMatcher(normalized);
        this.idToToken = new String[maxId + 1];
        this.idToBytes = new byte[maxId + 1][];
        this.special = new boolean[maxId + 1];
        vocab.forEach((token, id) -> idToToken[id] = token);
        for (AddedToken t : addedTokens) {
            idToToken[t.id()] = t.content();
            special[t.id()] = t.special();
        }
        for (int id = 0; id <= maxId; id++) {
            if (idToToken[id] != null) {
                // HF's ByteLevel decoder maps added-token text through the byte alphabet too.
                idToBytes[id] = ByteLevelAlphabet.decodeToken(idToToken[id]);
            }
        }
    }

    /** Loads a {@code tokenizer.json}. @throws TokenizerLoadException if it is malformed or uses unsupported parts */
    public static Tokenizer fromFile(Path tokenizerJson) {
        return TokenizerJson.load(tokenizerJson);
    }

    /** Encodes text, recognising every added token (special or not), as HF's {@code encode(text, add_special_tokens=False)}. */
    public int[] encode(String text) {
        return encode(text, AddedTokenPolicy.RECOGNIZE_ALL);
    }

    /** Encodes untrusted text: added-token strings such as {@code <|start_of_role|>} are encoded as ordinary text. */
    public int[] encodeUntrusted(String text) {
        return encode(text, AddedTokenPolicy.ALL_AS_TEXT);
    }

    /** Encodes text, recognising the added tokens the policy allows. */
    public int[] encode(String text, AddedTokenPolicy policy) {
        return encode(text, policy, null);
    }

    /**
     * Encodes text recognising all added tokens except inside {@code plainRanges}: sorted, non-overlapping
     * {@code [start, end)} char ranges, given as consecutive pairs, where added-token text counts as plain text.
     * Used to encode a rendered chat prompt whose message contents are untrusted.
     */
    public int[] encodeWithPlainRanges(String text, int[] plainRanges) {
        return encode(text, AddedTokenPolicy.RECOGNIZE_ALL, plainRanges.clone());
    }

    private int[] encode(String text, AddedTokenPolicy policy, int[] plainRanges) {
        IntList out = new IntList(text.length() / 3 + 4);
        BpeModel.Scratch scratch = new BpeModel.Scratch();
        PreTokenizer.Sink toModel = (t, s, e) -> model.encode(t, s, e, scratch, out);
        int pos = 0;
        int len = text.length();
        while (pos < len) {
            AddedTokenMatcher.Match m = rawMatcher.find(text, pos, len, policy, plainRanges);
            int segmentEnd = m == null ? len : m.start();
            if (segmentEnd > pos) {
                encodeSegment(text.substring(pos, segmentEnd), policy, toModel, out);
            }
            if (m == null) {
                break;
            }
            out.add(m.token().id());
            pos = m.end();
        }
        return out.toArray();
    }

    /** Normalizes one stretch of text between raw added tokens, cuts out normalized added tokens, pre-tokenizes. */
    private void encodeSegment(String segment, AddedTokenPolicy policy, PreTokenizer.Sink toModel, IntList out) {
        String text = normalizer == null ? segment : normalizer.apply(segment);
        int pos = 0;
        int len = text.length();
        while (pos < len) {
            AddedTokenMatcher.Match m = normalizedMatcher.find(text, pos, len, policy, null);
            int end = m == null ? len : m.start();
            if (end > pos) {
                preTokenizer.split(text, pos, end, toModel);
            }
            if (m == null) {
                break;
            }
            out.add(m.token().id());
            pos = m.end();
        }
    }

    /**
     * Decodes ids to text like HF {@code decode}: the bytes of all kept tokens are joined and decoded as UTF-8,
     * invalid or truncated sequences becoming U+FFFD. With {@code skipSpecialTokens}, added tokens marked
     * {@code special} are dropped first. Ids that name no token are ignored, as HF does.
     */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        int total = 0;
        for (int id : ids) {
            byte[] b = bytesOf(id, skipSpecialTokens);
            total += b == null ? 0 : b.length;
        }
        byte[] buf = new byte[total];
        int n = 0;
        for (int id : ids) {
            byte[] b = bytesOf(id, skipSpecialTokens);
            if (b != null) {
                System.arraycopy(b, 0, buf, n, b.length);
                n += b.length;
            }
        }
        return Utf8.decodeLossy(buf, n);
    }

    /** The bytes a token contributes to decoded text, or null when it contributes nothing. */
    byte[] bytesOf(int id, boolean skipSpecialTokens) {
        if (id < 0 || id >= idToBytes.length || (skipSpecialTokens && special[id])) {
            return null;
        }
        return idToBytes[id];
    }

    /** A decoder for generated ids that emits text only once its UTF-8 sequences are complete. */
    public StreamingDecoder newStreamingDecoder(boolean skipSpecialTokens) {
        return new StreamingDecoder(this, skipSpecialTokens);
    }

    /** One more than the largest id of the vocab and the added tokens. */
    public int vocabSize() {
        return idToToken.length;
    }

    /** The id of a token given in its stored form (added-token text, or a byte-level vocab string such as {@code Ġthe}). */
    public OptionalInt tokenId(String token) {
        AddedToken added = addedByContent.get(token);
        if (added != null) {
            return OptionalInt.of(added.id());
        }
        Integer id = vocab.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** The stored form of a token. @throws IllegalArgumentException if the id names no token */
    public String token(int id) {
        if (id < 0 || id >= idToToken.length || idToToken[id] == null) {
            throw new IllegalArgumentException("token id " + id + " is not in the vocabulary (size " + vocabSize() + ")");
        }
        return idToToken[id];
    }

    /** Whether the id is an added token marked special (dropped by {@code skipSpecialTokens} decoding). */
    public boolean isSpecial(int id) {
        return id >= 0 && id < special.length && special[id];
    }

    /** The added tokens, by id. */
    public List<AddedToken> addedTokens() {
        return addedTokens.stream().sorted(Comparator.comparingInt(AddedToken::id)).toList();
    }

    /**
     * A copy of this tokenizer that keeps no cache of piece encodings: the same ids, no shared mutable state,
     * and the cost of every piece paid each time (what benchmarks of the algorithm itself should measure).
     */
    public Tokenizer withoutCache() {
        return new Tokenizer(vocab, model.withoutCache(), addedTokens, normalizer, preTokenizer);
    }
}
