package dev.granitej.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads a Hugging Face {@code tokenizer.json} into the parts of a {@link Tokenizer}, rejecting every component
 * it does not implement with a message that names it (never a silently different encoding).
 */
final class TokenizerJson {

    private TokenizerJson() {}

    static Tokenizer load(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.newInputStream(file));
        } catch (IOException e) {
            throw new TokenizerLoadException("cannot read tokenizer file " + file + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new TokenizerLoadException(file + ": not a JSON object");
        }
        return parse(root, file.toString());
    }

    static Tokenizer parse(JsonNode root, String source) {
        JsonNode model = root.path("model");
        String modelType = model.path("type").asText("BPE");
        if (!model.isObject() || !"BPE".equals(modelType)) {
            throw unsupported(source, "model.type", modelType);
        }
        if (model.path("byte_fallback").asBoolean(false)) {
            throw unsupported(source, "model.byte_fallback", "true");
        }
        if (!model.path("dropout").isNull() && !model.path("dropout").isMissingNode()) {
            throw unsupported(source, "model.dropout", model.path("dropout").toString());
        }
        for (String affix : List.of("continuing_subword_prefix", "end_of_word_suffix")) {
            JsonNode v = model.path(affix);
            if (v.isTextual() && !v.asText().isEmpty()) {
                throw unsupported(source, "model." + affix, v.asText());
            }
        }
        Map<String, Integer> vocab = readVocab(model.path("vocab"), source);
        MergeTable merges = readMerges(model.path("merges"), vocab, source);
        int unkId = -1;
        JsonNode unk = model.path("unk_token");
        if (unk.isTextual()) {
            Integer id = vocab.get(unk.asText());
            if (id == null) {
                throw new TokenizerLoadException(source + ": model.unk_token '" + unk.asText() + "' is not in the vocab");
            }
            unkId = id;
        }
        BpeModel bpe = new BpeModel(vocab, merges, model.path("ignore_merges").asBoolean(false), unkId,
                model.path("fuse_unk").asBoolean(false), true);

        List<AddedToken> added = readAddedTokens(root.path("added_tokens"), source);
        TextNormalizer normalizer = readNormalizer(root.path("normalizer"), source);
        PreTokenizer preTokenizer = readPreTokenizerPipeline(root.path("pre_tokenizer"), source);
        checkPostProcessor(root.path("post_processor"), source);
        checkDecoder(root.path("decoder"), source);
        return new Tokenizer(vocab, bpe, added, normalizer, preTokenizer);
    }

    private static TokenizerLoadException unsupported(String source, String field, String value) {
        return new TokenizerLoadException(source + ": unsupported tokenizer component " + field + " = " + value
                + " (supported: byte-level BPE with normalizer none/NFC/NFD/NFKC/NFKD, pre-tokenizers Sequence/Split/"
                + "ByteLevel/Digits, decoder ByteLevel, post-processor ByteLevel/none)");
    }

    private static Map<String, Integer> readVocab(JsonNode vocabNode, String source) {
        if (!vocabNode.isObject()) {
            throw new TokenizerLoadException(source + ": model.vocab must be an object of token -> id");
        }
        Map<String, Integer> vocab = new HashMap<>(vocabNode.size() * 2);
        for (Iterator<Map.Entry<String, JsonNode>> it = vocabNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().canConvertToInt() || e.getValue().asInt() < 0) {
                throw new TokenizerLoadException(source + ": model.vocab entry '" + e.getKey() + "' has invalid id "
                        + e.getValue());
            }
            vocab.put(e.getKey(), e.getValue().asInt());
        }
        return vocab;
    }

    private static MergeTable readMerges(JsonNode mergesNode, Map<String, Integer> vocab, String source) {
        if (mergesNode.isMissingNode() || mergesNode.isNull()) {
            return new MergeTable.Builder(0).build();
        }
        if (!mergesNode.isArray()) {
            throw new TokenizerLoadException(source + ": model.merges must be an array");
        }
        MergeTable.Builder builder = new MergeTable.Builder(mergesNode.size());
        int rank = 0;
        for (JsonNode merge : mergesNode) {
            String left;
            String right;
            if (merge.isTextual()) {
                String s = merge.asText();
                int space = s.indexOf(' ');
                if (space < 0 || s.indexOf(' ', space + 1) >= 0) {
                    throw new TokenizerLoadException(source + ": model.merges[" + rank + "] '" + s
                            + "' is not two tokens separated by one space");
                }
                left = s.substring(0, space);
                right = s.substring(space + 1);
            } else if (merge.isArray() && merge.size() == 2 && merge.get(0).isTextual() && merge.get(1).isTextual()) {
                left = merge.get(0).asText();
                right = merge.get(1).asText();
            } else {
                throw new TokenizerLoadException(source + ": model.merges[" + rank + "] must be \"a b\" or [\"a\", \"b\"]: "
                        + merge);
            }
            Integer l = vocab.get(left);
            Integer r = vocab.get(right);
            Integer m = vocab.get(left + right);
            if (l == null || r == null || m == null) {
                throw new TokenizerLoadException(source + ": model.merges[" + rank + "] (" + left + ", " + right
                        + ") uses a token that is not in the vocab");
            }
            builder.put(l, r, rank, m);
            rank++;
        }
        return builder.build();
    }

    private static List<AddedToken> readAddedTokens(JsonNode node, String source) {
        List<AddedToken> tokens = new ArrayList<>();
        if (node.isMissingNode() || node.isNull()) {
            return tokens;
        }
        for (JsonNode t : node) {
            if (!t.path("id").canConvertToInt() || !t.path("content").isTextual()) {
                throw new TokenizerLoadException(source + ": added_tokens entry needs an integer id and a content: " + t);
            }
            tokens.add(new AddedToken(t.path("id").asInt(), t.path("content").asText(), t.path("special").asBoolean(false),
                    t.path("single_word").asBoolean(false), t.path("lstrip").asBoolean(false),
                    t.path("rstrip").asBoolean(false), t.path("normalized").asBoolean(!t.path("special").asBoolean(false))));
        }
        return tokens;
    }

    private static TextNormalizer readNormalizer(JsonNode node, String source) {
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        List<java.text.Normalizer.Form> forms = new ArrayList<>();
        collectNormalizer(node, forms, source);
        return forms.isEmpty() ? null : new TextNormalizer(forms);
    }

    private static void collectNormalizer(JsonNode node, List<java.text.Normalizer.Form> forms, String source) {
        String type = node.path("type").asText("");
        switch (type) {
            case "NFC", "NFD", "NFKC", "NFKD" -> forms.add(java.text.Normalizer.Form.valueOf(type));
            case "Sequence" -> {
                for (JsonNode n : node.path("normalizers")) {
                    collectNormalizer(n, forms, source);
                }
            }
            default -> throw unsupported(source, "normalizer.type", type);
        }
    }

    private static PreTokenizer readPreTokenizerPipeline(JsonNode node, String source) {
        List<JsonNode> steps = new ArrayList<>();
        if (node.isMissingNode() || node.isNull()) {
            throw unsupported(source, "pre_tokenizer", "null (a ByteLevel pre-tokenizer is required for byte-level BPE)");
        }
        flatten(node, steps);
        List<PreTokenizer> built = new ArrayList<>();
        for (JsonNode step : steps) {
            built.add(readPreTokenizer(step, source));
        }
        int byteLevel = -1;
        for (int i = 0; i < steps.size(); i++) {
            if ("ByteLevel".equals(steps.get(i).path("type").asText())) {
                if (byteLevel >= 0) {
                    throw unsupported(source, "pre_tokenizer", "more than one ByteLevel step");
                }
                byteLevel = i;
            }
        }
        if (byteLevel < 0) {
            throw unsupported(source, "pre_tokenizer", "no ByteLevel step (only byte-level BPE is supported)");
        }
        if (byteLevel != steps.size() - 1) {
            // After ByteLevel the text is in the byte alphabet; later splits would see mapped characters.
            throw unsupported(source, "pre_tokenizer", "a step after ByteLevel ("
                    + steps.get(byteLevel + 1).path("type").asText() + ")");
        }
        if (built.size() > 1 && built.get(byteLevel) instanceof PreTokenizer.ByteLevel b && !b.addPrefixSpace()
                && !b.useRegex()) {
            built.remove(byteLevel); // passes pieces through unchanged; its byte mapping is done by the BPE stage
        }
        return built.size() == 1 ? built.get(0) : new PreTokenizer.Sequence(built);
    }

    private static void flatten(JsonNode node, List<JsonNode> out) {
        if ("Sequence".equals(node.path("type").asText())) {
            for (JsonNode n : node.path("pretokenizers")) {
                flatten(n, out);
            }
        } else {
            out.add(node);
        }
    }

    private static PreTokenizer readPreTokenizer(JsonNode node, String source) {
        String type = node.path("type").asText("");
        return switch (type) {
            case "ByteLevel" -> new PreTokenizer.ByteLevel(node.path("add_prefix_space").asBoolean(true),
                    node.path("use_regex").asBoolean(true));
            case "Digits" -> new PreTokenizer.Digits(node.path("individual_digits").asBoolean(false));
            case "Split" -> readSplit(node, source);
            default -> throw unsupported(source, "pre_tokenizer.type", type);
        };
    }

    private static PreTokenizer readSplit(JsonNode node, String source) {
        JsonNode pattern = node.path("pattern");
        Pattern compiled;
        if (pattern.path("Regex").isTextual()) {
            String regex = pattern.path("Regex").asText();
            try {
                compiled = Pattern.compile(OnigurumaSyntax.toJava(regex), Pattern.UNICODE_CHARACTER_CLASS);
            } catch (PatternSyntaxException e) {
                throw new TokenizerLoadException(source + ": pre_tokenizer Split regex cannot be compiled: " + regex, e);
            }
        } else if (pattern.path("String").isTextual()) {
            compiled = Pattern.compile(Pattern.quote(pattern.path("String").asText()));
        } else {
            throw new TokenizerLoadException(source + ": pre_tokenizer Split needs pattern {\"Regex\": …} or {\"String\": …}: "
                    + pattern);
        }
        String behavior = node.path("behavior").asText("");
        PreTokenizer.Behavior b = switch (behavior) {
            case "Removed" -> PreTokenizer.Behavior.REMOVED;
            case "Isolated" -> PreTokenizer.Behavior.ISOLATED;
            case "MergedWithPrevious" -> PreTokenizer.Behavior.MERGED_WITH_PREVIOUS;
            case "MergedWithNext" -> PreTokenizer.Behavior.MERGED_WITH_NEXT;
            case "Contiguous" -> PreTokenizer.Behavior.CONTIGUOUS;
            default -> throw unsupported(source, "pre_tokenizer Split.behavior", behavior);
        };
        PreTokenizer.Split split = new PreTokenizer.Split(compiled, b, node.path("invert").asBoolean(false));
        if (pattern.path("Regex").asText("").equals(Cl100kSplitter.PATTERN) && b == PreTokenizer.Behavior.ISOLATED
                && !split.invert()) {
            return new PreTokenizer.Cl100kSplit(split);
        }
        return split;
    }

    private static void checkPostProcessor(JsonNode node, String source) {
        if (node.isMissingNode() || node.isNull()) {
            return;
        }
        String type = node.path("type").asText("");
        if (!"ByteLevel".equals(type)) {
            throw unsupported(source, "post_processor.type", type);
        }
    }

    private static void checkDecoder(JsonNode node, String source) {
        String type = node.path("type").asText("null");
        if (!"ByteLevel".equals(type)) {
            throw unsupported(source, "decoder.type", type.toLowerCase(Locale.ROOT).equals("null") ? "null" : type);
        }
    }
}
