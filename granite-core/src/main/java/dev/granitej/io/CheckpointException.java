package dev.granitej.io;

/**
 * A checkpoint file is malformed, inconsistent or incomplete. The message names the file and, where
 * there is one, the tensor at fault.
 */
public class CheckpointException extends RuntimeException {

    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
