package dev.granitej.model;

/**
 * Scratch buffers for {@link GraniteModel#decode batched decode steps}. Owned by whoever steps the batch (one
 * per stepping thread); never shared between concurrent steps.
 */
public final class DecodeBatch {

    final Workspace workspace;

    DecodeBatch(Workspace workspace) {
        this.workspace = workspace;
    }
}
