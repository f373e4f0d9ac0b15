package dev.granitej.model;

import dev.granitej.config.GraniteConfig;
import dev.granitej.config.LayerType;

/**
 * Everything one sequence mutates while the shared, immutable {@link GraniteModel} runs it: the Mamba conv and
 * SSM state of every Mamba layer, a KV cache on attention layers only, the position, and scratch buffers.
 * Not thread-safe: one sequence is advanced by one thread at a time. {@link #copy()} forks it cheaply:
 * a hybrid's state is constant-size except for the few KV caches.
 */
public final class SequenceState {

    private final MambaState[] mamba;
    private final KvCache[] kv;
    private final int maxPositions;
    final Workspace workspace;
    int position;

    SequenceState(GraniteConfig c, int maxPositions, Workspace.Dims dims, KvCacheFormat kvFormat) {
        this.maxPositions = maxPositions;
        int layers = c.numLayers();
        this.mamba = new MambaState[layers];
        this.kv = new KvCache[layers];
        for (int i = 0; i < layers; i++) {
            if (c.layerTypes().get(i) == LayerType.MAMBA) {
                mamba[i] = new MambaState((c.mambaConvKernel() - 1) * c.mambaConvDim(),
                        c.mambaHeads() * c.mambaHeadDim() * c.mambaStateSize());
            } else {
                kv[i] = new KvCache(c.numKeyValueHeads(), c.headDim(), maxPositions, kvFormat);
            }
        }
        this.workspace = new Workspace(dims);
    }

    private SequenceState(SequenceState other) {
        this.maxPositions = other.maxPositions;
        this.mamba = new MambaState[other.mamba.length];
        this.kv = new KvCache[other.kv.length];
        for (int i = 0; i < mamba.length; i++) {
            mamba[i] = other.mamba[i] == null ? null : other.mamba[i].copy();
            kv[i] = other.kv[i] == null ? null : other.kv[i].copy();
        }
        this.workspace = new Workspace(other.workspace.dims());
        this.position = other.position;
    }

    /** An independent copy of this state (same position, same history); scratch buffers are not shared. */
    public SequenceState copy() {
        return new SequenceState(this);
    }

    /** Overwrites this state with {@code other}'s, which must come from the same model and context limit. */
    public void copyFrom(SequenceState other) {
        if (other.mamba.length != mamba.length || other.maxPositions != maxPositions) {
            throw new IllegalArgumentException("state comes from a different model or context limit");
        }
        for (int i = 0; i < mamba.length; i++) {
            if (mamba[i] != null) {
                mamba[i].copyFrom(other.mamba[i]);
            } else {
                kv[i].copyFrom(other.kv[i]);
            }
        }
        position = other.position;
    }

    /** Number of tokens consumed so far (the position of the next token). */
    public int position() {
        return position;
    }

    /** Most tokens this sequence can hold. */
    public int maxPositions() {
        return maxPositions;
    }

    /** Bytes of model state held now: Mamba conv and SSM state plus the filled part of the KV caches. */
    public long stateBytes() {
        long sum = 0;
        for (int i = 0; i < mamba.length; i++) {
            sum += mamba[i] != null ? mamba[i].bytes() : kv[i].bytes();
        }
        return sum;
    }

    MambaState mamba(int layer) {
        return mamba[layer];
    }

    KvCache kv(int layer) {
        return kv[layer];
    }
}
