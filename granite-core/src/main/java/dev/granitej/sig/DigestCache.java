package dev.granitej.sig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.granitej.sig.ModelVerificationException.Reason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Remembers the digests of files that were part of a positive verdict, so that loading an unchanged checkpoint again
 * does not re-read tens of gigabytes. An entry is used only when the bundle digest, the model root, and the file's
 * path, size, modification time, change time and file key all equal what was recorded, and the file had not changed
 * within {@code raceMarginMillis} before it was hashed (file times are coarse, so a write in the same tick as the
 * hashing could otherwise go unnoticed). The signature and manifest are always checked again; only hashing is saved.
 */
final class DigestCache {

    private static final Logger LOG = LoggerFactory.getLogger(DigestCache.class);
    private static final int FORMAT = 1;
    private static final int MAX_BYTES = 64 << 20;
    static final long DEFAULT_RACE_MARGIN_MILLIS = 2_000;

    /** A remembered file digest. */
    record Entry(FileKey key, String sha256) {
    }

    private final Path file;
    private final String bundleSha256;
    private final String modelRoot;
    private final long raceMarginMillis;
    private final Map<String, Entry> entries;
    private final long recordedAtMillis;

    private DigestCache(Path file, String bundleSha256, String modelRoot, long raceMarginMillis,
                        Map<String, Entry> entries, long recordedAtMillis) {
        this.file = file;
        this.bundleSha256 = bundleSha256;
        this.modelRoot = modelRoot;
        this.raceMarginMillis = raceMarginMillis;
        this.entries = entries;
        this.recordedAtMillis = recordedAtMillis;
    }

    /** Opens (reads if present) the cache for one model and bundle; an unreadable cache is treated as empty. */
    static DigestCache open(Path dir, String bundleSha256, Path modelRoot, long raceMarginMillis) {
        String root = modelRoot.toAbsolutePath().normalize().toString();
        Path file = dir.resolve(Crypto.hex(Crypto.sha256((bundleSha256 + "\0" + root)
                .getBytes(StandardCharsets.UTF_8))).substring(0, 32) + ".json");
        Map<String, Entry> entries = new HashMap<>();
        long recordedAt = 0;
        try {
            if (Files.isRegularFile(file) && Files.size(file) <= MAX_BYTES) {
                JsonNode n = StrictJson.parse(Files.readAllBytes(file), "digest cache", Reason.BUNDLE_MALFORMED);
                if (n.path("format").asInt() == FORMAT && bundleSha256.equals(n.path("bundleSha256").asText())
                        && root.equals(n.path("modelRoot").asText())) {
                    recordedAt = n.path("recordedAtMillis").asLong();
                    for (Iterator<Map.Entry<String, JsonNode>> it = n.path("files").fields(); it.hasNext(); ) {
                        Map.Entry<String, JsonNode> e = it.next();
                        JsonNode f = e.getValue();
                        entries.put(e.getKey(), new Entry(new FileKey(f.path("size").asLong(-1),
                                f.path("mtimeNanos").asLong(), f.path("ctimeNanos").asLong(),
                                f.path("fileKey").asText()), f.path("sha256").asText()));
                    }
                }
            }
        } catch (IOException | ModelVerificationException e) {
            LOG.debug("ignoring unreadable digest cache {}: {}", file, e.getMessage());
            entries.clear();
        }
        return new DigestCache(file, bundleSha256, root, raceMarginMillis, entries, recordedAt);
    }

    /** The remembered digest (hex) of {@code path}, or {@code null} unless every part of the key is unchanged. */
    String lookup(String path, FileKey key) {
        Entry e = entries.get(path);
        if (e == null || !e.key().equals(key)) {
            return null;
        }
        return key.latestChangeMillis() < recordedAtMillis - raceMarginMillis ? e.sha256() : null;
    }

    /** Replaces the cache with the digests of a verified run that started hashing at {@code startedAtMillis}. */
    void store(Map<String, Entry> verified, long startedAtMillis) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("format", FORMAT);
        root.put("bundleSha256", bundleSha256);
        root.put("modelRoot", modelRoot);
        // Entries reused from the previous run keep satisfying the race check: their files are unchanged since then.
        root.put("recordedAtMillis", startedAtMillis);
        ObjectNode files = root.putObject("files");
        verified.forEach((path, e) -> {
            ObjectNode f = files.putObject(path);
            f.put("size", e.key().size());
            f.put("mtimeNanos", e.key().mtimeNanos());
            f.put("ctimeNanos", e.key().ctimeNanos());
            f.put("fileKey", e.key().fileKey());
            f.put("sha256", e.sha256());
        });
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), "verdict", ".tmp");
            try {
                Files.write(tmp, mapper.writeValueAsBytes(root));
                try {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            LOG.warn("cannot write model digest cache {}: {}", file, e.getMessage());
        }
    }
}
