package dev.granitej.sig;

/**
 * Receives hashing progress. Calls are serialized (never concurrent) but may come from worker threads; keep the
 * callback short.
 */
@FunctionalInterface
public interface ProgressListener {

    /** A listener that ignores progress. */
    ProgressListener NONE = (done, total) -> { };

    /**
     * @param bytesDone  bytes hashed (or taken from the cache) so far
     * @param bytesTotal bytes to hash in total
     */
    void onProgress(long bytesDone, long bytesTotal);
}
