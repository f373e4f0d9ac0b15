package dev.granitej.sig;

import dev.granitej.sig.ModelVerificationException.Reason;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/** Compares a verified manifest with the files on disk, hashing what needs hashing. */
final class ManifestVerifier {

    /** What the comparison found; failures are thrown instead. */
    record Report(List<VerificationResult.VerifiedFile> files, List<String> unsigned, List<String> missing,
                  List<String> unchecked) {
    }

    private ManifestVerifier() {
    }

    static Report verify(Path modelPath, Path signatureFile, SignedManifest manifest, VerificationOptions options,
                         String bundleSha256) throws ModelVerificationException {
        Path root;
        SortedMap<String, Path> present;
        Map<String, List<SignedManifest.Resource>> signed = new LinkedHashMap<>();
        if (Files.isRegularFile(modelPath)) {
            // Single-file model: Python names the resource ".", the spec the file's basename. Accept both.
            root = modelPath.toAbsolutePath().getParent();
            String base = modelPath.getFileName().toString();
            present = new TreeMap<>(Map.of(base, modelPath));
            for (SignedManifest.Resource r : manifest.resources()) {
                signed.computeIfAbsent(r.path().equals(".") ? base : r.path(), k -> new ArrayList<>()).add(r);
            }
        } else if (Files.isDirectory(modelPath)) {
            root = modelPath;
            Set<String> ignores = new HashSet<>(ModelFiles.DEFAULT_IGNORES);
            ignores.add(VerificationOptions.DEFAULT_SIGNATURE_NAME);
            ignores.addAll(manifest.ignorePaths());
            for (String p : options.ignorePaths()) {
                SignedManifest.checkPath(p, false, Reason.RESOURCE_NAME_INVALID);
                ignores.add(p);
            }
            Path sig = signatureFile.toAbsolutePath().normalize();
            Path abs = modelPath.toAbsolutePath().normalize();
            if (sig.startsWith(abs)) {
                ignores.add(ModelFiles.relative(abs, sig));
            }
            present = ModelFiles.list(modelPath, ignores, options.allowSymlinks());
            for (SignedManifest.Resource r : manifest.resources()) {
                if (r.path().equals(".")) {
                    throw new ModelVerificationException(Reason.RESOURCE_NAME_INVALID,
                            "the signature is for a single file but the model path is a directory");
                }
                if (!ModelFiles.ignored(r.path(), ignores)) {
                    signed.computeIfAbsent(r.path(), k -> new ArrayList<>()).add(r);
                }
            }
        } else {
            throw new ModelVerificationException(Reason.FILE_MISSING, "model path " + modelPath + " does not exist");
        }

        Map<String, FileKey> keys = new HashMap<>();
        for (Map.Entry<String, Path> e : present.entrySet()) {
            try {
                keys.put(e.getKey(), FileKey.of(e.getValue()));
            } catch (IOException ex) {
                throw new ModelVerificationException(Reason.IO_ERROR, e.getKey(), "cannot stat: " + ex.getMessage(),
                        ex);
            }
        }
        TreeSet<String> unsigned = new TreeSet<>(present.keySet());
        unsigned.removeAll(signed.keySet());
        if (manifest.sharded()) {
            unsigned.removeIf(p -> keys.get(p).size() == 0); // sharding gives empty files no resource
        }
        TreeSet<String> missing = new TreeSet<>(signed.keySet());
        missing.removeAll(present.keySet());

        TreeSet<String> toCheck = new TreeSet<>();
        List<String> reportedMissing = List.of();
        List<String> unchecked = List.of();
        switch (options.mode()) {
            case STRICT -> {
                if (!unsigned.isEmpty()) {
                    throw new ModelVerificationException(Reason.UNSIGNED_FILE, unsigned.first(),
                            unsigned.size() + " file(s) present are not covered by the signature", null);
                }
                requireNone(missing);
                toCheck.addAll(signed.keySet());
            }
            case IGNORE_UNSIGNED -> {
                requireNone(missing);
                toCheck.addAll(signed.keySet());
            }
            case LOADED_FILES_NONCONFORMANT -> {
                for (String p : present.keySet()) {
                    if (options.loadedFiles().test(p) && unsigned.contains(p)) {
                        throw new ModelVerificationException(Reason.UNSIGNED_FILE, p,
                                "a file the engine opens is not covered by the signature", null);
                    }
                }
                TreeSet<String> required = new TreeSet<>(missing);
                required.removeIf(p -> !options.loadedFiles().test(p));
                requireNone(required);
                for (String p : signed.keySet()) {
                    if (present.containsKey(p) && options.loadedFiles().test(p)) {
                        toCheck.add(p);
                    }
                }
                reportedMissing = List.copyOf(missing);
                TreeSet<String> notHashed = new TreeSet<>(signed.keySet());
                notHashed.removeAll(missing);
                notHashed.removeAll(toCheck);
                unchecked = List.copyOf(notHashed);
            }
        }

        List<FileHasher.Job> jobs = new ArrayList<>();
        for (String p : toCheck) {
            jobs.add(job(p, present.get(p), keys.get(p), signed.get(p), manifest));
        }
        List<VerificationResult.VerifiedFile> files =
                checkDigests(jobs, signed, options, bundleSha256, root, manifest.sharded());
        return new Report(files, List.copyOf(options.mode() == VerificationMode.STRICT ? List.of() : unsigned),
                reportedMissing, unchecked);
    }

