package dev.granitej.api;

import dev.granitej.sig.ModelVerificationException;

/**
 * Loading was refused because the checkpoint's signature did not verify; nothing was mapped. The cause says
 * which check failed and for which file.
 */
public final class VerificationFailedException extends RuntimeException {

    VerificationFailedException(ModelVerificationException cause) {
        super("model signature verification failed: " + cause.getMessage(), cause);
    }

    /** The verifier's exception, with the failed check ({@code reason()}) and the file at fault. */
    @Override
    public synchronized ModelVerificationException getCause() {
        return (ModelVerificationException) super.getCause();
    }
}
