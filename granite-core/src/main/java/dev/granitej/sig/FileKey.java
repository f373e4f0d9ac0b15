package dev.granitej.sig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;

/**
 * What identifies a file's content without reading it: size, modification and change times, and the file system's
 * file key (device and inode on Unix). The change time cannot be set back by a user, which keeps a touched-back
 * modification time from hiding an edit.
 */
record FileKey(long size, long mtimeNanos, long ctimeNanos, String fileKey) {

    static FileKey of(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        long ctime = -1;
        try {
            Object c = Files.getAttribute(file, "unix:ctime");
            if (c instanceof FileTime t) {
                ctime = t.to(TimeUnit.NANOSECONDS);
            }
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            // not a Unix file system: size, mtime and file key remain
        }
        Object key = a.fileKey();
        return new FileKey(a.size(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS), ctime,
                key == null ? "" : key.toString());
    }

    /** The latest of the modification and change times, in milliseconds. */
    long latestChangeMillis() {
        return Math.max(mtimeNanos, ctimeNanos) / 1_000_000L;
    }
}
