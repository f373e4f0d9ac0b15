package dev.granitej.sig;

import dev.granitej.sig.ModelVerificationException.Reason;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Hashes files with SHA-256, several files at a time, each with large sequential reads. One file's digest is
 * inherently sequential, so parallelism comes from the checkpoint's many shard files.
 */
final class FileHasher {

    /** Large reads keep the disk streaming; SHA-256 (SHA-NI intrinsic) then runs near memory speed. */
    private static final int CHUNK = 4 << 20;

    /** One file: the byte ranges to hash ({@code end == -1} means to the end of the file). */
    record Job(String path, Path file, long[] starts, long[] ends, FileKey key) {
        long bytes() {
            long n = 0;
            for (int i = 0; i < starts.length; i++) {
                n += (ends[i] < 0 ? key.size() : ends[i]) - starts[i];
            }
            return n;
        }
    }

    /** The digests of a job's ranges, in order. */
    record Hashed(String path, byte[][] digests, FileKey key) {
    }

    /** Serializes progress reports and throttles them to about one per percent. */
    static final class Meter {
        private final ProgressListener listener;
        private final long total;
        private long done;
        private long lastReported = -1;

        Meter(ProgressListener listener, long total) {
            this.listener = listener;
            this.total = total;
        }

        synchronized void add(long n) {
            done += n;
            if (lastReported < 0 || done == total || done - lastReported >= Math.max(total / 100, CHUNK)) {
                lastReported = done;
                listener.onProgress(done, total);
            }
        }
    }

    private FileHasher() {
    }

    static Map<String, Hashed> hash(List<Job> jobs, int threads, Meter meter) throws ModelVerificationException {
        Map<String, Hashed> out = new HashMap<>();
        if (jobs.isEmpty()) {
            return out;
        }
        List<Job> bySize = new ArrayList<>(jobs);
        bySize.sort(Comparator.comparingLong(Job::bytes).reversed()); // largest first balances the tail
        int n = Math.min(bySize.size(), threads > 0 ? threads
                : Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors())));
        try (ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "granitej-model-hash");
            t.setDaemon(true);
            return t;
        })) {
            List<Future<Hashed>> futures = new ArrayList<>();
            for (Job job : bySize) {
                futures.add(pool.submit((Callable<Hashed>) () -> hashOne(job, meter)));
            }
            try {
                for (Future<Hashed> f : futures) {
                    Hashed h = f.get();
                    out.put(h.path(), h);
                }
            } catch (ExecutionException e) {
                futures.forEach(f -> f.cancel(true));
                if (e.getCause() instanceof ModelVerificationException mve) {
                    throw mve;
                }
                throw new ModelVerificationException(Reason.IO_ERROR, "hashing failed: " + e.getCause(), e.getCause());
            } catch (InterruptedException e) {
                futures.forEach(f -> f.cancel(true));
                Thread.currentThread().interrupt();
                throw new ModelVerificationException(Reason.IO_ERROR, "hashing was interrupted", e);
            }
        }
        return out;
    }

    private static Hashed hashOne(Job job, Meter meter) throws ModelVerificationException {
        byte[] buf = new byte[CHUNK];
        ByteBuffer bb = ByteBuffer.wrap(buf);
        byte[][] digests = new byte[job.starts().length][];
        try (FileChannel ch = FileChannel.open(job.file(), StandardOpenOption.READ)) {
            for (int i = 0; i < digests.length; i++) {
                long pos = job.starts()[i];
                long end = job.ends()[i] < 0 ? job.key().size() : job.ends()[i];
                MessageDigest md = Crypto.newSha256();
                while (pos < end) {
                    bb.clear().limit((int) Math.min(CHUNK, end - pos));
                    int r = ch.read(bb, pos);
                    if (r < 0) {
                        throw new ModelVerificationException(Reason.FILE_DIGEST_MISMATCH, job.path(),
                                "file is shorter than the signed byte range", null);
                    }
                    md.update(buf, 0, r);
                    pos += r;
                    meter.add(r);
                }
                digests[i] = md.digest();
            }
            // Same file, same size and times after hashing: what was hashed is what the key describes.
            if (!FileKey.of(job.file()).equals(job.key()) || ch.size() != job.key().size()) {
                throw new ModelVerificationException(Reason.IO_ERROR, job.path(), "file changed while hashing", null);
            }
        } catch (IOException e) {
            throw new ModelVerificationException(Reason.IO_ERROR, job.path(), "cannot read: " + e.getMessage(), e);
        }
        return new Hashed(job.path(), digests, job.key());
    }
}
