package dev.granitej.model;

/**
 * The recurrent state of one Mamba-2 layer for one sequence: the last K-1 raw conv inputs
 * ({@code [K-1][conv_dim]}, oldest first) and the fp32 SSM state ({@code [heads][head_dim][d_state]}).
 * Its size does not depend on the sequence length.
 */
final class MambaState {

    final float[] conv;
    final float[] ssm;

    MambaState(int convFloats, int ssmFloats) {
        this.conv = new float[convFloats];
        this.ssm = new float[ssmFloats];
    }

    private MambaState(MambaState other) {
        this.conv = other.conv.clone();
        this.ssm = other.ssm.clone();
    }

    MambaState copy() {
        return new MambaState(this);
    }

    void copyFrom(MambaState other) {
        System.arraycopy(other.conv, 0, conv, 0, conv.length);
        System.arraycopy(other.ssm, 0, ssm, 0, ssm.length);
    }

    long bytes() {
        return 4L * (conv.length + ssm.length);
    }
}
