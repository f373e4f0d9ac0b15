package dev.granitej.sig;

import com.fasterxml.jackson.databind.JsonNode;
import dev.granitej.sig.ModelVerificationException.Reason;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import static dev.granitej.sig.ModelVerificationException.Reason.STATEMENT_INVALID;

/**
 * The signed in-toto statement with the model-signing v1.0 predicate: which files (or file shards) the signature
 * covers and their SHA-256 digests, in payload order.
 *
 * @param shardSize   the shard size for method {@code shards}, 0 for {@code files}
 * @param ignorePaths the paths the signer excluded ({@code serialization.ignore_paths}, v1.1.0 and later)
 */
record SignedManifest(String rootDigest, boolean sharded, long shardSize, boolean allowSymlinks,
                      List<String> ignorePaths, List<Resource> resources) {

    static final String STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
    static final String PREDICATE_V1 = "https://model_signing/signature/v1.0";
    static final String LEGACY_PREDICATE = "https://model_signing/Digests/v0.1";

    /**
     * One signed resource: a whole file ({@code start == 0, end == -1}) or the byte range {@code [start, end)}.
     *
     * @param path the file's relative, '/'-separated name ({@code "."} for a single-file model)
     */
    record Resource(String path, long start, long end, byte[] digest) {
        boolean wholeFile() {
            return end < 0;
        }
    }

    /** True when the (not yet authenticated) payload uses the deprecated v0.2.0 layout. */
    static boolean isLegacy(byte[] payload) {
        try {
            JsonNode n = StrictJson.parse(payload, "statement", STATEMENT_INVALID);
            return LEGACY_PREDICATE.equals(n.path("predicateType").asText());
        } catch (ModelVerificationException e) {
            return false;
        }
    }

    static SignedManifest parse(byte[] payload) throws ModelVerificationException {
        JsonNode st = StrictJson.parse(payload, "in-toto statement", STATEMENT_INVALID);
        String type = StrictJson.text(st, "_type", "statement", STATEMENT_INVALID);
        if (!STATEMENT_TYPE.equals(type)) {
            throw new ModelVerificationException(STATEMENT_INVALID, "statement _type '" + type + "' is not "
                    + STATEMENT_TYPE);
        }
        String predicateType = StrictJson.text(st, "predicateType", "statement", STATEMENT_INVALID);
        if (LEGACY_PREDICATE.equals(predicateType)) {
            throw new ModelVerificationException(Reason.UNSUPPORTED_LEGACY_FORMAT,
                    "unsupported legacy bundle format (model_signing v0.2.0, " + LEGACY_PREDICATE + ")");
        }
        if (!PREDICATE_V1.equals(predicateType)) {
            throw new ModelVerificationException(STATEMENT_INVALID,
                    "predicate type '" + predicateType + "' is not " + PREDICATE_V1);
        }
        List<JsonNode> subjects = StrictJson.array(st, "subject", "statement", STATEMENT_INVALID);
        if (subjects.size() != 1) {
            throw new ModelVerificationException(STATEMENT_INVALID,
                    "statement has " + subjects.size() + " subjects, exactly one is required");
        }
        String rootDigest = StrictJson.text(StrictJson.object(subjects.getFirst(), "digest", "subject",
                STATEMENT_INVALID), "sha256", "subject.digest", STATEMENT_INVALID);
        hexDigest(rootDigest, "subject digest");

        JsonNode predicate = StrictJson.object(st, "predicate", "statement", STATEMENT_INVALID);
        JsonNode ser = StrictJson.object(predicate, "serialization", "predicate", STATEMENT_INVALID);
        String method = StrictJson.text(ser, "method", "serialization", STATEMENT_INVALID);
        String hashType = StrictJson.text(ser, "hash_type", "serialization", STATEMENT_INVALID);
        if (!hashType.equals("sha256")) {
            throw new ModelVerificationException(Reason.UNSUPPORTED_HASH_ALGORITHM,
                    "hash type '" + hashType + "' is not supported (only sha256)");
        }
        boolean sharded = switch (method) {
            case "files" -> false;
            case "shards" -> true;
            default -> throw new ModelVerificationException(Reason.UNSUPPORTED_HASH_ALGORITHM,
                    "serialization method '" + method + "' is not supported (files, shards)");
        };
        long shardSize = sharded ? shardSize(ser) : 0;
        JsonNode symlinks = ser.get("allow_symlinks");
        if (symlinks != null && !symlinks.isBoolean()) {
            throw new ModelVerificationException(STATEMENT_INVALID, "serialization.allow_symlinks is not a boolean");
        }
        List<String> ignore = new ArrayList<>();
        if (ser.has("ignore_paths")) {
            for (JsonNode p : StrictJson.array(ser, "ignore_paths", "serialization", STATEMENT_INVALID)) {
                if (!p.isTextual()) {
                    throw new ModelVerificationException(STATEMENT_INVALID, "ignore_paths has a non-string entry");
                }
                checkPath(p.textValue(), false, STATEMENT_INVALID);
                ignore.add(p.textValue());
            }
        }

        List<JsonNode> nodes = StrictJson.array(predicate, "resources", "predicate", STATEMENT_INVALID);
        if (nodes.isEmpty()) {
            throw new ModelVerificationException(STATEMENT_INVALID, "predicate lists no resources");
        }
        List<Resource> resources = new ArrayList<>(nodes.size());
        Set<String> names = new HashSet<>();
        ByteArrayOutputStream concatenated = new ByteArrayOutputStream(nodes.size() * 32);
        for (JsonNode r : nodes) {
            if (!r.isObject()) {
                throw new ModelVerificationException(STATEMENT_INVALID, "a resource is not an object");
            }
            String name = StrictJson.text(r, "name", "resource", STATEMENT_INVALID);
            String algorithm = StrictJson.text(r, "algorithm", "resource " + name, STATEMENT_INVALID);
            boolean algorithmOk = algorithm.equals(hashType)
                    || (sharded && algorithm.equals(hashType + "-sharded-" + shardSize));
            if (!algorithmOk) {
                throw new ModelVerificationException(Reason.UNSUPPORTED_HASH_ALGORITHM,
                        "resource " + name + " uses algorithm '" + algorithm + "', expected " + hashType);
            }
            byte[] digest = hexDigest(StrictJson.text(r, "digest", "resource " + name, STATEMENT_INVALID),
                    "digest of " + name);
            if (!names.add(name)) {
                throw new ModelVerificationException(Reason.RESOURCE_NAME_INVALID, "resource '" + name
                        + "' is listed twice");
            }
            resources.add(sharded ? shard(name, digest) : wholeFile(name, digest));
            concatenated.writeBytes(digest);
        }
        // The root digest covers the raw digests in payload order (never re-sorted: sort orders differ).
        byte[] root = Crypto.sha256(concatenated.toByteArray());
        if (!MessageDigest.isEqual(root, HexFormat.of().parseHex(rootDigest))) {
            throw new ModelVerificationException(Reason.ROOT_DIGEST_MISMATCH,
                    "subject digest " + rootDigest + " does not match the resources (" + Crypto.hex(root) + ")");
        }
        return new SignedManifest(rootDigest, sharded, shardSize, symlinks != null && symlinks.booleanValue(),
                List.copyOf(ignore), List.copyOf(resources));
    }

    private static Resource wholeFile(String name, byte[] digest) throws ModelVerificationException {
        checkPath(name, true, Reason.RESOURCE_NAME_INVALID);
        return new Resource(name, 0, -1, digest);
    }

    /** Shard names are {@code path:start:end}; the path may itself contain ':' so the last two fields are split. */
    private static Resource shard(String name, byte[] digest) throws ModelVerificationException {
        int b = name.lastIndexOf(':');
        int a = b > 0 ? name.lastIndexOf(':', b - 1) : -1;
        if (a <= 0) {
            throw new ModelVerificationException(Reason.RESOURCE_NAME_INVALID,
                    "shard resource '" + name + "' is not path:start:end");
        }
        String path = name.substring(0, a);
        checkPath(path, true, Reason.RESOURCE_NAME_INVALID);
        try {
            long start = Long.parseLong(name.substring(a + 1, b));
            long end = Long.parseLong(name.substring(b + 1));
            if (start < 0 || end <= start) {
                throw new NumberFormatException("empty or negative range");
            }
            return new Resource(path, start, end, digest);
        } catch (NumberFormatException e) {
            throw new ModelVerificationException(Reason.RESOURCE_NAME_INVALID,
                    "shard resource '" + name + "' has a bad byte range", e);
        }
    }

    private static long shardSize(JsonNode ser) throws ModelVerificationException {
        JsonNode n = ser.get("shard_size");
        // Python writes shard_size through a protobuf Struct, i.e. as a float such as 1000000000.0.
        if (n == null || !n.isNumber() || !n.canConvertToExactIntegral() || n.asLong() <= 0) {
            throw new ModelVerificationException(STATEMENT_INVALID, "serialization.shard_size is not a positive integer");
        }
        return n.asLong();
    }

    private static byte[] hexDigest(String hex, String what) throws ModelVerificationException {
        if (!hex.matches("[0-9a-f]{64}")) {
            throw new ModelVerificationException(STATEMENT_INVALID, what + " is not 64 lowercase hex digits");
        }
        return HexFormat.of().parseHex(hex);
    }

    /**
     * Requires a canonical relative POSIX path: no empty, {@code .} or {@code ..} components, no leading or trailing
     * '/', no backslash or NUL. {@code "."} alone names a single-file model when {@code allowDot}.
     */
    static void checkPath(String name, boolean allowDot, Reason reason) throws ModelVerificationException {
        if (allowDot && name.equals(".")) {
            return;
        }
        boolean bad = name.isEmpty() || name.startsWith("/") || name.endsWith("/") || name.indexOf('\\') >= 0
                || name.indexOf('\0') >= 0;
        if (!bad) {
            for (String part : name.split("/", -1)) {
                if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                    bad = true;
                    break;
                }
            }
        }
        if (bad) {
            throw new ModelVerificationException(reason, "path '" + name + "' is not a canonical relative path");
        }
    }
}
