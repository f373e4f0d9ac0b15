package dev.granitej.sig;

import dev.granitej.sig.ModelVerificationException.Reason;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/** Lists the regular files of a model directory by relative POSIX name, leaving out ignored paths. */
final class ModelFiles {

    /** Top-level git paths model_signing always ignores. */
    static final Set<String> DEFAULT_IGNORES = Set.of(".git", ".gitattributes", ".github", ".gitignore");

    private ModelFiles() {
    }

    static boolean ignored(String rel, Set<String> ignores) {
        for (String p : ignores) {
            if (rel.equals(p) || rel.startsWith(p + "/")) {
                return true;
            }
        }
        return false;
    }

    /** Walks {@code root} without following directory links; file links are followed only when allowed. */
    static SortedMap<String, Path> list(Path root, Set<String> ignores, boolean allowSymlinks)
            throws ModelVerificationException {
        SortedMap<String, Path> files = new TreeMap<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    return !dir.equals(root) && ignored(relative(root, dir), ignores)
                            ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    String rel = relative(root, file);
                    if (ignored(rel, ignores)) {
                        return FileVisitResult.CONTINUE;
                    }
                    if (attrs.isSymbolicLink()) {
                        if (!allowSymlinks) {
                            throw new SymlinkException(rel);
                        }
                        if (!Files.isRegularFile(file)) {
                            throw new SymlinkException(rel);
                        }
                    } else if (!attrs.isRegularFile()) {
                        throw new IOException("'" + rel + "' is neither a regular file nor a directory");
                    }
                    files.put(rel, file);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (SymlinkException e) {
            throw new ModelVerificationException(Reason.SYMLINK_NOT_ALLOWED, e.getMessage(),
                    "symbolic links are not allowed in the model directory", null);
        } catch (IOException e) {
            throw new ModelVerificationException(Reason.IO_ERROR, "cannot list model directory " + root + ": "
                    + e.getMessage(), e);
        }
        return files;
    }

    static String relative(Path root, Path p) {
        StringBuilder sb = new StringBuilder();
        for (Path part : root.relativize(p)) {
            if (!sb.isEmpty()) {
                sb.append('/');
            }
            sb.append(part);
        }
        return sb.toString();
    }


    /** Carries the offending link's name out of the visitor. */
    private static final class SymlinkException extends IOException {
        SymlinkException(String rel) {
            super(rel);
        }
    }
}