    private static void requireNone(TreeSet<String> missing) throws ModelVerificationException {
        if (!missing.isEmpty()) {
            throw new ModelVerificationException(Reason.FILE_MISSING, missing.first(),
                    missing.size() + " signed file(s) are absent", null);
        }
    }

    private static FileHasher.Job job(String path, Path file, FileKey key, List<SignedManifest.Resource> ranges,
                                      SignedManifest manifest) throws ModelVerificationException {
        if (!manifest.sharded()) {
            return new FileHasher.Job(path, file, new long[] {0}, new long[] {-1}, key);
        }
        // The shards must tile the file exactly as the signer's shard size cuts it.
        List<SignedManifest.Resource> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.comparingLong(SignedManifest.Resource::start));
        long[] starts = new long[sorted.size()];
        long[] ends = new long[sorted.size()];
        long expect = 0;
        for (int i = 0; i < sorted.size(); i++) {
            SignedManifest.Resource r = sorted.get(i);
            long end = Math.min(expect + manifest.shardSize(), key.size());
            if (r.start() != expect || r.end() != end) {
                throw new ModelVerificationException(Reason.FILE_DIGEST_MISMATCH, path,
                        "signed shard " + r.start() + ":" + r.end() + " does not match the file's size "
                                + key.size(), null);
            }
            starts[i] = r.start();
            ends[i] = r.end();
            expect = end;
        }
        if (expect != key.size()) {
            throw new ModelVerificationException(Reason.FILE_DIGEST_MISMATCH, path,
                    "signed shards cover " + expect + " bytes but the file has " + key.size(), null);
        }
        return new FileHasher.Job(path, file, starts, ends, key);
    }

    private static List<VerificationResult.VerifiedFile> checkDigests(List<FileHasher.Job> jobs, Map<String, List<SignedManifest.Resource>> signed,
                                     VerificationOptions options, String bundleSha256, Path root, boolean sharded)
            throws ModelVerificationException {
        long startedAt = System.currentTimeMillis();
        long total = jobs.stream().mapToLong(FileHasher.Job::bytes).sum();
        FileHasher.Meter meter = new FileHasher.Meter(options.progress(), total);
        DigestCache cache = options.cacheDirectory() == null || sharded ? null
                : DigestCache.open(options.cacheDirectory(), bundleSha256, root, DigestCache.DEFAULT_RACE_MARGIN_MILLIS);
        Map<String, DigestCache.Entry> verified = new TreeMap<>();
        Set<String> fromCache = new HashSet<>();
        List<FileHasher.Job> toHash = new ArrayList<>();
        for (FileHasher.Job job : jobs) {
            String cached = cache == null ? null : cache.lookup(job.path(), job.key());
            if (cached != null && cached.equals(Crypto.hex(signed.get(job.path()).getFirst().digest()))) {
                verified.put(job.path(), new DigestCache.Entry(job.key(), cached));
                fromCache.add(job.path());
                meter.add(job.bytes());
            } else {
                toHash.add(job);
            }
        }
        Map<String, FileHasher.Hashed> hashed = FileHasher.hash(toHash, options.threads(), meter);
        for (FileHasher.Job job : toHash.stream().sorted(Comparator.comparing(FileHasher.Job::path)).toList()) {
            FileHasher.Hashed h = hashed.get(job.path());
            List<SignedManifest.Resource> expected = new ArrayList<>(signed.get(job.path()));
            expected.sort(Comparator.comparingLong(SignedManifest.Resource::start));
            for (int i = 0; i < expected.size(); i++) {
                if (!MessageDigest.isEqual(expected.get(i).digest(), h.digests()[i])) {
                    throw new ModelVerificationException(Reason.FILE_DIGEST_MISMATCH, job.path(),
                            "content does not match the signed digest" + (sharded ? " (shard " + i + ")" : ""),
                            null);
                }
            }
            if (!sharded) {
                verified.put(job.path(), new DigestCache.Entry(job.key(), HexFormat.of().formatHex(h.digests()[0])));
            }
        }
        if (cache != null) {
            cache.store(verified, startedAt);
        }
        return jobs.stream()
                .map(j -> new VerificationResult.VerifiedFile(j.path(), j.key().size(), j.key().mtimeNanos(),
                        fromCache.contains(j.path())))
                .toList();
    }
}
