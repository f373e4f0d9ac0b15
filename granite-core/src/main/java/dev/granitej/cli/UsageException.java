package dev.granitej.cli;

/** A command line that cannot be run as written; the CLI prints the message and exits with status 2. */
final class UsageException extends RuntimeException {

    UsageException(String message) {
        super(message);
    }
}
