package dev.granitej.sig;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.granitej.sig.ModelVerificationException.Reason;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Strict JSON access for signature material: duplicate keys are rejected (Python keeps the last one, so accepting
 * them would allow a parser differential), trailing content is rejected, nesting is bounded, and every accessor names
 * the missing or mistyped field.
 */
final class StrictJson {

    // Immutable after construction; ObjectMapper is thread-safe for reads.
    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(64)
                    .maxStringLength(32 << 20)
                    .maxNumberLength(64)
                    .build())
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private StrictJson() {
    }

    /** Parses {@code bytes}; {@code what} names the document in errors. */
    static JsonNode parse(byte[] bytes, String what, Reason malformed) throws ModelVerificationException {
        if (bytes.length == 0) {
            throw new ModelVerificationException(malformed, what + " is empty");
        }
        try {
            JsonNode node = MAPPER.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw new ModelVerificationException(malformed, what + " is not a JSON object");
            }
            return node;
        } catch (StreamReadException e) {
            if (e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Duplicate field")) {
                throw new ModelVerificationException(Reason.DUPLICATE_JSON_KEY,
                        what + " has a duplicate key: " + e.getOriginalMessage(), e);
            }
            throw new ModelVerificationException(malformed, what + " is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ModelVerificationException(malformed, what + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    static JsonNode object(JsonNode parent, String field, String where, Reason reason) throws ModelVerificationException {
        JsonNode n = parent.get(field);
        if (n == null || !n.isObject()) {
            throw new ModelVerificationException(reason, where + " lacks object field '" + field + "'");
        }
        return n;
    }

    /** A present, non-null object field, or {@code null} when absent or JSON null. */
    static JsonNode optionalObject(JsonNode parent, String field, String where, Reason reason)
            throws ModelVerificationException {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isObject()) {
            throw new ModelVerificationException(reason, where + "." + field + " is not an object");
        }
        return n;
    }

    static List<JsonNode> array(JsonNode parent, String field, String where, Reason reason)
            throws ModelVerificationException {
        JsonNode n = parent.get(field);
        if (n == null || !n.isArray()) {
            throw new ModelVerificationException(reason, where + " lacks array field '" + field + "'");
        }
        List<JsonNode> out = new ArrayList<>(n.size());
        n.forEach(out::add);
        return out;
    }

    static String text(JsonNode parent, String field, String where, Reason reason) throws ModelVerificationException {
        JsonNode n = parent.get(field);
        if (n == null || !n.isTextual()) {
            throw new ModelVerificationException(reason, where + " lacks string field '" + field + "'");
        }
        return n.textValue();
    }

    static String optionalText(JsonNode parent, String field, String where, Reason reason)
            throws ModelVerificationException {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new ModelVerificationException(reason, where + "." + field + " is not a string");
        }
        return n.textValue();
    }

    /** An int64 in the protobuf JSON mapping: a decimal string, or a JSON integer. */
    static long int64(JsonNode parent, String field, String where, Reason reason) throws ModelVerificationException {
        JsonNode n = parent.get(field);
        try {
            if (n != null && n.isTextual() && n.textValue().matches("-?[0-9]{1,19}")) {
                return Long.parseLong(n.textValue());
            }
            if (n != null && n.canConvertToExactIntegral() && n.canConvertToLong()) {
                return n.asLong();
            }
        } catch (NumberFormatException e) {
            // falls through to the error below
        }
        throw new ModelVerificationException(reason, where + " lacks integer field '" + field + "'");
    }

    /** A protobuf {@code bytes} field: standard base64, or the URL-safe alphabet. */
    static byte[] base64(JsonNode parent, String field, String where, Reason reason) throws ModelVerificationException {
        return decodeBase64(text(parent, field, where, reason), where + "." + field, reason);
    }

    static byte[] decodeBase64(String s, String where, Reason reason) throws ModelVerificationException {
        try {
            boolean urlSafe = s.indexOf('-') >= 0 || s.indexOf('_') >= 0;
            return (urlSafe ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(s);
        } catch (IllegalArgumentException e) {
            throw new ModelVerificationException(reason, where + " is not valid base64", e);
        }
    }
}
