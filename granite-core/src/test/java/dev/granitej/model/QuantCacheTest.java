package dev.granitej.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.granitej.io.Checkpoint;
import dev.granitej.io.DType;
import dev.granitej.io.SafeTensorsFile;
import dev.granitej.io.Tensor;
import dev.granitej.kernels.Quantizer;
import dev.granitej.kernels.WeightFormat;
import dev.granitej.kernels.WeightMatrix;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The quantized-weight cache: a model loaded from it computes exactly what a freshly quantized one does, its bytes
 * are the quantizer's, and every kind of stale, damaged or foreign file is ignored (the load quantizes and rewrites
 * it) rather than used in part. Works on copies of the golden checkpoints in a temporary directory.
 */
class QuantCacheTest {

    private static final String SHARDED = "micro-dense-bf16-sharded";

    @TempDir
    Path tmp;

    /** A copy of a golden checkpoint's config and weights (not its goldens) under {@code tmp}. */
    private Path copy(String name) throws IOException {
        Path src = GoldenCase.dirOf(name);
        Path dst = tmp.resolve(name);
        Files.createDirectories(dst);
        try (Stream<Path> files = Files.list(src)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (!f.getFileName().toString().equals("golden.safetensors")) {
                    Files.copy(f, dst.resolve(f.getFileName()));
                }
            }
        }
        return dst;
    }

    private static ModelOptions options(WeightFormat format, QuantCache cache) {
        return ModelOptions.defaults().withThreads(1).withWeightFormat(format).withQuantCache(cache);
    }

    /** Logits of every position of the golden prompt p2 (40 tokens) and of one decode step after it. */
    private static float[] logits(Path dir, ModelOptions options, String golden, QuantCache.Outcome expected) {
        try (GoldenCase g = new GoldenCase(golden);
             GraniteModel model = GraniteModel.load(dir, options)) {
            assertEquals(expected, model.quantCacheOutcome(), dir + " " + options);
            int[] ids = g.ids("p2.input_ids");
            SequenceState state = model.newState(ids.length + 1);
            float[] all = model.forwardAll(state, ids);
            float[] next = model.forward(state, new int[] {GoldenCase.argmax(all, (ids.length - 1)
                    * model.config().vocabSize(), model.config().vocabSize())});
            float[] out = new float[all.length + next.length];
            System.arraycopy(all, 0, out, 0, all.length);
            System.arraycopy(next, 0, out, all.length, next.length);
            return out;
        }
    }

    private float[] logits(Path dir, WeightFormat format, QuantCache cache, String golden,
                           QuantCache.Outcome expected) {
        return logits(dir, options(format, cache), golden, expected);
    }

    @ParameterizedTest
    @CsvSource({"micro-dense-bf16-sharded, Q8_0", "micro-dense-bf16-sharded, Q4_0", "dense-attention-rope, Q8_0",
        "dense-attention-rope, Q4_0", "granite-4.0-h-demo, Q8_0", "granite-4.0-h-demo, Q4_0"})
    void cachedWeightsAreTheQuantizersBytesAndGiveIdenticalLogits(String name, WeightFormat format)
            throws IOException {
        Path dir = copy(name);
        QuantCache cache = QuantCache.nextToCheckpoint();
        float[] fresh = logits(dir, format, QuantCache.off(), name, QuantCache.Outcome.NOT_USED);
        Path file = cache.fileFor(dir, format);
        assertFalse(Files.exists(file), "a load without the cache writes none");

        float[] written = logits(dir, format, cache, name, QuantCache.Outcome.WRITTEN);
        assertTrue(Files.isRegularFile(file));
        assertEquals(tmp.resolve(name + ".granitej-cache").resolve(format.name().toLowerCase() + ".safetensors"),
                file);
        float[] mapped = logits(dir, format, cache, name, QuantCache.Outcome.LOADED);
        float[] preloaded = logits(dir, options(format, cache).withPreload(true), name, QuantCache.Outcome.LOADED);
        assertArrayEquals(fresh, written);
        assertArrayEquals(fresh, mapped);
        assertArrayEquals(fresh, preloaded);
        assertCacheHoldsTheQuantizersBytes(dir, file, format);
    }

    /**
     * Every tensor of the cache file equals the quantizer's output (in the layout the engine loads, Q4_0 repacked)
     * for the checkpoint tensor of that name, byte for byte, and the file holds exactly the matrices a quantized
     * load converts.
     */
    private static void assertCacheHoldsTheQuantizersBytes(Path dir, Path file, WeightFormat format) {
        try (Checkpoint ckpt = Checkpoint.open(dir); Arena arena = Arena.ofConfined()) {
            SafeTensorsFile cache = SafeTensorsFile.open(file, arena);
            assertEquals(QuantCacheFile.VERSION, cache.metadata().get(QuantCacheFile.KEY_VERSION));
            assertEquals(format.name(), cache.metadata().get(QuantCacheFile.KEY_FORMAT));
            long expectedCount = ckpt.tensors().values().stream().filter(t -> t.shape().length >= 2
                    && !t.name().contains("router") && !t.name().contains("conv1d")).count();
            // lookups read the embedding as stored: it is converted only as the head of tied weights
            if (ckpt.tensors().containsKey("lm_head.weight")) {
                expectedCount--;
            }
            assertEquals(expectedCount, cache.tensors().size(), cache.tensors().keySet().toString());
            for (Tensor cached : cache.tensors().values()) {
                Tensor source = ckpt.tensor(cached.name());
                long[] shape = source.shape();
                int cols = (int) shape[shape.length - 1];
                int rows = (int) (source.elementCount() / cols);
                boolean vocabulary = cached.name().equals("model.embed_tokens.weight")
                        || cached.name().equals("lm_head.weight");
                WeightFormat target = vocabulary ? WeightFormat.Q8_0 : format;
                WeightMatrix q = Quantizer.quantizeRepacked(source.asMatrix(rows, cols), target, arena);
                assertEquals(DType.U8, cached.dtype());
                assertArrayEquals(new long[] {rows, target.bytesFor(cols)}, cached.shape(), cached.name());
                assertArrayEquals(q.segment().asSlice(0, q.byteSize()).toArray(ValueLayout.JAVA_BYTE),
                        cached.data().toArray(ValueLayout.JAVA_BYTE), cached.name());
            }
        }
    }

    @Test
    void theDataRegionStartsAligned() throws IOException {
        Path dir = copy(SHARDED);
        logits(dir, WeightFormat.Q4_0, QuantCache.nextToCheckpoint(), SHARDED, QuantCache.Outcome.WRITTEN);
        Path file = QuantCache.nextToCheckpoint().fileFor(dir, WeightFormat.Q4_0);
        long headerLength = ByteBuffer.wrap(Files.readAllBytes(file), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, (8 + headerLength) % QuantCacheFile.ALIGNMENT);
    }

    /** A copy of the sharded checkpoint with its Q8_0 cache, and the logits of a load without the cache. */
    private record Cached(Path dir, Path file, float[] fresh) {
    }

    private Cached cachedCopy() throws IOException {
        Path dir = copy(SHARDED);
        float[] fresh = logits(dir, WeightFormat.Q8_0, QuantCache.off(), SHARDED, QuantCache.Outcome.NOT_USED);
        logits(dir, WeightFormat.Q8_0, QuantCache.nextToCheckpoint(), SHARDED, QuantCache.Outcome.WRITTEN);
        return new Cached(dir, QuantCache.nextToCheckpoint().fileFor(dir, WeightFormat.Q8_0), fresh);
    }

    @Test
    void aChangedShardOrConfigMakesTheCacheStale() throws IOException {
        Cached c = cachedCopy();
        Path dir = c.dir();
        float[] fresh = c.fresh();
        QuantCache cache = QuantCache.nextToCheckpoint();
        for (String changed : List.of("model-00004-of-00009.safetensors", "config.json",
                "model.safetensors.index.json")) {
            Path f = dir.resolve(changed);
            Files.setLastModifiedTime(f, FileTime.fromMillis(Files.getLastModifiedTime(f).toMillis() + 10_000));
            assertArrayEquals(fresh, logits(dir, WeightFormat.Q8_0, cache, SHARDED, QuantCache.Outcome.WRITTEN),
                    changed);
            assertArrayEquals(fresh, logits(dir, WeightFormat.Q8_0, cache, SHARDED, QuantCache.Outcome.LOADED),
                    changed);
        }
    }

    @Test
    void aCacheOfAnotherFormatIsNotUsed() throws IOException {
        Path dir = copy(SHARDED);
        QuantCache cache = QuantCache.nextToCheckpoint();
        logits(dir, WeightFormat.Q8_0, cache, SHARDED, QuantCache.Outcome.WRITTEN);
        Files.copy(cache.fileFor(dir, WeightFormat.Q8_0), cache.fileFor(dir, WeightFormat.Q4_0));
        float[] fresh = logits(dir, WeightFormat.Q4_0, QuantCache.off(), SHARDED, QuantCache.Outcome.NOT_USED);
        assertArrayEquals(fresh, logits(dir, WeightFormat.Q4_0, cache, SHARDED, QuantCache.Outcome.WRITTEN));
        assertArrayEquals(fresh, logits(dir, WeightFormat.Q4_0, cache, SHARDED, QuantCache.Outcome.LOADED));
    }

    /** Damage a cache file in one way; the next load must quantize, match a fresh load and rewrite the file. */
    private void assertDamageIsRepaired(String what, Cached c, Damage damage) throws IOException {
        damage.apply(c.file());
        assertArrayEquals(c.fresh(), logits(c.dir(), WeightFormat.Q8_0, QuantCache.nextToCheckpoint(), SHARDED,
                QuantCache.Outcome.WRITTEN), what);
        assertArrayEquals(c.fresh(), logits(c.dir(), WeightFormat.Q8_0, QuantCache.nextToCheckpoint(), SHARDED,
                QuantCache.Outcome.LOADED), what);
    }

    private interface Damage {
        void apply(Path file) throws IOException;
    }

    @Test
    void aTruncatedOrCorruptCacheIsIgnoredAndRebuilt() throws IOException {
        Cached c = cachedCopy();
        assertDamageIsRepaired("truncated", c, f -> {
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                ch.truncate(ch.size() / 2);
            }
        });
        assertDamageIsRepaired("last byte cut", c, f -> {
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                ch.truncate(ch.size() - 1);
            }
        });
        assertDamageIsRepaired("empty", c, f -> Files.write(f, new byte[0]));
        assertDamageIsRepaired("not safetensors", c,
                f -> Files.writeString(f, "this is not a cache file at all"));
        assertDamageIsRepaired("a weight byte flipped", c, f -> {
            byte[] b = Files.readAllBytes(f);
            b[b.length - 100] ^= 0x10;
            Files.write(f, b);
        });
        assertDamageIsRepaired("another layout version", c, f -> {
            String key = "\"" + QuantCacheFile.KEY_VERSION + "\":\"" + QuantCacheFile.VERSION + "\"";
            byte[] b = Files.readAllBytes(f);
            String header = new String(b, 0, Math.min(b.length, 1 << 16), StandardCharsets.ISO_8859_1);
            int at = header.indexOf(key);
            assertTrue(at > 0, header);
            b[at + key.length() - 2] = (byte) '9';
            Files.write(f, b);
        });
    }

    /** Writes a well-formed cache file for the checkpoint (right fingerprint and checksum) holding {@code matrices}. */
    private static void writeCache(Path dir, Path file, WeightFormat format, SequencedMap<String, WeightMatrix> m)
            throws IOException {
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            QuantCacheFile.write(file, format, QuantCacheEntry.fingerprint(dir, ckpt), m);
        }
    }

    /** The Q8_0 matrices of the micro checkpoint a cache holds, quantized here into {@code arena}. */
    private static SequencedMap<String, WeightMatrix> quantizedWeights(Path dir, Path file, Arena arena) {
        SequencedMap<String, WeightMatrix> out = new LinkedHashMap<>();
        try (Checkpoint ckpt = Checkpoint.open(dir); Arena mapping = Arena.ofConfined()) {
            for (String name : SafeTensorsFile.open(file, mapping).tensors().keySet()) {
                Tensor t = ckpt.tensor(name);
                long[] shape = t.shape();
                WeightMatrix q = Quantizer.quantize(t.asMatrix((int) shape[0], (int) shape[1]), WeightFormat.Q8_0,
                        arena);
                out.put(name, q);
            }
        }
        return out;
    }

    @Test
    void aCacheMissingATensorOrHoldingAForeignOneIsNotUsedInPart() throws IOException {
        Cached c = cachedCopy();
        Path dir = c.dir();
        Path file = c.file();
        try (Arena arena = Arena.ofConfined()) {
            SequencedMap<String, WeightMatrix> all = quantizedWeights(dir, file, arena);

            SequencedMap<String, WeightMatrix> missingLast = new LinkedHashMap<>(all);
            missingLast.pollLastEntry();
            assertDamageIsRepaired("last tensor missing", c,
                    f -> writeCache(dir, f, WeightFormat.Q8_0, missingLast));

            SequencedMap<String, WeightMatrix> extra = new LinkedHashMap<>(all);
            extra.put("model.layers.99.extra.weight", all.firstEntry().getValue());
            assertDamageIsRepaired("a foreign tensor", c,
                    f -> writeCache(dir, f, WeightFormat.Q8_0, extra));

            SequencedMap<String, WeightMatrix> reshaped = new LinkedHashMap<>(all);
            Map.Entry<String, WeightMatrix> last = reshaped.pollLastEntry();
            reshaped.put(last.getKey(), last.getValue().rows(0, last.getValue().rows() - 1));
            assertDamageIsRepaired("a tensor of another shape", c,
                    f -> writeCache(dir, f, WeightFormat.Q8_0, reshaped));

            SequencedMap<String, WeightMatrix> wrongBytes = new LinkedHashMap<>(all);
            Map.Entry<String, WeightMatrix> first = wrongBytes.pollFirstEntry();
            WeightMatrix m = first.getValue();
            MemorySegment changed = arena.allocate(m.byteSize()).copyFrom(m.segment().asSlice(0, m.byteSize()));
            changed.set(ValueLayout.JAVA_BYTE, 5, (byte) (changed.get(ValueLayout.JAVA_BYTE, 5) + 1));
            wrongBytes.putFirst(first.getKey(), WeightMatrix.of(WeightFormat.Q8_0, changed, m.rows(), m.cols()));
            // A well-formed file with the right fingerprint and checksum is used, and its bytes are what the model
            // computes with (the cache guards against damage and staleness, not against forgery).
            writeCache(dir, file, WeightFormat.Q8_0, wrongBytes);
            float[] forged = logits(dir, WeightFormat.Q8_0, QuantCache.nextToCheckpoint(), SHARDED,
                    QuantCache.Outcome.LOADED);
            assertNotEquals(0, java.util.Arrays.compare(c.fresh(), forged));
        }
    }

    @Test
    void anUnwritableCacheLocationOnlyCostsAWarning() throws IOException {
        Path dir = copy(SHARDED);
        Path notADirectory = Files.writeString(tmp.resolve("occupied"), "a file where the cache directory goes");
        QuantCache cache = QuantCache.in(notADirectory);
        float[] fresh = logits(dir, WeightFormat.Q8_0, QuantCache.off(), SHARDED, QuantCache.Outcome.NOT_USED);
        assertArrayEquals(fresh, logits(dir, WeightFormat.Q8_0, cache, SHARDED,
                QuantCache.Outcome.WRITE_FAILED));
        assertEquals("a file where the cache directory goes", Files.readString(notADirectory));
    }

    @Test
    void aReadOnlyCacheDirectoryOnlyCostsAWarning() throws IOException {
        Path dir = copy(SHARDED);
        Path readOnly = Files.createDirectories(tmp.resolve("read-only"));
        QuantCache cache = QuantCache.in(readOnly);
        Path cacheDir = cache.fileFor(dir, WeightFormat.Q8_0).getParent();
        Files.createDirectories(cacheDir);
        try {
            Files.setPosixFilePermissions(cacheDir, PosixFilePermissions.fromString("r-xr-xr-x"));
            Assumptions.assumeFalse(Files.isWritable(cacheDir), "running as root: permissions do not stop writes");
            float[] fresh = logits(dir, WeightFormat.Q8_0, QuantCache.off(), SHARDED, QuantCache.Outcome.NOT_USED);
            assertArrayEquals(fresh, logits(dir, WeightFormat.Q8_0, cache, SHARDED,
                    QuantCache.Outcome.WRITE_FAILED));
            try (Stream<Path> left = Files.list(cacheDir)) {
                assertEquals(0, left.count(), "nothing is left behind");
            }
        } finally {
            Files.setPosixFilePermissions(cacheDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void aFailedWriteLeavesNoFileBehind() throws IOException {
        Path dir = copy(SHARDED);
        Path file = QuantCache.nextToCheckpoint().fileFor(dir, WeightFormat.Q8_0);
        try (Arena arena = Arena.ofConfined()) {
            SequencedMap<String, WeightMatrix> m = new LinkedHashMap<>();
            m.put("x", Quantizer.quantize(WeightMatrix.of(WeightFormat.F32,
                    arena.allocate(4L * 32 * 2), 2, 32), WeightFormat.Q8_0, arena));
            Files.createDirectories(file);  // a directory where the file goes: the final move fails
            Files.writeString(file.resolve("keep"), "occupied");
            assertThrows(IOException.class, () -> QuantCacheFile.write(file, WeightFormat.Q8_0, "[]", m));
            try (Stream<Path> left = Files.list(file.getParent())) {
                assertEquals(List.of(file), left.toList(), "the temporary file is removed");
            }
        }
    }

    @Test
    void weightsAsStoredAreNeverCached() throws IOException {
        Path dir = copy(SHARDED);
        try (GraniteModel model = GraniteModel.load(dir,
                ModelOptions.defaults().withThreads(1).withQuantCache(QuantCache.nextToCheckpoint()))) {
            assertEquals(QuantCache.Outcome.NOT_USED, model.quantCacheOutcome());
        }
        assertFalse(Files.exists(tmp.resolve(SHARDED + QuantCache.SIBLING_SUFFIX)));
    }

    @Test
    void cacheLocations() {
        Path a = tmp.resolve("one/granite");
        Path b = tmp.resolve("two/granite");
        assertEquals(tmp.resolve("one/granite.granitej-cache/q8_0.safetensors"),
                QuantCache.nextToCheckpoint().fileFor(a, WeightFormat.Q8_0));
        assertEquals(tmp.resolve("one/granite.granitej-cache/q4_0.safetensors"),
                QuantCache.nextToCheckpoint().fileFor(tmp.resolve("one/./granite/"), WeightFormat.Q4_0));
        Path shared = tmp.resolve("shared");
        Path inA = QuantCache.in(shared).fileFor(a, WeightFormat.Q8_0);
        Path inB = QuantCache.in(shared).fileFor(b, WeightFormat.Q8_0);
        assertEquals(shared, inA.getParent().getParent());
        assertTrue(inA.getParent().getFileName().toString().startsWith("granite-"), inA.toString());
        assertNotEquals(inA, inB, "same-named checkpoints in different places keep apart");
        assertEquals(inA, QuantCache.in(shared).fileFor(a, WeightFormat.Q8_0));
        assertThrows(IllegalStateException.class, () -> QuantCache.off().fileFor(a, WeightFormat.Q8_0));
        assertThrows(IllegalArgumentException.class,
                () -> new QuantCache(false, java.util.Optional.of(shared)));
        assertEquals(QuantCache.off(), ModelOptions.defaults().quantCache());
        assertEquals(QuantCache.in(shared),
                ModelOptions.defaults().withQuantCache(QuantCache.in(shared)).withThreads(2).quantCache());
    }
}
